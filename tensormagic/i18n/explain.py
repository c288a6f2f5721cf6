"""Messages of ``%%explain``: the frame (``explain.*``) and every note (``note.*``), in English and Chinese.

Written for students meeting tensors for the first time: one idea per sentence, the real numbers in
it, and the word the course itself uses (张量, 形状, 元素类型, 共享内存, 视图, 广播 …).
"""

from __future__ import annotations

from .forms import Count, Items, Template, counts

__all__ = ["EN", "ZH", "Count", "Items", "Template", "counts"]


EN = {
    # frame
    "explain.title": "%%explain · {calls:# torch call|# torch calls} on {lines:# line|# lines}",
    "explain.none": "%%explain · no torch calls were made in this cell",
    "explain.more": "… {count:# more line|# more lines} not shown (%config TensorMagic.max_lines = {limit})",
    "explain.incomplete": "tensormagic: explanation incomplete ({error}); your cell's result is unaffected",
    "explain.times": "×{count}",
    "explain.shapes": "shapes: first {first}, last {last}",
    "explain.failed": "the cell stopped with {error}; the calls above ran before it",
    "explain.call_failed": "raised {error}",
    "explain.call_failed_some": "raised {error} ({errors} of {count:# call|# calls})",
    "explain.python_value": "Python {type_name} {value}",
    "explain.tuple": "{count:# tensor|# tensors}: {shapes}",
    "explain.no_value": "{type_name}",
    "explain.line": "line",
    "explain.code": "code",
    "explain.what": "what happened",
    # one forward pass: the cell's call of a model, its layer calls grouped under it
    "explain.forward": "{call}: {kind} forward pass, {calls:# layer call|# layer calls}",
    "explain.forward_runs": "{call}: {kind} forward pass, {calls:# layer call|# layer calls}, {runs:,} runs in all",
    "explain.forward_shapes": "{head}, {shape_in} → {shape_out}",
    # memory
    "note.shares.from_numpy": "shares memory with the NumPy array {name}: nothing was copied, so changing one "
    "changes the other",
    "note.shares.numpy": "the NumPy array shares memory with {name}: nothing was copied, so changing one changes "
    "the other",
    "note.shares.generic": "shares memory with {name}: nothing was copied, so changing one changes the other",
    "note.shares.now": "now these names use the same memory: {names}",
    "note.shares.through": "shares memory with {names}, through the temporary {expression}: nothing was copied, so "
    "a change to one shows in the other",
    "note.shares.temporary": "uses the memory of {expression}, a temporary no variable refers to: it is independent "
    "of {names}",
    "note.shares.temporary_alone": "uses the memory of {expression}, a temporary no variable refers to",
    "note.shares.expression": "uses the memory of the array {expression} gives: nothing was copied",
    "note.copy.then_copy": "… then .copy() makes an independent copy, so the stored result does not share memory "
    "with {name}",
    "note.copy.from": "copies {name}: the new tensor owns its memory, so later changes to {name} do not affect it "
    "(and the other way round)",
    "note.copy.clone": "a copy of {name} with its own memory",
    "note.copy.converted": "converts the data of {expression} into new memory: the tensor shares memory with nothing "
    "else",
    "note.copy.layout": "{name}'s memory layout did not allow a view, so this made a copy",
    "note.copy.index": "indexing with a list, tensor or mask copies the chosen elements (slices and single "
    "indices give views)",
    "note.view.of": "a view of {name}: same memory, nothing copied; writing to one changes the other",
    "note.view.of_temporary": "a view of {name}: same memory, nothing copied",
    "note.view.nothing_swapped": "{name} is {ndim}-D, so .T has no axes to swap: a view with the same shape {shape} "
    "(torch warns that .T is meant for 2-D tensors)",
    "note.view.transpose": "a view of {name} with its axes swapped {shape_in} → {shape_out}: same memory, nothing "
    "copied",
    "note.view.alias": "returns {name} itself: no new tensor, no copy",
    # in place
    "note.inplace.method": "changes {target} in place: its values are overwritten, no new tensor is made",
    "note.inplace.returns_self": "{result} is not a copy: it is the very same tensor as {target}",
    "note.inplace.setitem": "writes {value} into {target}[{index}] in place",
    "note.inplace.shared": "{names} {count:uses|use} the same memory, so {count:it sees|they see} the change too",
    "note.inplace.alias": "{names} {count:is another name|are other names} for this very tensor, so {count:it shows|they "
    "show} the change too",
    "note.inplace.unchanged": "{target} is unchanged: the call raised before writing anything",
    "note.inplace.leaf_grad": "{target} is unchanged: it is a leaf tensor that requires grad, and autograd forbids "
    "changing one in place; do it inside `with torch.no_grad():` (as optimizers do)",
    "note.inplace.op": "{target} {symbol} … changes {target} in place",
    "note.inplace.out": "out={target}: {method} writes its result into {target}, overwriting it in place",
    "note.not_inplace": "{target} is unchanged: {method}() returns a new tensor and this line does not store it "
    "(use {method}_() to change {target} in place)",
    "note.not_inplace_store": "{target} is unchanged: {method}() returns a new tensor and this line does not store it "
    "(store it: y = {target}.{method}(...))",
    # broadcasting and element-wise
    "note.broadcast.scalar": "the number {scalar} is combined with every element of {name}: the shape stays {shape}",
    "note.broadcast.shapes": "{a} {symbol} {b}: lined up from the right as {aligned_a} and {aligned_b} → result "
    "{result}",
    "note.broadcast.stretch": "{name} is repeated along {count:axis|axes} {axes}",
    "note.broadcast.rule": "rule: compare sizes from the right; each pair must be equal or one of them 1 (a missing "
    "axis counts as 1); size-1 axes are stretched to match",
    "note.elementwise.binary": "element by element: both are {shape}, matching positions are combined",
    "note.elementwise.unary": "{op} is applied to each element separately: the shape {shape} stays the same",
    # matmul
    "note.matmul.2d": "{a} @ {b} -> {result}: the inner sizes ({inner}) match and disappear; each result element is "
    "a row of {left} times a column of {right}, {inner:a single product|# products summed}",
    "note.matmul.dot": "{a} @ {b} -> (): both are 1-D, so this is a dot product: "
    "{inner:a single product|# products summed into one number}",
    "note.matmul.mv": "{a} @ {b} -> {result}: matrix times vector; {rows:its single row is|each of the # rows is} "
    "multiplied with the vector ({inner:a single product|# products summed})",
    "note.matmul.vm": "{a} @ {b} -> {result}: the 1-D left side acts as one row (1, {inner}); that extra axis is "
    "removed again",
    "note.matmul.batched": "{a} @ {b} -> {result}: the last two axes are multiplied as matrices (inner size "
    "{inner}); the leading batch axes are broadcast to {batch}",
    "note.matmul.bmm": "{a} @ {b} -> {result}: one matrix product per batch element (batch {batch}, inner size "
    "{inner}); bmm needs equal batch sizes and does not broadcast",
    # layers
    "note.linear.rows": "{x} {shape_x} @ {w}.T {shape_wt}{bias} -> {result}: {rows:the row's|each of the # rows'} "
    "{n_in:single input becomes|# inputs become} {n_out:# output|# outputs}",
    "note.linear.single": "{x} {shape_x} @ {w}.T {shape_wt}{bias} -> {result}: "
    "{n_in:the single input becomes|the # inputs become} {n_out:# output|# outputs}",
    "note.conv.filters": "{x} {shape_in} -> {result}: {filters:# filter|# filters} of size {kernel}, "
    "{filters:looking|each looking} at {channels:# input channel|# input channels}, "
    "{filters:gives # output channel|give # output channels}",
    "note.conv.size": "size per side ⌊(size + 2·padding − kernel) / stride⌋ + 1 → {sides}",
    "note.conv.size_ceil": "size per side ⌈(size + 2·padding − kernel) / stride⌉ + 1 (ceil_mode=True) → {sides}",
    "note.conv.size_dilated": "size per side ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 → {sides}",
    "note.conv.same": "padding='same' pads so that each side keeps its size: {sizes}",
    "note.pool.max": "{x} {shape_in} -> {result}: keeps the largest value of each {kernel} window (step {stride}), "
    "channel by channel",
    "note.pool.avg": "{x} {shape_in} -> {result}: averages each {kernel} window (step {stride}), channel by channel",
    # reductions
    "note.reduce.all": "{op}() over {count:the single element|all # elements} of {shape} → one value (shape ())",
    "note.reduce.dim": "{op}(dim={dim}) on {shape}: axis {axis} is reduced away → {result}",
    "note.reduce.dims": "{op}(dim={dim}) on {shape}: axes {axes:and} are reduced away → {result}",
    "note.reduce.per_column": "{op}(dim={dim}) on {shape}: axis {axis} is reduced away → {result}, one result per "
    "column ({n:# column|# columns})",
    "note.reduce.per_row": "{op}(dim={dim}) on {shape}: axis {axis} is reduced away → {result}, one result per row "
    "({n:# row|# rows})",
    "note.reduce.keepdim": "keepdim=True keeps {count:axis|axes} {axes:and} with size 1 → {result}, handy for "
    "broadcasting back",
    "note.reduce.values_indices": "returns two tensors: values {result} and indices {result} (where each {op} "
    "was found along {axes:and})",
    # dtypes
    "note.dtype.convert": "element type {src} → {dst}",
    "note.dtype.truncate": "{src} → {dst}: the fractional part is cut off (truncated toward zero, not rounded: "
    "3.7 → 3, -3.7 → -3)",
    "note.dtype.truncate_values": "converted to {dst}: {examples} (truncated toward zero, not rounded)",
    "note.dtype.truncate_seen": "{src} → {dst}: {examples} (the fractional part is cut off: truncated toward zero, "
    "not rounded)",
    "note.dtype.half_rounded": "rounded to the nearest float16 value: {examples}",
    "note.dtype.to_float": "converted to {dst}: whole numbers become floats",
    "note.dtype.half": "{src} → float16: only about 3 significant digits, largest value 65504",
    "note.dtype.type_string": "{type_name} means element type {dtype} (on the CPU)",
    "note.dtype.promotion": "{a} and {b} give {result}: promotion takes the higher kind (bool < int < float < "
    "complex) and, within one kind, a type wide enough for both",
    "note.dtype.scalar_float": "{a} combined with a Python float gives {result}, the default float type: a Python "
    "number changes a tensor's type only when it is of a higher kind (float beats int and bool)",
    "note.dtype.scalar_kind": "{a} combined with a Python {kind} gives {result}: a Python number changes a tensor's "
    "type only when it is of a higher kind (bool < int < float < complex)",
    "note.dtype.zero_dim_higher_kind": "{name} is a 0-d {other} tensor of a higher kind than {a}, so its type "
    "decides: {result}",
    "note.dtype.zero_dim_same_kind": "{name} is a 0-d {other} tensor: a 0-d tensor, like a Python number, does not "
    "widen the type within the same kind, so the result stays {result}",
    "note.dtype.comparison": "{a} {symbol} {b} gives bool: True or False for each element",
    "note.dtype.comparison_mixed": "{a} {symbol} {b} gives bool: True or False for each element (the values are "
    "compared as {compared})",
    "note.dtype.true_div": "/ always divides exactly: {a} / {b} gives {result}; use // for whole-number (floor) "
    "division",
    "note.dtype.floor_div": "// rounds down (floor) and keeps the type {result}",
    "note.dtype.float_op": "{src} input gives {dst}: {op} produces fractions",
    "note.dtype.sum_int": "{op}() of {src} values gives int64, a wider type, so results too large for {src} still fit",
    "note.dtype.sum_bool": "{op}() of bool values counts with int64 (True is 1, False is 0)",
    "note.dtype.same": "nothing to convert ({dtype} on {device} already): {name} itself is returned, no copy",
    "note.default.float": "Python floats → {dtype}, PyTorch's default float type (Python's own floats are 64-bit)",
    "note.default.int": "Python ints → int64",
    "note.default.mixed": "ints mixed with floats → {dtype}: one float makes the whole tensor float",
    "note.default.bool": "Python bools → torch.bool",
    "note.default.numpy": "keeps the NumPy element type {dtype}",
    "note.default.numpy_float64": "keeps the NumPy element type {dtype}: NumPy's default float64 is not turned into "
    "PyTorch's default {default}",
    "note.default.legacy": "torch.Tensor(...) always makes the default float type, now {dtype}, whatever the data",
    "note.default.legacy_typed": "{ctor} always makes {dtype}",
    "note.default.factory_float": "no dtype given: {dtype}, PyTorch's default float type",
    "note.default.arange_int": "all arguments are ints → int64",
    "note.default.arange_float": "a float argument → {dtype}",
    "note.default.full": "fill_value {value} is a Python {type_name}, so the element type is {dtype}",
    "note.default.randint": "randint gives int64 unless a dtype is given",
    "note.default.like": "takes shape {shape} and element type {dtype} from {name} (not its values)",
    "note.default.keeps": "keeps {name}'s element type {dtype}",
    "note.dtype_explicit": "dtype={dtype} is given, so the default for this data ({default}) is not used",
    "note.dtype_explicit_same": "dtype={dtype} is given: the same type this data gets by default",
    # ranges
    "note.halfopen.arange": "starts at {start} and stops before {end}: {values} ({count:# value|# values}; "
    "{end} itself is excluded)",
    "note.halfopen.randint": "whole numbers from {low} to {last}: high={high} is never drawn",
    "note.linspace.one": "steps=1 gives a single value, the start {start}; the end is not reached",
    "note.linspace.both_ends": "includes both ends {start} and {end}: {steps:# value|# values}, step ({end} − {start}) / "
    "({steps} − 1) = {step}",
    "note.uninitialized": "the values are whatever bytes were already in memory (not necessarily zeros; they can be "
    "huge or NaN): fill the tensor before using it",
    # random numbers
    "note.rng.draw": "drew {count:# random value|# random values} from the default generator; seed in force: {seed}",
    "note.rng.draw_own": "drew {count:# random value|# random values} from the generator {name}; the default "
    "generator is not touched",
    "note.rng.permutation": "a random order of 0 … {last}, drawn from the default generator; seed in force: {seed}",
    "note.rng.dropout_eval": "dropout with training=False does nothing: no element is zeroed, no random number drawn",
    "note.rng.seeded": "torch.manual_seed in this cell set that seed, so these numbers repeat on every run",
    "note.rng.unseeded": "the seed was not set in this cell: call torch.manual_seed(n) first to get the same numbers "
    "on every run",
    "note.rng.manual_seed": "sets the seed to {seed}: the random calls after this give the same numbers on every run",
    "note.rng.initial_seed": "reads the seed in force ({seed}); reading it draws no random numbers",
    "note.rng.seed": "picks a new unpredictable seed ({seed})",
    # item
    "note.item.value": "takes the single value out of {name} as a plain Python {type_name}: {value}",
    "note.item.widened": "takes the single value out of {name} as a Python float: {value}. That is the {dtype} "
    "number nearest to {short} ({short} cannot be stored exactly), written with all the digits of Python's 64-bit "
    "float",
    "note.item.error": "item() needs exactly one element, but {name} has {count} (shape {shape}): index one "
    "element first, or use .tolist()",
    # errors
    "note.error.broadcast": "shapes {a} and {b} cannot be broadcast: lined up from the right, axis {axis} has "
    "sizes {x} and {y}, and neither is 1",
    "note.error.matmul": "{a} @ {b}: the inner sizes differ ({k1} vs {k2}); the last size of the left side must "
    "equal the first size of the right side",
    "note.error.matmul_batched": "{a} @ {b}: the inner sizes differ ({k1} vs {k2}); the last size of the left side "
    "must equal the second-to-last size of the right side",
    "note.error.cat": "{op} needs equal sizes in every axis except {dim}: shapes {shapes}; axis {axis} differs "
    "({sizes})",
    "note.error.stack": "stack needs every tensor to have the same shape (it adds a new axis): shapes {shapes}",
    "note.error.view": "view{request} needs {need:# element|# elements}, but {name} has {have} (shape {shape})",
    "note.error.view_layout": "view() needs a compatible memory layout and {name} is not contiguous: use "
    ".reshape(...) (copies when needed) or .contiguous().view(...)",
    "note.error.linear": "{x} {shape_x} has {have:# value|# values} in its last axis, but the layer's weight {w} {shape_w} "
    "expects {need} (a Linear({need}, {out}) layer): the last size of the input must equal in_features",
    "note.error.conv": "{x} {shape_in} has {have:# channel|# channels} (axis {axis}), but the filters {shape_w} "
    "expect {need:# input channel|# input channels}: the input's channel count must equal in_channels",
    "note.error.generic": "raised {error}",
    # autograd and the training loop
    "note.backward.leaves": "gradients flowed back to {count:# leaf tensor|# leaf tensors}: {leaves}; each .grad "
    "has the shape of its tensor",
    "note.backward.nonleaf": "{names} {count:is not a leaf|are not leaves} (made by operations): {count:its|their} "
    ".grad stays None unless you call .retain_grad() before backward()",
    "note.backward.freed": "the graph is freed after backward(): a second backward() through it raises (pass "
    "retain_graph=True to keep it)",
    "note.backward.twice": "the graph behind {name} was already freed by an earlier backward(): recompute {name}, or "
    "pass retain_graph=True to the first backward()",
    "note.backward.not_scalar": "backward() needs a single number (a loss), but {name} has shape {shape}: reduce it "
    "first (.sum() or .mean()) or pass gradient=",
    "note.backward.no_graph": "{name} does not require grad and has no grad_fn: no graph was recorded (made inside "
    "torch.no_grad(), or from tensors that do not require grad)",
    "note.grad.added": "{names} already had .grad: this backward() added to {count:it|them}; gradients add up until "
    "zero_grad() (or .grad = None) clears them",
    "note.grad.added_norm": "{names} already had .grad: this backward() added to {count:it|them} (norm of {name}'s "
    "gradient {before} → {after}); gradients add up until zero_grad() clears them",
    "note.grad.loop_adds": "this line ran {total:once|# times}, and {count:once|# times} it added to gradients left by "
    "its previous run: there is no zero_grad() between them",
    "note.zero_grad.nothing": "{owner}.zero_grad(): none of its {total:# parameter|# parameters} had a gradient yet, "
    "so there was nothing to clear",
    "note.zero_grad.none": "{owner}.zero_grad() set .grad to None on {count:# parameter|# parameters} (of {total}): "
    "the next backward() starts from fresh gradients",
    "note.zero_grad.zero": "{owner}.zero_grad(set_to_none=False) filled .grad with zeros on {count:# parameter|# "
    "parameters} (of {total}), in place",
    "note.step.changed": "{owner}.step() changed {changed:# parameter tensor|# parameter tensors} (of {total}) in "
    "place; the largest change of one element was {largest}",
    "note.step.unmeasured": "{owner}.step() updated the parameters in place ({total:# tensor|# tensors}; the changes "
    "are not measured on this device)",
    "note.step.rule_sgd": "SGD's rule: p ← p − lr · p.grad, with lr={lr}",
    "note.step.rule_momentum": "SGD with momentum: v ← momentum · v + p.grad, then p ← p − lr · v (lr={lr}, "
    "momentum={momentum})",
    "note.step.rule_adam": "Adam's rule: each element moves against a running average of its gradients, divided "
    "by the square root of a running average of their squares (lr={lr}, betas=({betas}))",
    "note.step.rule_other": "{optimizer} updates each parameter from its .grad (lr={lr})",
    "note.step.no_grad": "{count:# parameter tensor|# parameter tensors} had no .grad (not reached by the last "
    "backward()) and {count:was|were} left as {count:it was|they were}",
    "note.no_grad.off": "inside torch.no_grad(): the result records no graph (requires_grad=False, no grad_fn), "
    "although {name} requires grad",
    "note.no_grad.inplace": "inside torch.no_grad(): {name} is changed in place and the change is not recorded in "
    "the graph; {name} still requires grad and stays a leaf (this is how optimizers update parameters)",
    "note.no_grad.inference": "inside torch.inference_mode(): the result records no graph although {name} requires "
    "grad, and it is an inference tensor (it cannot be used in autograd later)",
    "note.requires_grad.propagates": "requires grad because {name} does: autograd recorded {grad_fn} to compute "
    "gradients in backward()",
    "note.graph.detach": "detach() shares {name}'s memory but leaves the graph: the result does not require grad, "
    "and no gradient flows back through it",
    "note.graph.clone": "clone() copies {name} into new memory but stays in the graph ({grad_fn}): gradients flow "
    "back through it",
    "note.graph.item": "item() gives a plain Python number: it is outside the graph, no gradient flows through it",
    "note.graph.numpy": "numpy() refuses a tensor that requires grad: use {name}.detach().numpy() (the same memory, "
    "outside the graph)",
    "note.join.cat": "cat joins {count:# tensor|# tensors} ({shapes}) along the existing axis {dim} → {result}; the "
    "other axes must match; the result is new memory",
    "note.join.stack": "stack puts {count:# tensor|# tensors} ({shapes}) along a new axis {dim} → {result}; all "
    "shapes must be equal; the result is new memory",
    "note.softmax.probabilities": "{op}(dim={dim}) on {shape}: each slice along axis {dim} becomes probabilities "
    "between 0 and 1 that sum to 1; the largest input stays the largest",
    "note.softmax.probabilities_sums": "{op}(dim={dim}) on {shape}: each slice along axis {dim} becomes probabilities "
    "between 0 and 1 that sum to 1 (sums here: {sums}); the largest input stays the largest",
    "note.softmax.log": "{op}(dim={dim}) on {shape}: the log of softmax's probabilities: exp() of each slice along "
    "axis {dim} sums to 1",
    "note.softmax.log_sums": "{op}(dim={dim}) on {shape}: the log of softmax's probabilities: exp() of each slice "
    "along axis {dim} sums to 1 (sums here: {sums})",
    "note.loss.cross_entropy": "cross_entropy takes raw scores (logits) {x} {shape_x}, {n:# sample|# samples} × "
    "{classes:# class|# classes}, and class indices {t} {shape_t} (int64); it applies log_softmax itself and "
    "returns the mean over the {n:sample|# samples}",
    "note.loss.cross_entropy_soft": "{t} has the shape of the scores and is float: cross_entropy reads each row as "
    "class probabilities (each row should sum to 1)",
    "note.loss.softmax_twice": "the rows of {x} already sum to 1, like probabilities: cross_entropy applies softmax "
    "again, so pass the raw scores (before softmax) instead",
    "note.loss.target_dtype": "the class indices {t} are {dtype}, but cross_entropy needs int64 (Long) indices: use "
    "{t}.long()",
    "note.loss.target_range": "{t} holds a class index outside 0 … {classes} − 1: there are only {classes} classes",
    "note.loss.broadcast": "{op}: input {a} and target {t} {b} differ in shape, so they are broadcast to {shape} "
    "before the difference: every prediction is compared with every target (torch warns). Make the shapes equal, "
    "e.g. with .squeeze(1) or .unsqueeze(1)",
    "note.nonfinite.count": "{count:# result is|# results are} not finite ({nan} NaN, {inf} ±Inf; the first at index "
    "{index}) although the inputs were all finite",
    "note.nonfinite.why_log": "log(0) is −inf and the log of a negative number is NaN",
    "note.nonfinite.why_sqrt": "the square root of a negative number is NaN",
    "note.nonfinite.why_exp": "exp overflows to inf: above about 88.7 in float32 (709.8 in float64)",
    "note.nonfinite.why_div": "x / 0 is ±inf, and 0 / 0 is NaN",
    "note.nonfinite.wrapped": "{count:# result|# results} wrapped around: {dtype} cannot hold the true value, so "
    "{a} {symbol} {b} gives {got}",
    "note.nonfinite.squeeze": "squeeze({dim}) changes nothing: axis {dim} has size {size}, and squeeze only removes "
    "axes of size 1; the shape stays {shape}",
    "note.layer.call": "{path} {summary}, {parameters:# parameter|# parameters}: {shape_in} → {shape_out}",
}

