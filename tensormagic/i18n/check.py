"""Messages of ``tensormagic.check``: what an exercise's answer has right, what it has wrong, and a hint.

Never the answer: a message may name the student's own value, the shape or element type the exercise statement
asks for, and which memory is (not) shared, but never the expected values or the code of a solution.

Keys ``check.hint.<exercise>.<name>.<fact>``, ``check.hint.<exercise>.<fact>`` and ``check.hint.<exercise>``
hold an exercise's hints, most specific first (``fact`` is ``kind``, ``shape``, ``dtype``, ``shares``, ``owns``,
``values`` or ``choice``); ``check.done.<exercise>`` is what a right answer teaches.
"""

from __future__ import annotations

from .forms import Template

EN = {
    # frame
    "check.title": "Checking {exercise}:",
    "check.passed": "All right!",
    "check.failed": "Not yet: {count:# thing|# things} to fix.",
    "check.hint": "Hint: {text}",
    "check.revisit": "Revisit the card: %explain {topic}",
    "check.unknown": "no exercise named {exercise!r}; known exercises: {known}",
    "check.fault": "tensormagic could not check {name} ({error}); your answer may still be right",
    # what the object is
    "check.kind.tensor": "a torch tensor",
    "check.kind.ndarray": "a NumPy array",
    "check.kind.float": "a Python float",
    "check.kind.int": "a whole number (int)",
    "check.kind.list": "a Python list",
    "check.kind.str": "a string",
    "check.kind.other": "a {type_name}",
    "check.undefined": "{name} is not defined yet: write it in the exercise cell above and run that cell",
    "check.placeholder": "{name} is still `...`: replace the `...` with your answer and run the exercise cell",
    "check.kind_ok": "{name} is {kind}",
    "check.kind_wrong": "{name} is {actual}, but the exercise asks for {expected}",
    "check.other_undefined": "{other} is not defined: run the cells above this one first",
    # facts of a tensor
    "check.shape_ok": "shape {shape}",
    "check.shape_wrong": "{name} has shape {actual}; the exercise asks for shape {expected}",
    "check.length_wrong": "{name} has {actual:# element|# elements}; the exercise asks for {expected}",
    "check.dtype_ok": "element type {dtype}",
    "check.dtype_wrong": "{name} has element type {actual}; the exercise asks for {expected}",
    "check.shares_ok": "{name} shares memory with {other}",
    "check.shares_wrong": "{name} does not share memory with {other}: it has memory of its own",
    "check.owns_ok": "{name} has memory of its own: a change to {other} will not show in it",
    "check.owns_wrong": "{name} shares memory with {other}: a change to {other} would show in {name}",
    # values
    "check.values_ok": "values",
    "check.value_ok": "value {value}",
    "check.values_wrong": "{wrong} of the {total:# value|# values} of {name} {wrong:is|are} not right; the first is "
    "at index {index} (yours: {value})",
    "check.value_wrong": "{name} is {value}, which is not the right value",
    "check.values_skipped": "values not compared until the shape is right",
    "check.values_unreadable": "the values of {name} cannot be read: {reason}",
    "check.choice_wrong": "{name} is {value}; answer with one of {choices}",
    # 01 · creating tensors
    "check.hint.01.evens.shape": "arange stops before `end`: which end includes 20?",
    "check.hint.01.evens.values": "start at 0 and count in steps of 2.",
    "check.hint.01.evens.kind": "use torch.arange, which makes a tensor.",
    "check.hint.01.evens.dtype": "whole-number arguments give whole-number elements.",
    "check.done.01.evens": "Well done: 20 is in because `end` lies beyond it.",
    "check.hint.01.sevens.dtype": "the element type is chosen with `dtype=` when the tensor is made.",
    "check.hint.01.sevens": "one call fills a whole shape with one value.",
    "check.done.01.sevens": "Correct: full(size, fill_value, dtype=...) does it in one call.",
    "check.hint.01.prediction": "float-to-int conversion neither rounds nor floors.",
    "check.done.01.prediction": "Right: conversion truncates toward zero, so -2.9 becomes -2, not -3.",
    # 02 · NumPy
    "check.hint.02.linked.shares": "which conversion wraps the array's memory instead of copying it?",
    "check.done.02.linked": "Shared: torch.from_numpy wraps the array's memory.",
    "check.hint.02.safe.owns": "a conversion that copies gives the tensor memory of its own.",
    "check.done.02.safe": "Independent: changing data will no longer touch safe.",
    "check.hint.02.total.kind": "which method takes a one-element tensor's number out as a Python number?",
    "check.hint.02.total": "add up every element of scores.",
    "check.done.02.total": "Right: sum() gives a one-element tensor and item() takes the number out.",
    # 03 · arithmetic
    "check.hint.03.cost.shape": "one value per shop and product: combine element by element, not with @.",
    "check.hint.03.cost": "multiply element by element: prices is broadcast over the rows of qty.",
    "check.done.03.cost": "Correct: prices (3,) was broadcast over both rows of qty (2, 3).",
    "check.hint.03.w2.shape": "(5, 3) @ (m, p) needs m == 3 and gives (5, p).",
    "check.hint.03.w2.dtype": "X holds float32 values, and @ needs both sides of one element type.",
    "check.hint.03.w2": "every value of W2 should be one.",
    "check.done.03.w2": "Yes: the inner sizes 3 and 3 meet, the outer ones 5 and 2 remain.",
    "check.hint.03.inplace": "v = v * 2 makes a new tensor that alias does not see; use a method whose name ends in _.",
    "check.done.03.inplace": "Done in place: every name for that tensor sees the new values.",
    # 04 · reductions
    "check.hint.04.per_student.shape": "one average per student: which axis must disappear?",
    "check.hint.04.per_student": "average along each row, not each column.",
    "check.done.04.per_student": "Correct: dim=1 collapses the tests, one value per student remains.",
    "check.hint.04.best.shape": "one result per test: which axis must disappear?",
    "check.hint.04.best": "max(dim=...) returns two tensors: the values and where they were found.",
    "check.done.04.best": "Right: max(dim=0) returns the values and their indices.",
    "check.hint.04.rms.shape": "reduce over every element, so that a single value remains.",
    "check.hint.04.rms": "square first, then take the mean, then the square root.",
    "check.done.04.rms": "Correct: pow, then mean, then sqrt.",
    # 05 · models
    "check.hint.05.conv_params": "count the weights (out × in × 3 × 3) and the biases (one per output channel).",
    "check.done.05.conv_params": "Exactly: the count does not depend on the size of the image.",
    "check.hint.05.fc_params": "every input value connects to every output: inputs × outputs weights, plus the biases.",
    "check.done.05.fc_params": "Right: a fully connected layer needs over a hundred times the convolution's parameters.",
    "check.hint.05.xor_model": "XOR's classes cannot be split by one straight line: look at the perceptron card again.",
    "check.done.05.xor_model": "Yes: a hidden layer with a non-linear activation bends the boundary.",
}

