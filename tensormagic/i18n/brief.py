"""Student mode (``TensorMagic.detail = "brief"``, ``--brief``): the short wording of each ``%%explain`` note.

``KEY.brief`` is the point of note ``KEY`` in a few words, with the note's own numbers (a subset of its
placeholders): the student reads one line per call. Notes in :data:`HIDDEN` are details a teacher wants and a
student can skip (which names now share memory, that ``x.add_`` returns ``x`` itself); every other note has a
brief wording (the catalog tests check that both lists together cover every note).

General rules are stated in full once per cell and referred to after (:data:`RULES`): the first broadcasting call
of a cell carries ``brief.rule.broadcast``, later ones ``brief.rule.again``.
"""

from __future__ import annotations

from .explain import Template

#: Notes brief mode leaves out: true, but not the point of the call for a student.
HIDDEN = frozenset(
    {
        "note.shares.now",  # the names that share memory: the sharing note itself says it
        "note.shares.temporary_alone",
        "note.shares.expression",
        "note.inplace.returns_self",
        "note.broadcast.rule",  # stated once per cell as brief.rule.broadcast instead
        "note.default.keeps",  # the result's type is on the line already
        "note.default.factory_float",  # likewise: "→ (2, 3) float32"
        "note.dtype_explicit_same",
        "note.error.generic",  # the line already says "✗ raised …"
    }
)

#: The general rule each note applies: stated in full the first time in a cell, referred to after.
RULES = {
    "note.broadcast.shapes": "broadcast",
    "note.broadcast.stretch": "broadcast",
    "note.error.broadcast": "broadcast",
    "note.matmul.2d": "matmul",
    "note.matmul.mv": "matmul",
    "note.matmul.vm": "matmul",
    "note.matmul.batched": "matmul",
    "note.matmul.bmm": "matmul",
    "note.error.matmul": "matmul",
    "note.error.matmul_batched": "matmul",
}