ZH = {
    # frame
    "explain.title": "%%explain · {lines} 行代码中共有 {calls:,} 处 torch 调用",
    "explain.none": "%%explain · 这个单元格没有调用 torch",
    "explain.more": "… 还有 {count} 行未显示（%config TensorMagic.max_lines = {limit}）",
    "explain.incomplete": "tensormagic：解释不完整（{error}）；单元格本身的结果不受影响",
    "explain.times": "×{count}",
    "explain.shapes": "形状：第一次 {first}，最后一次 {last}",
    "explain.failed": "单元格因 {error} 停止；上面的调用是在出错之前执行的",
    "explain.call_failed": "出错：{error}",
    "explain.call_failed_some": "出错：{error}（{count} 次调用中有 {errors} 次）",
    "explain.python_value": "Python {type_name} {value}",
    "explain.tuple": "{count} 个张量：{shapes}",
    "explain.no_value": "{type_name}",
    "explain.line": "行",
    "explain.code": "代码",
    "explain.what": "发生了什么",
    "explain.forward": "{call}：{kind} 的前向传播，{calls} 次层调用",
    "explain.forward_runs": "{call}：{kind} 的前向传播，{calls} 次层调用，共执行 {runs:,} 次",
    "explain.forward_shapes": "{head}，{shape_in} → {shape_out}",
    # memory
    "note.shares.from_numpy": "与 NumPy 数组 {name} 共享内存：没有复制数据，修改其中一个，另一个也会跟着变",
    "note.shares.numpy": "得到的 NumPy 数组与 {name} 共享内存：没有复制数据，修改其中一个，另一个也会跟着变",
    "note.shares.generic": "与 {name} 共享内存：没有复制数据，修改其中一个，另一个也会跟着变",
    "note.shares.now": "现在这些变量使用同一块内存：{names}",
    "note.shares.through": "通过临时对象 {expression} 与 {names} 共享内存：没有复制数据，修改其中一个，另一个也会跟着变",
    "note.shares.temporary": "使用 {expression} 的内存，这是一个没有任何变量引用的临时对象：它与 {names} 互不影响",
    "note.shares.temporary_alone": "使用 {expression} 的内存，这是一个没有任何变量引用的临时对象",
    "note.shares.expression": "使用 {expression} 所得数组的内存：没有复制数据",
    "note.copy.then_copy": "… 随后 .copy() 复制出一份独立的数组，所以保存下来的结果不再与 {name} 共享内存",
    "note.copy.from": "复制了 {name}：新张量拥有自己的内存，之后修改 {name} 不会影响它（反过来也一样）",
    "note.copy.clone": "{name} 的一份拷贝，拥有自己的内存",
    "note.copy.converted": "把 {expression} 的数据转换到新的内存中：这个张量不与其他任何对象共享内存",
    "note.copy.layout": "{name} 的内存布局无法直接做视图，所以这里复制了一份",
    "note.copy.index": "用列表、张量或布尔掩码做索引会复制选中的元素（切片和单个下标得到的是视图）",
    "note.view.of": "是 {name} 的视图：内存相同，没有复制；修改其中一个，另一个也会变",
    "note.view.of_temporary": "是 {name} 的视图：内存相同，没有复制",
    "note.view.nothing_swapped": "{name} 是 {ndim} 维张量，.T 没有可以交换的轴：得到形状相同的视图 {shape}"
    "（torch 会警告 .T 只适用于二维张量）",
    "note.view.transpose": "是 {name} 交换轴后的视图 {shape_in} → {shape_out}：内存相同，没有复制",
    "note.view.alias": "直接返回 {name} 本身：没有新张量，也没有复制",
    # in place
    "note.inplace.method": "原地修改 {target}：直接改写它的数值，不创建新张量",
    "note.inplace.returns_self": "{result} 不是拷贝：它和 {target} 是同一个张量",
    "note.inplace.setitem": "原地把 {value} 写入 {target}[{index}]",
    "note.inplace.shared": "{names} 使用同一块内存，所以{count:它|它们}也能看到这一改动",
    "note.inplace.alias": "{names} 是同一个张量的另一个名字，所以{count:它|它们}也会显示这一改动",
    "note.inplace.unchanged": "{target} 没有变：调用在写入任何数据之前就出错了",
    "note.inplace.leaf_grad": "{target} 没有变：它是需要梯度的叶子张量，autograd 不允许原地修改它；"
    "请在 `with torch.no_grad():` 中修改（优化器就是这样做的）",
    "note.inplace.op": "{target} {symbol} … 原地修改了 {target}",
    "note.inplace.out": "out={target}：{method} 把结果直接写入 {target}，原地覆盖它",
    "note.not_inplace": "{target} 没有变：{method}() 返回一个新张量，而这一行没有保存它（想原地修改 {target} 请用 "
    "{method}_()）",
    "note.not_inplace_store": "{target} 没有变：{method}() 返回一个新张量，而这一行没有保存它"
    "（请把结果保存下来：y = {target}.{method}(...)）",
    # broadcasting and element-wise
    "note.broadcast.scalar": "数字 {scalar} 与 {name} 的每个元素分别计算：形状仍是 {shape}",
    "note.broadcast.shapes": "{a} {symbol} {b}：从右往左对齐成 {aligned_a} 和 {aligned_b} → 结果 {result}",
    "note.broadcast.stretch": "{name} 沿第 {axes} 轴被重复{count:|（共 # 个轴）}",
    "note.broadcast.rule": "规则：从最右边的维度开始比较，每一对大小必须相等或其中一个为 1"
    "（缺少的维度当作 1）；大小为 1 的维度会被拉伸",
    "note.elementwise.binary": "逐元素计算：两者形状都是 {shape}，相同位置的元素两两计算",
    "note.elementwise.unary": "{op} 分别作用于每个元素：形状 {shape} 不变",
    # matmul
    "note.matmul.2d": "{a} @ {b} -> {result}：内侧大小（{inner}）相同并被消去；"
    "结果的每个元素是 {left} 的一行乘以 {right} 的一列，{inner:只有一个乘积|# 个乘积相加}",
    "note.matmul.dot": "{a} @ {b} -> ()：两者都是一维，这是点积：{inner:只有一个乘积|# 个乘积相加得到一个数}",
    "note.matmul.mv": "{a} @ {b} -> {result}：矩阵乘向量；{rows:唯一的一行|# 行中的每一行分别}与向量相乘"
    "（{inner:只有一个乘积|# 个乘积相加}）",
    "note.matmul.vm": "{a} @ {b} -> {result}：左边的一维张量被当作一行 (1, {inner})，计算后再去掉这个多出的维度",
    "note.matmul.batched": "{a} @ {b} -> {result}：最后两个维度按矩阵相乘（内侧大小 {inner}）；前面的批量维度按广播规则"
    "对齐为 {batch}",
    "note.matmul.bmm": "{a} @ {b} -> {result}：每个批量元素各做一次矩阵乘法（批量 {batch}，内侧大小 {inner}）；"
    "bmm 要求批量大小相同，不做广播",
    # layers
    "note.linear.rows": "{x} {shape_x} @ {w}.T {shape_wt}{bias} -> {result}：{rows:这一行|# 行中每一行}的 {n_in} "
    "个输入变成 {n_out} 个输出",
    "note.linear.single": "{x} {shape_x} @ {w}.T {shape_wt}{bias} -> {result}：{n_in} 个输入变成 {n_out} 个输出",
    "note.conv.filters": "{x} {shape_in} -> {result}：{filters} 个大小为 {kernel} 的卷积核，{filters:它|每个都}看 "
    "{channels} 个输入通道，得到 {filters} 个输出通道",
    "note.conv.size": "每条边的输出大小 ⌊(大小 + 2·padding − kernel) / stride⌋ + 1 → {sides}",
    "note.conv.size_ceil": "每条边的输出大小 ⌈(大小 + 2·padding − kernel) / stride⌉ + 1（ceil_mode=True）→ {sides}",
    "note.conv.size_dilated": "每条边的输出大小 ⌊(大小 + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 → "
    "{sides}",
    "note.conv.same": "padding='same' 会补边，使每条边的大小保持不变：{sizes}",
    "note.pool.max": "{x} {shape_in} -> {result}：在每个通道上，取每个 {kernel} 窗口中的最大值（步长 {stride}）",
    "note.pool.avg": "{x} {shape_in} -> {result}：在每个通道上，对每个 {kernel} 窗口求平均（步长 {stride}）",
    # reductions
    "note.reduce.all": "{op}() 作用于 {shape} 的{count:唯一一个元素|全部 # 个元素} → 一个值（形状 ()）",
    "note.reduce.dim": "{op}(dim={dim}) 作用于 {shape}：第 {axis} 轴被归约消去 → {result}",
    "note.reduce.dims": "{op}(dim={dim}) 作用于 {shape}：第 {axes:、} 轴被归约消去 → {result}",
    "note.reduce.per_column": "{op}(dim={dim}) 作用于 {shape}：第 {axis} 轴被归约消去 → {result}，"
    "每一列得到一个结果（共 {n} 列）",
    "note.reduce.per_row": "{op}(dim={dim}) 作用于 {shape}：第 {axis} 轴被归约消去 → {result}，"
    "每一行得到一个结果（共 {n} 行）",
    "note.reduce.keepdim": "keepdim=True 保留第 {axes:、} 轴（大小变为 1{count:|，共 # 个轴}）→ {result}，方便再广播回去",
    "note.reduce.values_indices": "返回两个张量：数值 values {result} 和下标 indices {result}"
    "（每个 {op} 在第 {axes:、} 轴上的位置）",
    # dtypes
    "note.dtype.convert": "元素类型 {src} → {dst}",
    "note.dtype.truncate": "{src} → {dst}：小数部分被直接截掉（向零截断，不是四舍五入：3.7 → 3，-3.7 → -3）",
    "note.dtype.truncate_values": "转换为 {dst}：{examples}（向零截断，不是四舍五入）",
    "note.dtype.truncate_seen": "{src} → {dst}：{examples}（小数部分被直接截掉：向零截断，不是四舍五入）",
    "note.dtype.half_rounded": "舍入到最接近的 float16 值：{examples}",
    "note.dtype.to_float": "转换为 {dst}：整数变成浮点数",
    "note.dtype.half": "{src} → float16：只有大约 3 位有效数字，最大值 65504",
    "note.dtype.type_string": "{type_name} 表示元素类型 {dtype}（在 CPU 上）",
    "note.dtype.promotion": "{a} 与 {b} 计算得到 {result}：类型提升取更高的类别（bool < 整数 < 浮点 < 复数），"
    "同一类别内取足以容纳两者的类型",
    "note.dtype.scalar_float": "{a} 与 Python 浮点数计算得到默认浮点类型 {result}：Python 数字只有在类别更高时"
    "（浮点高于整数和布尔）才会改变张量的类型",
    "note.dtype.scalar_kind": "{a} 与 Python {kind} 计算得到 {result}：Python 数字只有在类别更高时"
    "（bool < 整数 < 浮点 < 复数）才会改变张量的类型",
    "note.dtype.zero_dim_higher_kind": "{name} 是 0 维的 {other} 张量，类别高于 {a}，所以由它的类型决定：{result}",
    "note.dtype.zero_dim_same_kind": "{name} 是 0 维的 {other} 张量：0 维张量和 Python 数字一样，在同一类别内不会"
    "把类型变宽，所以结果仍是 {result}",
    "note.dtype.comparison": "{a} {symbol} {b} 得到布尔张量：每个元素是 True 或 False",
    "note.dtype.comparison_mixed": "{a} {symbol} {b} 得到布尔张量：每个元素是 True 或 False（数值按 {compared} 比较）",
    "note.dtype.true_div": "/ 总是做精确除法：{a} / {b} 得到 {result}；想要整数（向下取整）除法请用 //",
    "note.dtype.floor_div": "// 向下取整，类型保持 {result}",
    "note.dtype.float_op": "输入是 {src}，结果是 {dst}：{op} 会产生小数",
    "note.dtype.sum_int": "对 {src} 做 {op}() 得到更宽的 int64，超出 {src} 范围的结果也能放下",
    "note.dtype.sum_bool": "对布尔值做 {op}() 用 int64 计数（True 为 1，False 为 0）",
    "note.dtype.same": "无需转换（已经是 {device} 上的 {dtype}）：直接返回 {name} 本身，没有复制",
    "note.default.float": "Python 浮点数 → {dtype}，PyTorch 默认的浮点类型（Python 自己的浮点数是 64 位的）",
    "note.default.int": "Python 整数 → int64",
    "note.default.mixed": "整数和浮点数混在一起 → {dtype}：只要有一个浮点数，整个张量就是浮点类型",
    "note.default.bool": "Python 布尔值 → torch.bool",
    "note.default.numpy": "保留 NumPy 的元素类型 {dtype}",
    "note.default.numpy_float64": "保留 NumPy 的元素类型 {dtype}：NumPy 默认的 float64 不会变成 PyTorch 默认的 {default}",
    "note.default.legacy": "torch.Tensor(...) 总是创建默认浮点类型（当前为 {dtype}）的张量，与数据类型无关",
    "note.default.legacy_typed": "{ctor} 总是创建 {dtype} 张量",
    "note.default.factory_float": "没有指定 dtype：使用 PyTorch 默认的浮点类型 {dtype}",
    "note.default.arange_int": "参数全是整数 → int64",
    "note.default.arange_float": "有浮点数参数 → {dtype}",
    "note.default.full": "fill_value {value} 是 Python {type_name}，所以元素类型是 {dtype}",
    "note.default.randint": "randint 默认生成 int64（除非指定 dtype）",
    "note.default.like": "从 {name} 取形状 {shape} 和元素类型 {dtype}（不取它的数值）",
    "note.default.keeps": "保留 {name} 的元素类型 {dtype}",
    "note.dtype_explicit": "指定了 dtype={dtype}，所以不使用这类数据的默认类型（{default}）",
    "note.dtype_explicit_same": "指定了 dtype={dtype}：与这类数据默认得到的类型相同",
    # ranges
    "note.halfopen.arange": "从 {start} 开始，到 {end} 之前停止：{values}"
    "（共 {count} 个值；不包含 {end} 本身，左闭右开）",
    "note.halfopen.randint": "取 {low} 到 {last} 的整数：high={high} 永远不会取到（左闭右开）",
    "note.linspace.one": "steps=1 只得到一个值，即起点 {start}；不会到达终点",
    "note.linspace.both_ends": "包含两端 {start} 和 {end}（左闭右闭）：共 {steps} 个值，"
    "步长 ({end} − {start}) / ({steps} − 1) = {step}",
    "note.uninitialized": "数值是内存里原有的字节（不一定是 0，可能非常大或是 NaN）：使用前请先填充",
    # random numbers
    "note.rng.draw": "从默认随机数生成器取了 {count:,} 个随机值；当前随机种子：{seed}",
    "note.rng.draw_own": "从生成器 {name} 取了 {count:,} 个随机值；默认生成器没有被使用",
    "note.rng.permutation": "0 … {last} 的一个随机排列，由默认随机数生成器产生；当前随机种子：{seed}",
    "note.rng.dropout_eval": "training=False 时 dropout 什么也不做：不会把元素置零，也不取随机数",
    "note.rng.seeded": "这个单元格里的 torch.manual_seed 设置了这个种子，所以每次运行得到的数都一样",
    "note.rng.unseeded": "这个单元格没有设置种子：先调用 torch.manual_seed(n)，每次运行才能得到相同的数",
    "note.rng.manual_seed": "把随机种子设为 {seed}：之后的随机调用每次运行都得到相同的数",
    "note.rng.initial_seed": "读取当前的随机种子（{seed}）；读取种子不会消耗随机数",
    "note.rng.seed": "选取一个新的、不可预测的随机种子（{seed}）",
    # item
    "note.item.value": "把 {name} 里唯一的值取出来，变成普通的 Python {type_name}：{value}",
    "note.item.widened": "把 {name} 里唯一的值取出来，变成 Python 浮点数：{value}。这是最接近 {short} 的 {dtype} 数"
    "（{short} 无法被精确存储），这里用 Python 64 位浮点数的全部位数写出",
    "note.item.error": "item() 要求张量只有一个元素，但 {name} 有 {count} 个（形状 {shape}）："
    "先用下标取出一个元素，或使用 .tolist()",
    # errors
    "note.error.broadcast": "形状 {a} 和 {b} 无法广播：从右往左对齐后，第 {axis} 轴的大小分别是 {x} 和 {y}，且都不为 1",
    "note.error.matmul": "{a} @ {b}：内侧大小不同（{k1} 与 {k2}）；左边的最后一个大小必须等于右边的第一个大小",
    "note.error.matmul_batched": "{a} @ {b}：内侧大小不同（{k1} 与 {k2}）；"
    "左边的最后一个大小必须等于右边的倒数第二个大小",
    "note.error.cat": "{op} 要求除第 {dim} 轴外其余各轴大小相同：形状 {shapes}；第 {axis} 轴不同（{sizes}）",
    "note.error.stack": "stack 要求所有张量形状完全相同（它会新增一个轴）：形状 {shapes}",
    "note.error.view": "view{request} 需要 {need} 个元素，但 {name} 有 {have} 个（形状 {shape}）",
    "note.error.view_layout": "view() 需要兼容的内存布局，而 {name} 不是连续存储的："
    "请用 .reshape(...)（必要时会复制）或 .contiguous().view(...)",
    "note.error.linear": "{x} {shape_x} 的最后一个轴有 {have} 个值，但这一层的权重 {w} {shape_w} 需要 {need} 个"
    "（Linear({need}, {out}) 层）：输入的最后一个大小必须等于 in_features",
    "note.error.conv": "{x} {shape_in} 有 {have} 个通道（第 {axis} 轴），但卷积核 {shape_w} 需要 {need} 个输入通道："
    "输入的通道数必须等于 in_channels",
    "note.error.generic": "出错：{error}",
    # autograd and the training loop
    "note.backward.leaves": "梯度反向传播到了 {count} 个叶子张量：{leaves}；每个 .grad 的形状与对应张量相同",
    "note.backward.nonleaf": "{names} 不是叶子张量（由运算得到）：除非在 backward() 之前调用 .retain_grad()，"
    "{count:它|它们}的 .grad 一直是 None",
    "note.backward.freed": "backward() 之后计算图被释放：再对它调用一次 backward() 会报错"
    "（传入 retain_graph=True 可以保留计算图）",
    "note.backward.twice": "{name} 背后的计算图已被之前的 backward() 释放：请重新计算 {name}，"
    "或在第一次 backward() 时传入 retain_graph=True",
    "note.backward.not_scalar": "backward() 需要一个数（损失），但 {name} 的形状是 {shape}："
    "先把它归约成一个数（.sum() 或 .mean()），或者传入 gradient=",
    "note.backward.no_graph": "{name} 不需要梯度，也没有 grad_fn：没有记录计算图"
    "（它是在 torch.no_grad() 中得到的，或由不需要梯度的张量算出）",
    "note.grad.added": "{names} 已经有 .grad：这次 backward() 把梯度加到了{count:它|它们}上面；"
    "在 zero_grad()（或 .grad = None）清除之前，梯度会一直累加",
    "note.grad.added_norm": "{names} 已经有 .grad：这次 backward() 把梯度加到了{count:它|它们}上面"
    "（{name} 的梯度范数 {before} → {after}）；在 zero_grad() 清除之前，梯度会一直累加",
    "note.grad.loop_adds": "这一行运行了 {total} 次，其中 {count} 次把梯度加到了上一次留下的梯度上：两次之间没有 zero_grad()",
    "note.zero_grad.nothing": "{owner}.zero_grad()：它的 {total} 个参数都还没有梯度，没有什么可清除的",
    "note.zero_grad.none": "{owner}.zero_grad() 把 {count} 个参数（共 {total} 个）的 .grad 设为 None："
    "下一次 backward() 从新的梯度开始",
    "note.zero_grad.zero": "{owner}.zero_grad(set_to_none=False) 把 {count} 个参数（共 {total} 个）的 .grad 原地填为 0",
    "note.step.changed": "{owner}.step() 原地修改了 {changed} 个参数张量（共 {total} 个）；单个元素最大的变化是 {largest}",
    "note.step.unmeasured": "{owner}.step() 原地更新了参数（{total} 个张量；在这个设备上不测量变化）",
    "note.step.rule_sgd": "SGD 的更新规则：p ← p − lr · p.grad，lr={lr}",
    "note.step.rule_momentum": "带动量的 SGD：v ← momentum · v + p.grad，然后 p ← p − lr · v（lr={lr}，momentum={momentum}）",
    "note.step.rule_adam": "Adam 的更新规则：每个元素沿梯度的滑动平均的反方向移动，再除以梯度平方的滑动平均的平方根"
    "（lr={lr}，betas=({betas})）",
    "note.step.rule_other": "{optimizer} 根据每个参数的 .grad 更新它（lr={lr}）",
    "note.step.no_grad": "{count} 个参数张量没有 .grad（上一次 backward() 没有到达它们），保持不变",
    "note.no_grad.off": "在 torch.no_grad() 中：虽然 {name} 需要梯度，结果也不记录计算图（requires_grad=False，没有 grad_fn）",
    "note.no_grad.inplace": "在 torch.no_grad() 中：原地修改了 {name}，这一改动不记录到计算图中；"
    "{name} 仍然需要梯度，仍是叶子张量（优化器就是这样更新参数的）",
    "note.no_grad.inference": "在 torch.inference_mode() 中：虽然 {name} 需要梯度，结果也不记录计算图，"
    "而且它是推理张量（之后不能用于 autograd）",
    "note.requires_grad.propagates": "因为 {name} 需要梯度，结果也需要梯度：autograd 记录了 {grad_fn}，"
    "用于在 backward() 中计算梯度",
    "note.graph.detach": "detach() 与 {name} 共享内存，但脱离了计算图：结果不需要梯度，梯度不会经过它反向传播",
    "note.graph.clone": "clone() 把 {name} 复制到新的内存，但仍在计算图中（{grad_fn}）：梯度会经过它反向传播",
    "note.graph.item": "item() 得到普通的 Python 数字：它在计算图之外，梯度不会经过它",
    "note.graph.numpy": "对需要梯度的张量，numpy() 会拒绝：请用 {name}.detach().numpy()（同一块内存，在计算图之外）",
    "note.join.cat": "cat 沿已有的第 {dim} 轴拼接 {count} 个张量（{shapes}）→ {result}；其余各轴必须一致；结果是新的内存",
    "note.join.stack": "stack 沿新增的第 {dim} 轴堆叠 {count} 个张量（{shapes}）→ {result}；所有形状必须相同；结果是新的内存",
    "note.softmax.probabilities": "{op}(dim={dim}) 作用于 {shape}：沿第 {dim} 轴的每个切片变成 0 到 1 之间、"
    "和为 1 的概率；最大的输入仍然最大",
    "note.softmax.probabilities_sums": "{op}(dim={dim}) 作用于 {shape}：沿第 {dim} 轴的每个切片变成 0 到 1 之间、"
    "和为 1 的概率（这里的和：{sums}）；最大的输入仍然最大",
    "note.softmax.log": "{op}(dim={dim}) 作用于 {shape}：softmax 概率的对数：沿第 {dim} 轴的每个切片取 exp() 后和为 1",
    "note.softmax.log_sums": "{op}(dim={dim}) 作用于 {shape}：softmax 概率的对数：沿第 {dim} 轴的每个切片取 exp() "
    "后和为 1（这里的和：{sums}）",
    "note.loss.cross_entropy": "cross_entropy 接收原始分数（logits）{x} {shape_x}（{n} 个样本 × {classes} 个类别）"
    "和类别下标 {t} {shape_t}（int64）；它自己先做 log_softmax，返回 {n} 个样本的平均值",
    "note.loss.cross_entropy_soft": "{t} 与分数形状相同且是浮点数：cross_entropy 把每一行当作类别概率（每行的和应为 1）",
    "note.loss.softmax_twice": "{x} 的每一行已经和为 1，像是概率：cross_entropy 会再做一次 softmax，"
    "请传入 softmax 之前的原始分数",
    "note.loss.target_dtype": "类别下标 {t} 是 {dtype}，但 cross_entropy 需要 int64（Long）下标：请用 {t}.long()",
    "note.loss.target_range": "{t} 里有超出 0 … {classes} − 1 的类别下标：一共只有 {classes} 个类别",
    "note.loss.broadcast": "{op}：输入 {a} 和目标 {t} {b} 形状不同，相减之前会被广播成 {shape}："
    "每个预测都与每个目标比较（torch 会给出警告）。请让形状一致，例如用 .squeeze(1) 或 .unsqueeze(1)",
    "note.nonfinite.count": "{count} 个结果不是有限数（{nan} 个 NaN，{inf} 个 ±Inf；第一个在下标 {index}），而输入全是有限数",
    "note.nonfinite.why_log": "log(0) 是 −inf，负数的对数是 NaN",
    "note.nonfinite.why_sqrt": "负数的平方根是 NaN",
    "note.nonfinite.why_exp": "exp 溢出为 inf：float32 中超过约 88.7（float64 中超过 709.8）",
    "note.nonfinite.why_div": "x / 0 是 ±inf，0 / 0 是 NaN",
    "note.nonfinite.wrapped": "{count} 个结果发生了回绕：{dtype} 放不下真实的值，所以 {a} {symbol} {b} 得到 {got}",
    "note.nonfinite.squeeze": "squeeze({dim}) 什么也没改变：第 {dim} 轴的大小是 {size}，squeeze 只去掉大小为 1 的轴；"
    "形状仍是 {shape}",
    "note.layer.call": "{path} {summary}，{parameters} 个参数：{shape_in} → {shape_out}",
}


EN = {key: Template(text) for key, text in EN.items()}
ZH = {key: Template(text) for key, text in ZH.items()}
