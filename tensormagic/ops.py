"""The vocabulary of torch operations: one table per idea, used by the recorder and by the note rules alike.

Everything here is a name (``"add_"``, ``"__iadd__"``, ``"FloatTensor"``), never a function object, so the
tables are cheap to import and easy to check against torch in tests. A name's *canonical op* is the word the
rules dispatch on: ``Tensor.__radd__``, ``Tensor.add_`` and ``torch.add`` are all ``add``.
"""

from __future__ import annotations

import ast

# -- operators ------------------------------------------------------------------------------------------------
#: Python's binary operators in the order of CPython's ``BINARY_OP`` argument (3.11+: ``NB_ADD`` = 0 …
#: ``NB_XOR`` = 12, then the in-place forms 13–25 in the same order). Each entry: (dunder core, symbol).
BINARY_OPERATORS: tuple[tuple[str, str], ...] = (
    ("add", "+"),
    ("and", "&"),
    ("floordiv", "//"),
    ("lshift", "<<"),
    ("matmul", "@"),
    ("mul", "*"),
    ("mod", "%"),
    ("or", "|"),
    ("pow", "**"),
    ("rshift", ">>"),
    ("sub", "-"),
    ("truediv", "/"),
    ("xor", "^"),
)
#: ``a < b`` … as their dunder core.
COMPARISON_OPERATORS = {"<": "lt", "<=": "le", "==": "eq", "!=": "ne", ">": "gt", ">=": "ge"}
#: Unary operator instructions (``-t``, ``~t``, ``+t``) as their dunder core.
UNARY_OPERATORS = {"UNARY_NEGATIVE": "neg", "UNARY_INVERT": "invert", "UNARY_POSITIVE": "pos"}
#: The symbol of each AST operator node, for quoting the user's expression back.
AST_OPERATOR_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}


def binary_operator(oparg: int) -> tuple[str, bool] | None:
    """``BINARY_OP``'s argument as (dunder core, in place): 0 -> ("add", False), 13 -> ("add", True)."""
    count = len(BINARY_OPERATORS)
    if not 0 <= oparg < 2 * count:
        return None
    return BINARY_OPERATORS[oparg % count][0], oparg >= count


#: Dunder cores -> canonical op (``__truediv__`` is ``div``, ``__getitem__`` is ``getitem``).
DUNDER_OPS = {
    "add": "add",
    "sub": "sub",
    "mul": "mul",
    "truediv": "div",
    "floordiv": "floor_divide",
    "pow": "pow",
    "mod": "remainder",
    "matmul": "matmul",
    "and": "and",
    "or": "or",
    "xor": "xor",
    "lshift": "lshift",
    "rshift": "rshift",
    "eq": "eq",
    "ne": "ne",
    "lt": "lt",
    "le": "le",
    "gt": "gt",
    "ge": "ge",
    "neg": "neg",
    "abs": "abs",
    "invert": "bitwise_not",
    "getitem": "getitem",
    "setitem": "setitem",
    "pos": "positive",
}