ZH = {
    # frame
    "check.title": "检查 {exercise}：",
    "check.passed": "全部正确！",
    "check.failed": "还不对：有 {count} 处需要修改。",
    "check.hint": "提示：{text}",
    "check.revisit": "回顾概念卡片：%explain {topic}",
    "check.unknown": "没有名为 {exercise!r} 的练习；已有的练习：{known}",
    "check.fault": "tensormagic 无法检查 {name}（{error}）；你的答案可能仍然是对的",
    # what the object is
    "check.kind.tensor": "一个 torch 张量",
    "check.kind.ndarray": "一个 NumPy 数组",
    "check.kind.float": "一个 Python float",
    "check.kind.int": "一个整数（int）",
    "check.kind.list": "一个 Python 列表",
    "check.kind.str": "一个字符串",
    "check.kind.other": "一个 {type_name}",
    "check.undefined": "{name} 还没有定义：在上面的练习单元格里写出它，并运行那个单元格",
    "check.placeholder": "{name} 仍然是 `...`：把 `...` 换成你的答案，再运行练习单元格",
    "check.kind_ok": "{name} 是{kind}",
    "check.kind_wrong": "{name} 是{actual}，但练习要求的是{expected}",
    "check.other_undefined": "{other} 没有定义：请先运行上面的单元格",
    # facts of a tensor
    "check.shape_ok": "形状 {shape}",
    "check.shape_wrong": "{name} 的形状是 {actual}；练习要求的形状是 {expected}",
    "check.length_wrong": "{name} 有 {actual} 个元素；练习要求 {expected} 个",
    "check.dtype_ok": "元素类型 {dtype}",
    "check.dtype_wrong": "{name} 的元素类型是 {actual}；练习要求的是 {expected}",
    "check.shares_ok": "{name} 与 {other} 共享内存",
    "check.shares_wrong": "{name} 没有与 {other} 共享内存：它有自己的内存",
    "check.owns_ok": "{name} 有自己的内存：修改 {other} 不会影响它",
    "check.owns_wrong": "{name} 与 {other} 共享内存：修改 {other} 会同时改变 {name}",
    # values
    "check.values_ok": "数值",
    "check.value_ok": "值 {value}",
    "check.values_wrong": "{name} 的 {total} 个值中有 {wrong} 个不对；第一个在下标 {index} 处（你的值：{value}）",
    "check.value_wrong": "{name} 是 {value}，这个值不对",
    "check.values_skipped": "形状正确之后才比较数值",
    "check.values_unreadable": "无法读取 {name} 的数值：{reason}",
    "check.choice_wrong": "{name} 是 {value}；请从 {choices} 中选一个作答",
    # 01 · creating tensors
    "check.hint.01.evens.shape": "arange 在 `end` 之前停止：`end` 取多少，20 才会被包含？",
    "check.hint.01.evens.values": "从 0 开始，每次加 2。",
    "check.hint.01.evens.kind": "用 torch.arange，它生成的是张量。",
    "check.hint.01.evens.dtype": "参数都是整数时，元素也是整数。",
    "check.done.01.evens": "答对了：`end` 在 20 之后，所以 20 被包含在内。",
    "check.hint.01.sevens.dtype": "元素类型在创建张量时用 `dtype=` 指定。",
    "check.hint.01.sevens": "一次调用就能用同一个值填满整个形状。",
    "check.done.01.sevens": "正确：full(size, fill_value, dtype=...) 一步到位。",
    "check.hint.01.prediction": "浮点数转整数既不是四舍五入，也不是向下取整。",
    "check.done.01.prediction": "没错：转换是向零截断，所以 -2.9 变成 -2，而不是 -3。",
    # 02 · NumPy
    "check.hint.02.linked.shares": "哪种转换直接包装数组的内存，而不是拷贝？",
    "check.done.02.linked": "共享成功：torch.from_numpy 直接包装数组的内存。",
    "check.hint.02.safe.owns": "会拷贝的转换让张量拥有自己的内存。",
    "check.done.02.safe": "互不影响：以后修改 data 不会再改到 safe。",
    "check.hint.02.total.kind": "哪个方法能把只有一个元素的张量里的数取出来，变成 Python 数？",
    "check.hint.02.total": "把 scores 的所有元素加起来。",
    "check.done.02.total": "正确：sum() 得到只有一个元素的张量，item() 再把数取出来。",
    # 03 · arithmetic
    "check.hint.03.cost.shape": "每家店每种商品一个值：逐元素运算，不要用 @。",
    "check.hint.03.cost": "逐元素相乘：prices 会被广播到 qty 的每一行。",
    "check.done.03.cost": "正确：prices (3,) 被广播到 qty (2, 3) 的每一行。",
    "check.hint.03.w2.shape": "(5, 3) @ (m, p) 要求 m == 3，结果为 (5, p)。",
    "check.hint.03.w2.dtype": "X 的元素是 float32，而 @ 要求两边的元素类型相同。",
    "check.hint.03.w2": "W2 的每个值都应该是 1。",
    "check.done.03.w2": "对：中间的 3 与 3 相消，外侧的 5 和 2 保留。",
    "check.hint.03.inplace": "v = v * 2 会生成一个 alias 看不到的新张量；请用名字以 _ 结尾的方法。",
    "check.done.03.inplace": "原地完成：这个张量的所有名字都能看到新值。",
    # 04 · reductions
    "check.hint.04.per_student.shape": "每名学生一个平均分：应该压缩哪个轴？",
    "check.hint.04.per_student": "沿每一行求平均，而不是每一列。",
    "check.done.04.per_student": "正确：dim=1 压缩了测验这一轴，每名学生留下一个值。",
    "check.hint.04.best.shape": "每次测验一个结果：应该压缩哪个轴？",
    "check.hint.04.best": "max(dim=...) 返回两个张量：最大值以及它们所在的位置。",
    "check.done.04.best": "对：max(dim=0) 同时返回值和位置。",
    "check.hint.04.rms.shape": "对所有元素做聚合，最后只剩一个值。",
    "check.hint.04.rms": "先平方，再求平均，最后开平方。",
    "check.done.04.rms": "正确：先 pow，再 mean，最后 sqrt。",
    # 05 · models
    "check.hint.05.conv_params": "数一数权重（输出 × 输入 × 3 × 3）和偏置（每个输出通道一个）。",
    "check.done.05.conv_params": "完全正确：参数个数与图像大小无关。",
    "check.hint.05.fc_params": "每个输入值都连接到每个输出：输入数 × 输出数个权重，再加上偏置。",
    "check.done.05.fc_params": "对：全连接层需要的参数是卷积层的一百多倍。",
    "check.hint.05.xor_model": "XOR 的两类无法用一条直线分开：再看一看感知机卡片。",
    "check.done.05.xor_model": "对：带非线性激活的隐藏层让决策边界可以弯曲。",
}

EN = {key: Template(text) for key, text in EN.items()}
ZH = {key: Template(text) for key, text in ZH.items()}
