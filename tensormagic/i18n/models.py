"""Messages of ``%tensor MODEL``: the layer table of an ``nn.Module``."""

from __future__ import annotations

from .forms import Template

EN = {
    "model.header": "{name} · {kind} · {parameters:# parameter|# parameters} ({trainable:,} trainable) · {size} · "
    "{dtypes} · {devices}",
    "model.column.layer": "layer",
    "model.column.type": "type",
    "model.column.output": "output shape",
    "model.column.parameters": "parameters",
    "model.column.trainable": "trainable",
    "model.yes": "yes",
    "model.no": "no (frozen)",
    "model.partly": "{count:,} of {total:,}",
    "model.shapes_dry_run": "output shapes: one dry run on the meta device with an input of shape {shape} (nothing "
    "computed, the model unchanged)",
    "model.shapes_last": "output shapes: from the last forward pass %%explain saw",
    "model.shapes_unknown": "output shapes: not known yet — run a forward pass under %%explain, or give "
    "--input-shape (e.g. %tensor --input-shape 16,2 model)",
    "model.dry_run_failed": "the dry run stopped: {error}",
    "model.buffers": "plus {size} of buffers (running statistics, not trained)",
}

ZH = {
    "model.header": "{name} · {kind} · {parameters:,} 个参数（其中 {trainable:,} 个可训练）· {size} · {dtypes} · {devices}",
    "model.column.layer": "层",
    "model.column.type": "类型",
    "model.column.output": "输出形状",
    "model.column.parameters": "参数个数",
    "model.column.trainable": "可训练",
    "model.yes": "是",
    "model.no": "否（已冻结）",
    "model.partly": "{total:,} 个中的 {count:,} 个",
    "model.shapes_dry_run": "输出形状：在 meta 设备上用形状为 {shape} 的输入空跑一次得到（没有实际计算，模型不变）",
    "model.shapes_last": "输出形状：来自 %%explain 看到的最后一次前向传播",
    "model.shapes_unknown": "输出形状：暂时未知——请在 %%explain 中运行一次前向传播，或者给出 --input-shape"
    "（例如 %tensor --input-shape 16,2 model）",
    "model.dry_run_failed": "空跑中止：{error}",
    "model.buffers": "另有 {size} 的缓冲区（运行统计量，不参与训练）",
}

EN = {key: Template(text) for key, text in EN.items()}
ZH = {key: Template(text) for key, text in ZH.items()}