#: Canonical ops that combine two operands element by element, with the symbol a student would write.
BINARY_SYMBOLS = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "true_divide": "/",
    "floor_divide": "//",
    "pow": "**",
    "remainder": "%",
    "fmod": "fmod",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "and": "&",
    "or": "|",
    "xor": "^",
    "lshift": "<<",
    "rshift": ">>",
    "maximum": "maximum",
    "minimum": "minimum",
    "atan2": "atan2",
    "multiply": "*",
    "subtract": "-",
    "divide": "/",
    "logical_and": "and",
    "logical_or": "or",
    "logical_xor": "xor",
    "bitwise_and": "&",
    "bitwise_or": "|",
    "bitwise_xor": "^",
    "hypot": "hypot",
    "copysign": "copysign",
    "rsub": "-",
}
#: Element-wise comparisons: the result is always ``bool``, whatever the operands' types.
COMPARISONS = frozenset(
    {"eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "isclose"}
)


# -- in place ---------------------------------------------------------------------------------------------------
def is_inplace(name: str) -> bool:
    """Whether the call changes its first operand: ``add_``, ``__iadd__``, ``__setitem__`` (``Tensor.`` prefix ok)."""
    short = name.rsplit(".", 1)[-1]
    if short == "__setitem__":
        return True
    if short.startswith("__") and short.endswith("__"):
        return short.startswith("__i") and short[3:-2] in DUNDER_OPS
    return short.endswith("_")


def canonical_op(name: str) -> str:
    """``Tensor.__radd__`` -> ``add``; ``Tensor.add_`` -> ``add``; ``torch.matmul`` -> ``matmul``."""
    short = name.rsplit(".", 1)[-1]
    if short.startswith("__") and short.endswith("__"):
        core = short[2:-2]
        if core not in DUNDER_OPS and core[:1] in ("r", "i") and core[1:] in DUNDER_OPS:
            core = core[1:]
        return DUNDER_OPS.get(core, core)
    if short.endswith("_") and not short.endswith("__") and short not in RNG_FUNCTIONS:
        return short[:-1]
    return short


# -- conversions and constructors -------------------------------------------------------------------------------
#: Tensor methods named after the dtype they convert to.
CONVERSIONS = {
    "int": "torch.int32",
    "long": "torch.int64",
    "float": "torch.float32",
    "double": "torch.float64",
    "half": "torch.float16",
    "short": "torch.int16",
    "bool": "torch.bool",
    "byte": "torch.uint8",
    "char": "torch.int8",
    "bfloat16": "torch.bfloat16",
    "cfloat": "torch.complex64",
    "cdouble": "torch.complex128",
}
#: Methods whose target dtype is an argument (``t.to(torch.int64)``, ``t.type(torch.float16)``).
CONVERTING_METHODS = frozenset({"to", "type"})

#: Legacy constructors and the dtype each always makes. ``torch.Tensor`` makes the *default* dtype (None):
#: float32 unless ``torch.set_default_dtype`` changed it.
LEGACY_CONSTRUCTORS: dict[str, str | None] = {
    "Tensor": None,
    "FloatTensor": "torch.float32",
    "DoubleTensor": "torch.float64",
    "HalfTensor": "torch.float16",
    "BFloat16Tensor": "torch.bfloat16",
    "IntTensor": "torch.int32",
    "LongTensor": "torch.int64",
    "ShortTensor": "torch.int16",
    "ByteTensor": "torch.uint8",
    "CharTensor": "torch.int8",
    "BoolTensor": "torch.bool",
}
#: Calls whose result uses the memory of their input (NumPy <-> torch bridges).
MEMORY_SHARING_CALLS = frozenset({"numpy", "from_numpy", "as_tensor", "asarray", "from_dlpack"})
#: What the function mode cannot see on torch 2.13 (a dispatch mode must watch for them).
DISPATCH_ONLY_CALLS = frozenset({*LEGACY_CONSTRUCTORS, "from_numpy"})

# -- random numbers ---------------------------------------------------------------------------------------------
#: Functions that draw random numbers (by ``__name__``).
RNG_FUNCTIONS = frozenset(
    {
        "rand",
        "randn",
        "randint",
        "rand_like",
        "randn_like",
        "randint_like",
        "randperm",
        "normal",
        "bernoulli",
        "multinomial",
        "poisson",
        "uniform_",
        "normal_",
        "random_",
        "exponential_",
        "bernoulli_",
        "cauchy_",
        "geometric_",
        "log_normal_",
        "dropout",
        "dropout_",
        "rrelu",
    }
)
#: Plain Python functions that read or set the global seed (neither torch mode sees them).
SEED_FUNCTIONS = frozenset({"manual_seed", "initial_seed", "seed"})

# -- what recording ignores -------------------------------------------------------------------------------------
#: Calls that only print, hash or inspect a tensor: never worth a step (``print(t)`` calls ``__format__``).
INSPECTION_CALLS = frozenset(
    {
        "__repr__",
        "__str__",
        "__format__",
        "__hash__",
        "__dir__",
        "__reduce_ex__",
        "__deepcopy__",
        "__sizeof__",
        "__bool__",
        "__len__",
        "__array__",
        "__array_wrap__",
        "__index__",
        "__int__",
        "__float__",
        "__complex__",
        "__contains__",
        "__iter__",
        "__reversed__",
        "__getstate__",
        "__setstate__",
        "_is_view",
        "is_contiguous",
        "data_ptr",
        "untyped_storage",
        "element_size",
        "dim",
        "ndimension",
        "stride",
        "storage_offset",
        "is_floating_point",
        "is_complex",
        "numel",
        "_typed_storage",
        "storage",
        "__torch_function__",
        "__class__",
    }
)
#: Attribute reads worth a step: they make views. ``t.shape`` / ``t.dtype`` reads are noise.
VIEW_ATTRIBUTES = frozenset({"T", "mT", "H", "mH", "real", "imag"})
#: What torch's own layer code calls besides the layer's maths (shape checks, batch_first transposes, an RNN's
#: zero initial state, BatchNorm's ``num_batches_tracked.add_(1)``): not shown for ``y = layer(x)``.
LAYER_BOOKKEEPING = frozenset(
    {
        "size",
        "dim",
        "zeros",
        "new_zeros",
        "transpose",
        "unsqueeze",
        "squeeze",
        "add_",
        "is_nested",
        "contiguous",
        "expand",
        "__getitem__",
    }
)
