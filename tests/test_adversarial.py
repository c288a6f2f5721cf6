"""Adversarial objects through every describing entry point, in a real IPython shell.

Hypothesis draws odd objects (every torch dtype, including float8, float4, uint16/32, complex32, the bit and
sub-byte types and the quantized ones; sparse, nested, meta, expanded, zero-size and 0-d layouts; NumPy views
with negative strides and NumPy dtypes with no tensor equivalent; ``Parameter`` and user subclasses whose
``__torch_function__`` or ``__repr__`` raises, or whose name is HTML), and namespaces that hold them beside
other hostile values. For each: ``tm.describe``, ``tm.annotate``, ``tm.overview``, ``tm.inspect``, and
``%tensor NAME`` / ``%tensor`` / ``%tensor -w NAME`` in the shell must

* raise nothing from tensormagic's internals (no traceback, no "annotation is incomplete" warning);
* leave the user's own errors with their own type;
* escape every piece of text that reaches HTML (a hostile name never becomes a tag).

Objects are drawn as specs and built inside the test, so a failing example prints readably even when the
object's own ``repr`` raises.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import tensormagic as tm

HOSTILE = "<img src=x onerror=alert(1)>"
ALL_DTYPES = sorted({v for v in vars(torch).values() if isinstance(v, torch.dtype)}, key=str)
QUANTIZED = [d for d in ALL_DTYPES if str(d).startswith(("torch.qint", "torch.quint"))]
SAME_SIZE_INT = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
TENSOR_LAYOUTS = [
    "strided", "transposed", "expanded", "stepped", "zero-size", "0-d", "meta", "sparse_coo", "sparse_csr",
    "sparse_csc", "sparse_bsr", "nested_strided", "nested_jagged", "nested_meta", "numpy", "numpy_negative",
]
WRAPPERS = ["plain", "parameter", "raising_torch_function", "raising_repr", "html_name"]
ARRAY_KINDS = [
    "object", "str", "datetime64", "structured", "masked", "big_endian", "negative", "broadcast", "matrix",
    "zero-size", "0-d", "complex", "bool", "float16",
]


class RaisingTorchFunction(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        raise ValueError("raised by the user's __torch_function__")


class RaisingRepr(torch.Tensor):
    def __repr__(self) -> str:
        raise KeyError("raised by the user's __repr__")


HtmlNamed = type(HOSTILE, (torch.Tensor,), {})


@dataclass(frozen=True)
class TensorSpec:
    dtype: torch.dtype
    shape: tuple[int, ...]
    layout: str
    wrapper: str
    seed: int


@dataclass(frozen=True)
class ArraySpec:
    kind: str
    shape: tuple[int, ...]


def _values(dtype: torch.dtype, shape: tuple[int, ...], seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return torch.rand(shape, generator=generator) > 0.5
    if dtype in QUANTIZED:
        zero_point = 0 if dtype in (torch.qint8, torch.qint32) else 3
        return torch.quantize_per_tensor(torch.randn(shape, generator=generator), 0.1, zero_point, dtype)
    try:
        return (torch.randn(shape, generator=generator, dtype=torch.float64) * 50).to(dtype)
    except (RuntimeError, TypeError, NotImplementedError):
        # float4, bits and sub-byte integers: no conversion exists; reinterpret integers of the same size
        integers = torch.randint(0, 100, shape, generator=generator, dtype=SAME_SIZE_INT[dtype.itemsize])
        return integers.view(dtype)


def build_tensor(spec: TensorSpec) -> torch.Tensor | np.ndarray:
    shape = (0, *spec.shape[1:]) if spec.layout == "zero-size" else () if spec.layout == "0-d" else spec.shape
    if spec.layout == "meta":
        obj: Any = torch.empty(shape, dtype=spec.dtype, device="meta")
    elif spec.layout.startswith("nested"):
        parts = [_values(spec.dtype, (k + 1, *shape[1:2]), spec.seed + k) for k in range(3)]
        layout = torch.strided if spec.layout == "nested_strided" else torch.jagged
        device = "meta" if spec.layout == "nested_meta" else "cpu"
        obj = torch.nested.nested_tensor(parts, layout=layout, device=device)
    else:
        obj = _values(spec.dtype, shape, spec.seed)
    if spec.layout == "transposed":
        obj = obj.transpose(0, -1)
    elif spec.layout == "expanded":
        obj = obj.unsqueeze(0).expand(3, *obj.shape)
    elif spec.layout == "stepped":
        obj = obj[::2]
    elif spec.layout == "sparse_coo":
        obj = obj.to_sparse()
    elif spec.layout in ("sparse_csr", "sparse_csc"):
        obj = obj.to_sparse(layout=getattr(torch, spec.layout))
    elif spec.layout == "sparse_bsr":
        obj = obj.to_sparse_bsr((1, 1))
    elif spec.layout in ("numpy", "numpy_negative"):
        obj = obj.numpy()
        if spec.layout == "numpy_negative":
            obj = obj[::-1]
    if isinstance(obj, np.ndarray) or spec.wrapper == "plain":
        return obj
    if spec.wrapper == "parameter":
        return torch.nn.Parameter(obj, requires_grad=obj.dtype.is_floating_point)
    subclass = {"raising_torch_function": RaisingTorchFunction, "raising_repr": RaisingRepr, "html_name": HtmlNamed}
    return obj.as_subclass(subclass[spec.wrapper])


def build_array(spec: ArraySpec) -> np.ndarray:
    shape = (0,) if spec.kind == "zero-size" else () if spec.kind == "0-d" else spec.shape
    numbers = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    if spec.kind == "object":
        return numbers.astype(object)
    if spec.kind == "str":
        return numbers.astype(str)
    if spec.kind == "datetime64":
        return numbers.astype("datetime64[s]")
    if spec.kind == "structured":
        return np.zeros(shape, dtype=[("a", "f4"), ("b", "i8")])
    if spec.kind == "masked":
        return np.ma.masked_array(numbers, mask=numbers > 2)
    if spec.kind == "big_endian":
        return numbers.astype(">f8")
    if spec.kind == "negative":
        return numbers[::-1] if numbers.ndim else numbers
    if spec.kind == "broadcast":
        return np.broadcast_to(numbers, (3, *shape))
    if spec.kind == "matrix":
        return np.asmatrix(numbers.reshape(1, -1))
    if spec.kind == "complex":
        return numbers + 1j * numbers
    if spec.kind == "bool":
        return numbers > 1
    return numbers.astype(np.float16)


shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)
tensor_specs = st.builds(
    TensorSpec,
    dtype=st.sampled_from(ALL_DTYPES),
    shape=shapes,
    layout=st.sampled_from(TENSOR_LAYOUTS),
    wrapper=st.sampled_from(WRAPPERS),
    seed=st.integers(0, 2**16),
)
array_specs = st.builds(ArraySpec, kind=st.sampled_from(ARRAY_KINDS), shape=shapes)
specs = st.one_of(tensor_specs, array_specs)


def build(spec: TensorSpec | ArraySpec) -> torch.Tensor | np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return build_tensor(spec) if isinstance(spec, TensorSpec) else build_array(spec)
        except (RuntimeError, TypeError, NotImplementedError, ValueError, IndexError, AttributeError):
            reject()  # torch or NumPy cannot build this combination: nothing to describe
    raise AssertionError("unreachable")


def neighbours(obj: torch.Tensor | np.ndarray) -> dict[str, object]:
    """Other values a namespace might hold beside the object: views of it, hostile objects, non-tensors."""
    around: dict[str, object] = {
        "hostile": torch.arange(3.0).as_subclass(RaisingTorchFunction),
        "numbers": 5,
        "numbers_gen": (i for i in range(3)),
        "model": torch.nn.Linear(2, 2),
        "array": np.arange(4.0),
    }
    with contextlib.suppress(Exception), torch._C.DisableTorchFunctionSubclass():
        if isinstance(obj, torch.Tensor) and obj.layout == torch.strided and not obj.is_nested and obj.dim():
            around[HOSTILE] = obj[:1]  # a view named like a tag
        elif isinstance(obj, np.ndarray) and obj.ndim:
            around[HOSTILE] = obj[:1]
    return around


#: tensormagic's own drawings in static HTML: an <img> of its SVG as a data: URL (scripts never run in an image).
OWN_IMAGE = re.compile(
    r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]*" width="\d+" height="\d+" alt="[^"<>]*" style="[^"<>]*">'
)


def assert_escaped(html: str) -> None:
    html = OWN_IMAGE.sub("", html)
    assert "<img" not in html and "<script" not in html.lower(), html[:400]


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --- the plain API --------------------------------------------------------------------------------------


@settings(max_examples=250, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(specs)
def test_describe_annotate_overview_and_inspect_never_raise(spec: TensorSpec | ArraySpec) -> None:
    obj = build(spec)
    namespace = {"x": obj, **neighbours(obj)}
    with quiet():
        facts = tm.describe(obj, namespace)
        assert facts.name == "x" and facts.numel >= 0 and len(facts.shape) == facts.ndim
        annotation = tm.annotate(obj, namespace, language="zh" if len(spec.shape) % 2 else "en")
        assert str(annotation)
        assert_escaped(annotation._repr_html_())
        overview = tm.overview(namespace)
        assert str(overview).startswith(("3 tensor", "4 tensor", "命名空间"))
        assert_escaped(overview._repr_html_())
        shown = tm.inspect(obj, namespace)
        bundle = shown._repr_mimebundle_()
        assert bundle["text/plain"]
        for html in (bundle["text/html"], shown.header.value, shown.values_view.value, shown.histogram_view.value,
                     shown.memory_view.value):
            assert_escaped(html)
        shown.close()


# --- the magics, in a real shell -----------------------------------------------------------------------------


def run(shell: InteractiveShell, source: str) -> tuple[str, list[dict[str, Any]], BaseException | None]:
    with capture_output() as captured:
        result = shell.run_cell(source, store_history=False)
    return captured.stdout + captured.stderr, [o.data for o in captured.outputs], result.error_in_exec


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(specs)
def test_tensor_magics_never_raise_and_escape_everything(shell: InteractiveShell, spec: TensorSpec | ArraySpec) -> None:
    obj = build(spec)
    names = {"x": obj, **neighbours(obj)}
    shell.user_ns.update(names)
    try:
        with quiet():
            lines = ["%tensor x", "%tensor", "%tensor -w x", "%tensor --lang zh x", f"%tensor globals()[{HOSTILE!r}]"]
            for line in lines:
                if HOSTILE not in names and HOSTILE in line:
                    continue
                output, bundles, error = run(shell, line)
                assert error is None, (line, output)
                assert "Traceback" not in output and "annotation is incomplete" not in output, (line, output)
                assert bundles, line
                for bundle in bundles:
                    assert_escaped(bundle.get("text/html", ""))
    finally:
        for name in names:
            shell.user_ns.pop(name, None)


@pytest.mark.parametrize(
    ("source", "error_type"),
    [
        ("%tensor hostile + 1", ValueError),  # raised by the user's __torch_function__
        ("%tensor -w hostile.sum()", ValueError),
        ("%tensor undefined_name", NameError),
        ("%tensor -w 1 / 0", ZeroDivisionError),
        ("%tensor lst[10] = torch.ones(2)", IndexError),
        ("%tensor torch.ones(2) @ torch.ones(3)", RuntimeError),
    ],
)
def test_the_users_errors_keep_their_type(shell: InteractiveShell, source: str, error_type: type) -> None:
    shell.user_ns.update(hostile=torch.arange(3.0).as_subclass(RaisingTorchFunction), lst=[])
    output, _, error = run(shell, source)
    assert isinstance(error, error_type), output
    assert "tensormagic/" not in output  # the user's line, not our frames


def test_hostile_names_everywhere_are_escaped(shell: InteractiveShell) -> None:
    base = torch.arange(6.0)
    shell.user_ns.update({HOSTILE: base, "view": base[2:], "named": torch.ones(2).as_subclass(HtmlNamed)})
    with quiet():
        # The name shows as text in each (the inspector's HTML shows a table of values, not the subclass's repr)
        for line, shows_name in [("%tensor view", True), ("%tensor", True), ("%tensor named", True),
                                 ("%tensor -w view", True), ("%tensor -w named", False)]:
            output, bundles, error = run(shell, line)
            assert error is None and "Traceback" not in output
            htmls = [b["text/html"] for b in bundles if "text/html" in b]
            assert htmls, line
            for html in htmls:
                assert_escaped(html)
            assert any("&lt;img src=x onerror=alert(1)&gt;" in html for html in htmls) == shows_name, line