EN = {
    # rules, stated once per cell
    "brief.rule.broadcast": "broadcasting rule: line the shapes up from the right; each pair of sizes must be "
    "equal or one of them 1 (a missing axis counts as 1); size-1 axes are stretched to match",
    "brief.rule.matmul": "matrix-multiplication rule: (n, k) @ (k, m) → (n, m): the last size of the left side must "
    "equal the first size of the right side (the second-to-last for batches of matrices); these inner sizes "
    "disappear from the result",
    "brief.rule.name.broadcast": "broadcasting rule",
    "brief.rule.name.matmul": "matrix-multiplication rule",
    "brief.rule.again": "{rule}, see line {line}",
    "brief.line": "{call}: {points}",
    "brief.and": "; ",
    # memory
    "note.shares.from_numpy.brief": "shares memory with {name}: changing one changes the other",
    "note.shares.numpy.brief": "shares memory with {name}: changing one changes the other",
    "note.shares.generic.brief": "shares memory with {name}: changing one changes the other",
    "note.shares.through.brief": "shares memory with {names} (through {expression})",
    "note.shares.temporary.brief": "uses a temporary's memory: independent of {names}",
    "note.copy.then_copy.brief": "then .copy(): shares no memory with {name}",
    "note.copy.from.brief": "a copy: later changes to {name} do not affect it",
    "note.copy.clone.brief": "a copy of {name} with its own memory",
    "note.copy.converted.brief": "converted into new memory: shares nothing",
    "note.copy.layout.brief": "{name}'s layout allows no view, so this is a copy",
    "note.copy.index.brief": "indexing with a list, tensor or mask copies",
    "note.view.of.brief": "a view of {name}: same memory",
    "note.view.of_temporary.brief": "a view of {name}: same memory",
    "note.view.nothing_swapped.brief": "{name} is {ndim}-D: .T swaps nothing",
    "note.view.transpose.brief": "a view of {name} with its axes swapped: {shape_in} → {shape_out}",
    "note.view.alias.brief": "returns {name} itself, no copy",
    # in place
    "note.inplace.method.brief": "changes {target} in place",
    "note.inplace.setitem.brief": "writes {value} into {target}[{index}] in place",
    "note.inplace.shared.brief": "{names} {count:uses|use} the same memory and {count:sees|see} the change too",
    "note.inplace.alias.brief": "{names} {count:shows|show} the change too",
    "note.inplace.unchanged.brief": "{target} is unchanged: the call raised",
    "note.inplace.leaf_grad.brief": "{target} is unchanged: autograd forbids changing a leaf that requires grad in "
    "place (use `with torch.no_grad():`)",
    "note.inplace.op.brief": "changes {target} in place",
    "note.inplace.out.brief": "writes into {target} in place (out=)",
    "note.not_inplace.brief": "{target} is unchanged: {method}() returns a new tensor ({method}_() changes in place)",
    "note.not_inplace_store.brief": "{target} is unchanged: {method}() returns a new tensor, store it",
    # broadcasting and element-wise
    "note.broadcast.scalar.brief": "the number {scalar} is combined with every element",
    "note.broadcast.shapes.brief": "lined up from the right as {aligned_a} and {aligned_b}",
    "note.broadcast.stretch.brief": "{name} is repeated along {count:axis|axes} {axes}",
    "note.elementwise.binary.brief": "element by element",
    "note.elementwise.unary.brief": "applied to each element",
    # matmul
    "note.matmul.2d.brief": "inner size {inner} disappears",
    "note.matmul.dot.brief": "a dot product: {inner:a single product|# products summed}",
    "note.matmul.mv.brief": "matrix times vector, inner size {inner}",
    "note.matmul.vm.brief": "vector times matrix, inner size {inner}",
    "note.matmul.batched.brief": "a matrix product per batch element, batch axes broadcast to {batch}",
    "note.matmul.bmm.brief": "a matrix product per batch element (batch {batch})",
    # layers
    "note.linear.rows.brief": "{n_in:# input|# inputs} → {n_out:# output|# outputs} in each row",
    "note.linear.single.brief": "{n_in:# input|# inputs} → {n_out:# output|# outputs}",
    "note.conv.filters.brief": "{filters:# filter|# filters} of size {kernel} → {filters:# channel|# channels}",
    "note.conv.size.brief": "size per side ⌊(size + 2·padding − kernel) / stride⌋ + 1 → {sides}",
    "note.conv.size_ceil.brief": "size per side ⌈(size + 2·padding − kernel) / stride⌉ + 1 → {sides}",
    "note.conv.size_dilated.brief": "size per side ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 "
    "→ {sides}",
    "note.conv.same.brief": "padding='same' keeps each side's size: {sizes}",
    "note.pool.max.brief": "the largest value of each {kernel} window (step {stride})",
    "note.pool.avg.brief": "the average of each {kernel} window (step {stride})",
    # reductions
    "note.reduce.all.brief": "{count:the single element|all # elements} → one value",
    "note.reduce.dim.brief": "axis {axis} is reduced away",
    "note.reduce.dims.brief": "axes {axes:and} are reduced away",
    "note.reduce.per_column.brief": "axis {axis} is reduced away: one result per column",
    "note.reduce.per_row.brief": "axis {axis} is reduced away: one result per row",
    "note.reduce.keepdim.brief": "keepdim=True keeps {axes:and} as size 1",
    "note.reduce.values_indices.brief": "two tensors: values and indices",
    # dtypes
    "note.dtype.convert.brief": "{src} → {dst}",
    "note.dtype.truncate.brief": "{src} → {dst}: the fractional part is cut off, not rounded",
    "note.dtype.truncate_values.brief": "{examples}: cut toward zero, not rounded",
    "note.dtype.truncate_seen.brief": "{src} → {dst}: {examples}, cut toward zero, not rounded",
    "note.dtype.half_rounded.brief": "rounded to float16: {examples}",
    "note.dtype.to_float.brief": "whole numbers become {dst}",
    "note.dtype.half.brief": "{src} → float16: about 3 significant digits",
    "note.dtype.type_string.brief": "{type_name} means {dtype}",
    "note.dtype.promotion.brief": "{a} and {b} give {result}",
    "note.dtype.scalar_float.brief": "{a} with a Python float gives {result}",
    "note.dtype.scalar_kind.brief": "{a} with a Python {kind} gives {result}",
    "note.dtype.zero_dim_higher_kind.brief": "the 0-d {name} is of a higher kind, so it decides: {result}",
    "note.dtype.zero_dim_same_kind.brief": "the 0-d {name} does not widen the type: {result}",
    "note.dtype.comparison.brief": "True or False for each element",
    "note.dtype.comparison_mixed.brief": "True or False for each element (compared as {compared})",
    "note.dtype.true_div.brief": "/ divides exactly: {result} (// divides rounding down)",
    "note.dtype.floor_div.brief": "// rounds down and keeps {result}",
    "note.dtype.float_op.brief": "{src} → {dst}: {op} makes fractions",
    "note.dtype.sum_int.brief": "{op}() of {src} values gives int64",
    "note.dtype.sum_bool.brief": "{op}() of bool values gives int64 (True is 1, False is 0)",
    "note.dtype.same.brief": "already {dtype}: {name} itself, no copy",
    "note.default.float.brief": "Python floats → {dtype}",
    "note.default.int.brief": "Python ints → int64",
    "note.default.mixed.brief": "ints and floats mixed → {dtype}",
    "note.default.bool.brief": "Python bools → torch.bool",
    "note.default.numpy.brief": "keeps NumPy's {dtype}",
    "note.default.numpy_float64.brief": "keeps NumPy's {dtype}, not {default}",
    "note.default.legacy.brief": "torch.Tensor(...) always makes {dtype}",
    "note.default.legacy_typed.brief": "{ctor} always makes {dtype}",
    "note.default.arange_int.brief": "all ints → int64",
    "note.default.arange_float.brief": "a float argument → {dtype}",
    "note.default.full.brief": "fill value {value} → {dtype}",
    "note.default.randint.brief": "int64 unless a dtype is given",
    "note.default.like.brief": "shape {shape} and type {dtype} of {name}, not its values",
    "note.dtype_explicit.brief": "dtype={dtype} given (default: {default})",
    # ranges
    "note.halfopen.arange.brief": "{values}: {end} itself is excluded",
    "note.halfopen.randint.brief": "from {low} to {last}: {high} is never drawn",
    "note.linspace.one.brief": "a single value, the start {start}",
    "note.linspace.both_ends.brief": "both ends included, step {step}",
    "note.uninitialized.brief": "leftover bytes, not zeros: fill before use",
    # random numbers
    "note.rng.draw.brief": "{count:# random value|# random values} from the default generator (seed {seed})",
    "note.rng.draw_own.brief": "{count:# random value|# random values} from {name}",
    "note.rng.permutation.brief": "a random order of 0 … {last} (seed {seed})",
    "note.rng.dropout_eval.brief": "training=False: dropout does nothing",
    "note.rng.seeded.brief": "seeded in this cell: the same numbers on every run",
    "note.rng.unseeded.brief": "no seed set in this cell: torch.manual_seed(n) first for repeatable numbers",
    "note.rng.manual_seed.brief": "seed {seed}: the random numbers after this repeat on every run",
    "note.rng.initial_seed.brief": "reads the seed ({seed})",
    "note.rng.seed.brief": "a new unpredictable seed ({seed})",
    # item
    "note.item.value.brief": "a plain Python {type_name}: {value}",
    "note.item.widened.brief": "Python float {value}: the {dtype} number nearest to {short}",
    "note.item.error.brief": "item() needs one element, {name} has {count}",
    # errors
    "note.error.broadcast.brief": "{a} and {b} do not broadcast: axis {axis} has sizes {x} and {y}",
    "note.error.matmul.brief": "the inner sizes differ ({k1} vs {k2})",
    "note.error.matmul_batched.brief": "the inner sizes differ ({k1} vs {k2})",
    "note.error.cat.brief": "sizes must match except in axis {dim}: axis {axis} differs ({sizes})",
    "note.error.stack.brief": "stack needs equal shapes: {shapes}",
    "note.error.view.brief": "view{request} needs {need:# element|# elements}, {name} has {have}",
    "note.error.view_layout.brief": "{name} is not contiguous: use .reshape(...)",
    "note.error.linear.brief": "the input's last size is {have}, the layer expects {need}",
    "note.error.conv.brief": "{have:# channel|# channels}, the filters expect {need}",
}

