"""Messages for odd objects and long namespaces: nested tensors, dtypes torch cannot read element by element,
and the overview's summary beyond one page. Used by ``describe``/``%tensor`` and the inspector."""

from .forms import Template

EN = {
    "label.nested": "nested ({layout}): {count:# tensor|# tensors} of shapes {shapes}",
    "label.ragged": "* = a ragged size: it may differ from one tensor to the next",
    "stat.skipped.nested_gaps": "no statistics: this nested tensor is a narrowed view, its buffer also holds "
    "elements that are not its own",
    "overview.and_more": "and {count:,} more",
    "overview.more": "… {count:,} more not listed, in {groups:# memory group|# memory groups}; %tensor NAME describes one",
    "inspector.no_values_nested": "A nested tensor's components have different shapes, so there is no single grid "
    "of values to show; inspect one component, e.g. x[0].",
    "inspector.no_values_unreadable": "torch implements no copy or conversion for dtype {dtype}, so its values "
    "cannot be read for display.",
    "inspector.sampled": "Histogram of a sample: {count} of the {numel} values, on a regular grid with steps "
    "{steps} along the axes (the tensor is large).",
    "inspector.memory_nested": "Its {count:# component tensor keeps its|# component tensors keep their} elements in one buffer of {size}; "
    "storage boxes are drawn for a regular tensor only, so inspect a component, e.g. x[0].",
}

ZH = {
    "label.nested": "嵌套张量（{layout} 布局）：{count:,} 个张量，形状为 {shapes}",
    "label.ragged": "* 表示不规则的维度：各张量在这一维上的大小可以不同",
    "stat.skipped.nested_gaps": "没有统计：这个嵌套张量是截取出的视图，它的缓冲区里还有不属于它的元素",
    "overview.and_more": "以及另外 {count:,} 个",
    "overview.more": "…… 另有 {count:,} 个未列出，分属 {groups:,} 个内存组；用 %tensor 变量名 查看其中一个",
    "inspector.no_values_nested": "嵌套张量的各个分量形状不同，没有一个统一的数值网格可以显示；请查看其中一个分量，例如 x[0]。",
    "inspector.no_values_unreadable": "torch 没有为元素类型 {dtype} 实现复制或转换，因此无法读出它的数值来显示。",
    "inspector.sampled": "直方图基于抽样：在 {numel} 个值中按规则网格取 {count} 个，各轴步长为 {steps}（张量很大）。",
    "inspector.memory_nested": "它的 {count:,} 个分量张量把元素存放在同一个 {size} 的缓冲区里；"
    "存储格子只为普通张量画出，请查看其中一个分量，例如 x[0]。",
}

EN = {key: Template(text) for key, text in EN.items()}
ZH = {key: Template(text) for key, text in ZH.items()}