ZH = {
    # rules, stated once per cell
    "brief.rule.broadcast": "广播规则：从最右边的维度开始对齐，每一对大小必须相等或其中一个为 1（缺少的维度当作 1）；"
    "大小为 1 的维度会被拉伸",
    "brief.rule.matmul": "矩阵乘法规则：(n, k) @ (k, m) → (n, m)：左边的最后一个大小必须等于右边的第一个大小"
    "（批量矩阵则是倒数第二个大小）；这两个内侧大小在结果中被消去",
    "brief.rule.name.broadcast": "广播规则",
    "brief.rule.name.matmul": "矩阵乘法规则",
    "brief.rule.again": "{rule}，见第 {line} 行",
    "brief.line": "{call}：{points}",
    "brief.and": "；",
    # memory
    "note.shares.from_numpy.brief": "与 {name} 共享内存：修改其中一个，另一个也会变",
    "note.shares.numpy.brief": "与 {name} 共享内存：修改其中一个，另一个也会变",
    "note.shares.generic.brief": "与 {name} 共享内存：修改其中一个，另一个也会变",
    "note.shares.through.brief": "与 {names} 共享内存（通过 {expression}）",
    "note.shares.temporary.brief": "使用临时对象的内存：与 {names} 互不影响",
    "note.copy.then_copy.brief": "随后 .copy()：不再与 {name} 共享内存",
    "note.copy.from.brief": "一份拷贝：之后修改 {name} 不会影响它",
    "note.copy.clone.brief": "{name} 的一份拷贝，拥有自己的内存",
    "note.copy.converted.brief": "转换到新的内存中：不与任何对象共享",
    "note.copy.layout.brief": "{name} 的内存布局无法做视图，所以这是一份拷贝",
    "note.copy.index.brief": "用列表、张量或掩码做索引会复制",
    "note.view.of.brief": "是 {name} 的视图：内存相同",
    "note.view.of_temporary.brief": "是 {name} 的视图：内存相同",
    "note.view.nothing_swapped.brief": "{name} 是 {ndim} 维张量：.T 没有交换任何轴",
    "note.view.transpose.brief": "是 {name} 交换轴后的视图：{shape_in} → {shape_out}",
    "note.view.alias.brief": "直接返回 {name} 本身，没有复制",
    # in place
    "note.inplace.method.brief": "原地修改 {target}",
    "note.inplace.setitem.brief": "原地把 {value} 写入 {target}[{index}]",
    "note.inplace.shared.brief": "{names} 使用同一块内存，{count:它|它们}也能看到这一改动",
    "note.inplace.alias.brief": "{names} 是同一个张量，{count:它|它们}也会显示这一改动",
    "note.inplace.unchanged.brief": "{target} 没有变：调用出错了",
    "note.inplace.leaf_grad.brief": "{target} 没有变：autograd 不允许原地修改需要梯度的叶子张量"
    "（请在 `with torch.no_grad():` 中修改）",
    "note.inplace.op.brief": "原地修改 {target}",
    "note.inplace.out.brief": "原地写入 {target}（out=）",
    "note.not_inplace.brief": "{target} 没有变：{method}() 返回新张量（{method}_() 才是原地修改）",
    "note.not_inplace_store.brief": "{target} 没有变：{method}() 返回新张量，请把它保存下来",
    # broadcasting and element-wise
    "note.broadcast.scalar.brief": "数字 {scalar} 与每个元素分别计算",
    "note.broadcast.shapes.brief": "从右往左对齐成 {aligned_a} 和 {aligned_b}",
    "note.broadcast.stretch.brief": "{name} 沿第 {axes} 轴被重复{count:|（共 # 个轴）}",
    "note.elementwise.binary.brief": "逐元素计算",
    "note.elementwise.unary.brief": "分别作用于每个元素",
    # matmul
    "note.matmul.2d.brief": "内侧大小 {inner} 被消去",
    "note.matmul.dot.brief": "点积：{inner:只有一个乘积|# 个乘积相加}",
    "note.matmul.mv.brief": "矩阵乘向量，内侧大小 {inner}",
    "note.matmul.vm.brief": "向量乘矩阵，内侧大小 {inner}",
    "note.matmul.batched.brief": "每个批量元素做一次矩阵乘法，批量维度广播为 {batch}",
    "note.matmul.bmm.brief": "每个批量元素做一次矩阵乘法（批量 {batch}）",
    # layers
    "note.linear.rows.brief": "每一行 {n_in} 个输入 → {n_out} 个输出",
    "note.linear.single.brief": "{n_in} 个输入 → {n_out} 个输出",
    "note.conv.filters.brief": "{filters} 个大小为 {kernel} 的卷积核 → {filters} 个通道",
    "note.conv.size.brief": "每条边的大小 ⌊(大小 + 2·padding − kernel) / stride⌋ + 1 → {sides}",
    "note.conv.size_ceil.brief": "每条边的大小 ⌈(大小 + 2·padding − kernel) / stride⌉ + 1 → {sides}",
    "note.conv.size_dilated.brief": "每条边的大小 ⌊(大小 + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 "
    "→ {sides}",
    "note.conv.same.brief": "padding='same' 使每条边大小不变：{sizes}",
    "note.pool.max.brief": "取每个 {kernel} 窗口的最大值（步长 {stride}）",
    "note.pool.avg.brief": "求每个 {kernel} 窗口的平均值（步长 {stride}）",
    # reductions
    "note.reduce.all.brief": "{count:唯一一个元素|全部 # 个元素} → 一个值",
    "note.reduce.dim.brief": "第 {axis} 轴被归约消去",
    "note.reduce.dims.brief": "第 {axes:、} 轴被归约消去",
    "note.reduce.per_column.brief": "第 {axis} 轴被归约消去：每一列一个结果",
    "note.reduce.per_row.brief": "第 {axis} 轴被归约消去：每一行一个结果",
    "note.reduce.keepdim.brief": "keepdim=True 把第 {axes:、} 轴保留为大小 1",
    "note.reduce.values_indices.brief": "两个张量：数值和下标",
    # dtypes
    "note.dtype.convert.brief": "{src} → {dst}",
    "note.dtype.truncate.brief": "{src} → {dst}：小数部分被截掉，不是四舍五入",
    "note.dtype.truncate_values.brief": "{examples}：向零截断，不是四舍五入",
    "note.dtype.truncate_seen.brief": "{src} → {dst}：{examples}，向零截断，不是四舍五入",
    "note.dtype.half_rounded.brief": "舍入到 float16：{examples}",
    "note.dtype.to_float.brief": "整数变成 {dst}",
    "note.dtype.half.brief": "{src} → float16：大约 3 位有效数字",
    "note.dtype.type_string.brief": "{type_name} 表示 {dtype}",
    "note.dtype.promotion.brief": "{a} 与 {b} 得到 {result}",
    "note.dtype.scalar_float.brief": "{a} 与 Python 浮点数得到 {result}",
    "note.dtype.scalar_kind.brief": "{a} 与 Python {kind} 得到 {result}",
    "note.dtype.zero_dim_higher_kind.brief": "0 维的 {name} 类别更高，由它决定：{result}",
    "note.dtype.zero_dim_same_kind.brief": "0 维的 {name} 不会把类型变宽：{result}",
    "note.dtype.comparison.brief": "每个元素是 True 或 False",
    "note.dtype.comparison_mixed.brief": "每个元素是 True 或 False（按 {compared} 比较）",
    "note.dtype.true_div.brief": "/ 做精确除法：{result}（// 是向下取整的除法）",
    "note.dtype.floor_div.brief": "// 向下取整，保持 {result}",
    "note.dtype.float_op.brief": "{src} → {dst}：{op} 会产生小数",
    "note.dtype.sum_int.brief": "对 {src} 做 {op}() 得到 int64",
    "note.dtype.sum_bool.brief": "对布尔值做 {op}() 得到 int64（True 为 1，False 为 0）",
    "note.dtype.same.brief": "已经是 {dtype}：返回 {name} 本身，没有复制",
    "note.default.float.brief": "Python 浮点数 → {dtype}",
    "note.default.int.brief": "Python 整数 → int64",
    "note.default.mixed.brief": "整数和浮点数混在一起 → {dtype}",
    "note.default.bool.brief": "Python 布尔值 → torch.bool",
    "note.default.numpy.brief": "保留 NumPy 的 {dtype}",
    "note.default.numpy_float64.brief": "保留 NumPy 的 {dtype}，不是 {default}",
    "note.default.legacy.brief": "torch.Tensor(...) 总是创建 {dtype}",
    "note.default.legacy_typed.brief": "{ctor} 总是创建 {dtype}",
    "note.default.arange_int.brief": "全是整数 → int64",
    "note.default.arange_float.brief": "有浮点数参数 → {dtype}",
    "note.default.full.brief": "填充值 {value} → {dtype}",
    "note.default.randint.brief": "默认 int64（除非指定 dtype）",
    "note.default.like.brief": "取 {name} 的形状 {shape} 和类型 {dtype}，不取数值",
    "note.dtype_explicit.brief": "指定了 dtype={dtype}（默认是 {default}）",
    # ranges
    "note.halfopen.arange.brief": "{values}：不包含 {end} 本身",
    "note.halfopen.randint.brief": "从 {low} 到 {last}：永远取不到 {high}",
    "note.linspace.one.brief": "只有一个值，即起点 {start}",
    "note.linspace.both_ends.brief": "包含两端，步长 {step}",
    "note.uninitialized.brief": "内存里原有的字节，不一定是 0：使用前请先填充",
    # random numbers
    "note.rng.draw.brief": "从默认生成器取了 {count:,} 个随机值（种子 {seed}）",
    "note.rng.draw_own.brief": "从 {name} 取了 {count:,} 个随机值",
    "note.rng.permutation.brief": "0 … {last} 的一个随机排列（种子 {seed}）",
    "note.rng.dropout_eval.brief": "training=False：dropout 什么也不做",
    "note.rng.seeded.brief": "本单元格设置了种子：每次运行得到相同的数",
    "note.rng.unseeded.brief": "本单元格没有设置种子：先调用 torch.manual_seed(n) 才能得到可重复的数",
    "note.rng.manual_seed.brief": "种子 {seed}：之后的随机数每次运行都相同",
    "note.rng.initial_seed.brief": "读取种子（{seed}）",
    "note.rng.seed.brief": "一个新的、不可预测的种子（{seed}）",
    # item
    "note.item.value.brief": "普通的 Python {type_name}：{value}",
    "note.item.widened.brief": "Python 浮点数 {value}：最接近 {short} 的 {dtype} 数",
    "note.item.error.brief": "item() 需要一个元素，{name} 有 {count} 个",
    # errors
    "note.error.broadcast.brief": "{a} 和 {b} 无法广播：第 {axis} 轴的大小是 {x} 和 {y}",
    "note.error.matmul.brief": "内侧大小不同（{k1} 与 {k2}）",
    "note.error.matmul_batched.brief": "内侧大小不同（{k1} 与 {k2}）",
    "note.error.cat.brief": "除第 {dim} 轴外大小必须相同：第 {axis} 轴不同（{sizes}）",
    "note.error.stack.brief": "stack 需要形状完全相同：{shapes}",
    "note.error.view.brief": "view{request} 需要 {need} 个元素，{name} 有 {have} 个",
    "note.error.view_layout.brief": "{name} 不是连续存储的：请用 .reshape(...)",
    "note.error.linear.brief": "输入的最后一个大小是 {have}，这一层需要 {need}",
    "note.error.conv.brief": "{have} 个通道，卷积核需要 {need} 个",
}

EN = {key: Template(text) for key, text in EN.items()}
ZH = {key: Template(text) for key, text in ZH.items()}
