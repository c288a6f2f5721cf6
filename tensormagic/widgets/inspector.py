"""The tensor inspector: ``%tensor -w EXPR`` / ``tensormagic.inspect(x)``.

A header (the same facts and sharing sentences as ``%tensor``), then three tabs:

* **values** — any 2-D slice of an N-d tensor: pick the row and column axes, sliders choose the index on
  every other axis and scroll windows larger than the table;
* **histogram** — the distribution of the values (a strided sample for very large tensors, said so);
* **memory** — the storage as numbered boxes, the ones this view covers filled in, with the offset and
  strides that map an index to a box, and the variables that share the storage.

Memory: the sliders slice the tensor on demand, so the inspector needs the tensor while it is open — but
it must not be the reason a large tensor outlives the variable that named it. Widgets stay registered in
the kernel until closed, so whatever an inspector references lives as long as the kernel. Hence:

* a tensor that is a variable of the given namespace (``%tensor -w x``) is held only through a weak
  reference: after ``del x`` its memory is freed and the inspector says so;
* a tensor nobody else holds (``%tensor -w x.T``, ``tm.inspect(torch.rand(3))``) is held strongly, or
  there would be nothing to show; :meth:`Inspector.close` releases it and closes the widgets;
* converted copies made for display (a densified sparse tensor, a dequantized one, a NumPy array with
  negative strides) are made only up to ``COPY_LIMIT`` elements.

Cost: the inspector reads only what it shows, whatever the view's shape: the values tab one window of a
2-D slice, the histogram at most ``HISTOGRAM_SAMPLE`` values taken on a regular grid of the view (never a
flattened copy: ``reshape(-1)`` of a stride-0 view would copy every repeated element), the memory tab the
storage indices of at most ``COVERED_LIMIT`` elements. Tensor subclasses are read as plain tensors
(their ``__torch_function__`` is not called).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
import torch

from ..annotate import values_text
from ..facts import Facts, describe
from ..i18n import message, normalize_language
from ..render import svg
from ..render.annotation import Annotation, header_parts, layout_parts, sharing_sentences
from ..render.common import (
    BADGE_STYLE,
    BOX_STYLE,
    MUTED_STYLE,
    escape,
    format_bytes,
    format_count,
    format_number,
    format_shape,
)
from ..render.fallback import WidgetWithFallback
from ..render.text import Row, output_width, wrap_rows
from ..sharing import plain_torch

WINDOW_ROWS = 12
WINDOW_COLUMNS = 10
HISTOGRAM_SAMPLE = 1_000_000
COPY_LIMIT = 1_000_000
COVERED_LIMIT = 100_000
DRAW_CELLS = 256
ORDER_LIMIT = 64


def sample_steps(shape: tuple[int, ...], limit: int = HISTOGRAM_SAMPLE) -> tuple[int, ...]:
    """A step per axis such that ``view[::s0, ::s1, ...]`` has at most ``limit`` elements.

    The largest axes are thinned first, each only as much as needed, so the sample stays spread over the
    whole view (a (4, 5e8) view keeps its 4 rows and every 2000th column).
    """
    steps = [1] * len(shape)
    counts = list(shape)
    for axis in sorted(range(len(shape)), key=lambda k: -shape[k]):
        total = math.prod(counts)
        if total <= limit:
            break
        rest = total // counts[axis]  # > 0: a view with a zero-size axis has no elements to sample
        wanted = max(1, limit // rest)
        steps[axis] = math.ceil(shape[axis] / wanted)
        counts[axis] = math.ceil(shape[axis] / steps[axis])
    return tuple(steps)


def _readable(tensor: torch.Tensor) -> bool:
    """Whether torch can turn one element into a Python number and a float64 (float4 and intN/bitsN cannot)."""
    if tensor.numel() == 0:
        return True
    first = tensor.as_strided((1,), (1,))  # one element, wherever the view starts: never a copy of the view
    first.tolist()
    first.abs() if first.is_complex() else first.to(torch.float64)
    return True


def _values_tensor(obj: torch.Tensor | np.ndarray) -> tuple[torch.Tensor | None, str | None, bool]:
    """(tensor to take slices from, or None; the reason there are no values; whether it is a copy).

    Tensors are read as plain ``torch.Tensor``: a subclass's ``__torch_function__`` is not called.
    """
    with plain_torch():
        try:
            return _plain_values_tensor(obj)
        except Exception:  # a dtype torch cannot read, a subclass whose operations fail: said, not raised
            return None, "no_values_unreadable", False


def _plain_values_tensor(obj: torch.Tensor | np.ndarray) -> tuple[torch.Tensor | None, str | None, bool]:
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject or obj.dtype.kind in "USVMm":
            return None, "no_values_dtype", False
        negative = any(s < 0 for s in obj.strides)  # torch.from_numpy refuses negative strides
        if negative and obj.size > COPY_LIMIT:
            return None, "no_values_copy", False
        try:
            return torch.from_numpy(np.ascontiguousarray(obj) if negative else obj), None, negative
        except TypeError:
            return None, "no_values_dtype", False
    if obj.is_nested:
        return None, "no_values_nested", False
    tensor = obj.detach()
    if tensor.device.type == "meta":
        return None, "no_values_meta", False
    if tensor.numel() == 0:
        return None, "no_values_empty", False
    if tensor.is_quantized or tensor.layout != torch.strided:
        if tensor.numel() > COPY_LIMIT:
            return None, "no_values_copy", False
        values = tensor.dequantize() if tensor.is_quantized else tensor.to_dense()
        _readable(values)
        return values, None, True
    _readable(tensor)
    return tensor, None, False


def _cell(value: Any, precision: int) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, complex):
        return f"{value.real:.{precision}g}{value.imag:+.{precision}g}j"
    return format_number(value, precision)


def covered_elements(shape: tuple[int, ...], strides: tuple[int, ...], offset: int) -> np.ndarray:
    """Storage indices of every element of a strided view, in row-major order of the view."""
    index = np.full(shape, offset, dtype=np.int64)
    for axis, (size, stride) in enumerate(zip(shape, strides, strict=True)):
        step = np.arange(size, dtype=np.int64) * stride
        index = index + step.reshape([size if k == axis else 1 for k in range(len(shape))])
    return index.reshape(-1)


class Inspector(WidgetWithFallback):
    """An interactive look at one tensor or ndarray. Holds the object (see the module docstring)."""

    def __init__(
        self,
        obj: object,
        namespace: Mapping[str, Any] | None = None,
        *,
        name: str | None = None,
        language: str = "en",
        precision: int = 4,
    ) -> None:
        if not isinstance(obj, torch.Tensor | np.ndarray):
            kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
            raise TypeError(
                f"tensormagic.inspect() takes a torch.Tensor or a numpy.ndarray, not {kind}"
                " (for a module, inspect one of its parameters, e.g. model.weight)"
            )
        self.language = normalize_language(language)
        self.precision = precision
        self.facts: Facts = describe(obj, namespace, name=name)
        # Built from the same facts (statistics are computed once, even for a 400 MB tensor); holds text, not obj.
        self._annotation = Annotation(
            facts=self.facts, values_text=values_text(obj, precision), language=self.language, precision=precision
        )
        owned = namespace is not None and any(value is obj for value in list(namespace.values()))
        self._strong: torch.Tensor | np.ndarray | None = None if owned else obj
        self._weak: Callable[[], torch.Tensor | np.ndarray | None] = weakref.ref(obj)
        self._copy: tuple[torch.Tensor | None, str | None] | None = None
        self.holds_strongly = not owned
        self.controls: dict[str, widgets.Widget] = {}
        self.values_view = widgets.HTML()
        self.values_view.add_class("tm-inspector-values")
        self.histogram_view = widgets.HTML()
        self.memory_view = widgets.HTML(self.memory_html())
        values_tab = widgets.VBox([*self._value_controls(), self.values_view])
        histogram_tab = widgets.VBox([*self._histogram_controls(), self.histogram_view])
        self.tabs = widgets.Tab(children=[values_tab, histogram_tab, self.memory_view])
        self.tabs.titles = tuple(self.m(k) for k in ("tab.values", "tab.histogram", "tab.memory"))
        self.header = widgets.HTML(self.header_html())
        self.widget = widgets.VBox([self.header, self.tabs])
        self.widget.add_class("tm-inspector")
        self.update_values()
        self.update_histogram()

    # -- helpers ---------------------------------------------------------------------------------------
    def m(self, key: str, **values: object) -> str:
        return message(f"inspector.{key}", self.language, **values)

    def _no_values_text(self) -> str:
        return self.m(self._no_values or "no_values_empty", dtype=self.facts.dtype.removeprefix("torch."))

    @property
    def _object(self) -> torch.Tensor | np.ndarray | None:
        return self._strong if self._strong is not None else self._weak()

    def _values_state(self) -> tuple[torch.Tensor | None, str | None]:
        obj = self._object
        if obj is None:
            return None, "released"
        if self._copy is not None:
            return self._copy
        values, reason, copied = _values_tensor(obj)
        if copied:  # a bounded conversion (COPY_LIMIT): keep it rather than redo it on every slider move
            self._copy = (values, reason)
        return values, reason

    @property
    def _values(self) -> torch.Tensor | None:
        return self._values_state()[0]

    @property
    def _no_values(self) -> str | None:
        return self._values_state()[1]

    def close(self) -> None:
        """Release the inspected object and close the widgets (the front end removes the view)."""
        self._strong = None
        self._weak = lambda: None
        self._copy = None
        for control in [*self.controls.values(), self.values_view, self.histogram_view, self.memory_view,
                        self.tabs, self.header, self.widget]:
            control.close()

    # -- header ----------------------------------------------------------------------------------------
    def header_html(self) -> str:
        facts = self.facts
        badges = "".join(
            f'<span style="{BADGE_STYLE}">{escape(p)}</span>' for p in header_parts(facts, self.language)
        )
        name = f"<b>{escape(facts.name)}</b> " if facts.name else ""
        layout = escape(" · ".join(layout_parts(facts, self.language)))
        sharing = "".join(f"<div>↳ {escape(s)}</div>" for s in sharing_sentences(facts, self.language))
        return (
            f'<div style="{BOX_STYLE}"><div>{name}{badges}</div><div style="{MUTED_STYLE}">{layout}</div>'
            f"{sharing}</div>"
        )

    # -- values tab ------------------------------------------------------------------------------------
    def _value_controls(self) -> list[widgets.Widget]:
        values = self._values
        if values is None or values.dim() == 0:
            return []
        ndim = values.dim()
        axes = [(f"{self.m('axis')} {k} ({values.shape[k]})", k) for k in range(ndim)]
        row_axis = widgets.Dropdown(options=axes, value=max(ndim - 2, 0), description=self.m("rows"))
        column_axis = widgets.Dropdown(options=axes, value=ndim - 1, description=self.m("columns"))
        if ndim == 1:
            row_axis.layout.display = "none"
        index_sliders = [
            widgets.IntSlider(value=0, min=0, max=max(values.shape[k] - 1, 0), description=f"{self.m('index')} {k}",
                              style={"description_width": "110px"})
            for k in range(ndim)
        ]
        for k, slider in enumerate(index_sliders):
            slider.add_class(f"tm-inspector-axis-{k}")
        row_start = widgets.IntSlider(value=0, min=0, max=0, description=self.m("first_row"),
                                      style={"description_width": "110px"})
        column_start = widgets.IntSlider(value=0, min=0, max=0, description=self.m("first_column"),
                                         style={"description_width": "110px"})
        self.controls.update(row_axis=row_axis, column_axis=column_axis, row_start=row_start,
                             column_start=column_start)
        self.index_sliders = index_sliders
        for control in [row_axis, column_axis, row_start, column_start, *index_sliders]:
            control.observe(lambda _change: self.update_values(), names="value")
        return [widgets.HBox([row_axis, column_axis]), *index_sliders, row_start, column_start]

    def current_slice(self) -> tuple[torch.Tensor | None, list[str], list[int], list[int]]:
        """(2-D window, description of the slice, row indices, column indices) for the current controls."""
        values = self._values
        if values is None:
            return None, [], [], []
        if values.dim() == 0:
            return values.reshape(1, 1), [], [0], [0]
        ndim = values.dim()
        row_axis = self.controls["row_axis"].value if ndim > 1 else None
        column_axis = self.controls["column_axis"].value
        if row_axis == column_axis:  # the same axis twice is not a 2-D slice: use the neighbouring one
            row_axis = (column_axis - 1) % ndim
        index: list[Any] = []
        described = []
        for k in range(ndim):
            slider = self.index_sliders[k]
            fixed = k not in (row_axis, column_axis)
            slider.layout.display = None if fixed else "none"
            if fixed:
                index.append(slider.value)
                described.append(str(slider.value))
            else:
                index.append(slice(None))
                described.append(":")
        plane = values[tuple(index)]
        if row_axis is None:
            plane = plane.reshape(1, -1)
        elif row_axis > column_axis:
            plane = plane.T
        rows = plane.shape[0]
        columns = plane.shape[1]
        row_start, column_start = self.controls["row_start"], self.controls["column_start"]
        row_start.max = max(rows - WINDOW_ROWS, 0)
        column_start.max = max(columns - WINDOW_COLUMNS, 0)
        row_start.layout.display = None if rows > WINDOW_ROWS else "none"
        column_start.layout.display = None if columns > WINDOW_COLUMNS else "none"
        r0, c0 = row_start.value, column_start.value
        window = plane[r0 : r0 + WINDOW_ROWS, c0 : c0 + WINDOW_COLUMNS]
        row_ids = list(range(r0, r0 + window.shape[0])) if row_axis is not None else [0]
        column_ids = list(range(c0, c0 + window.shape[1]))
        return window.cpu(), [f"[{', '.join(described)}]"], row_ids, column_ids

    def update_values(self) -> None:
        self.values_view.value = self.values_html()

    def values_lines(self) -> list[str]:
        if self._values is None:
            return [self._no_values_text()]
        window, described, row_ids, column_ids = self.current_slice()
        assert window is not None
        index = described[0] if described else "()"
        lines = [self.m("slice", index=index, rows=len(row_ids), columns=len(column_ids))]
        cells = window.tolist()
        width = max([len(_cell(v, self.precision)) for row in cells for v in row] + [4])
        lines.append(" " * 6 + " ".join(f"{c:>{width}}" for c in column_ids))
        for r, row in zip(row_ids, cells, strict=True):
            lines.append(f"{r:>5} " + " ".join(f"{_cell(v, self.precision):>{width}}" for v in row))
        return lines

    def values_html(self) -> str:
        if self._values is None:
            return f'<div style="{BOX_STYLE}">{escape(self._no_values_text())}</div>'
        window, described, row_ids, column_ids = self.current_slice()
        assert window is not None
        numeric = window.abs() if window.is_complex() else window.to(torch.float64)
        finite = numeric[torch.isfinite(numeric)] if numeric.numel() else numeric
        limit = float(finite.abs().max()) if finite.numel() else 0.0
        head = "".join(f'<th style="padding:1px 6px;{MUTED_STYLE}">{c}</th>' for c in column_ids)
        body = []
        for r, row, shade_row in zip(row_ids, window.tolist(), numeric.tolist(), strict=True):
            # A translucent wash over the theme's background, the theme's own text colour: readable in light and
            # dark themes alike (a fixed light cell with fixed dark text was unreadable in headers on dark themes).
            tds = "".join(
                f'<td style="padding:1px 6px;text-align:right;background:{svg.tint(float(s), limit)}">'
                f"{escape(_cell(v, self.precision))}</td>"
                for v, s in zip(row, shade_row, strict=True)
            )
            body.append(f'<tr><th style="padding:1px 6px;{MUTED_STYLE}">{r}</th>{tds}</tr>')
        title = escape(self.m("slice", index=described[0] if described else "()", rows=len(row_ids),
                              columns=len(column_ids)))
        return (
            f'<div style="{BOX_STYLE}"><div>{title}</div><table style="border-collapse:collapse">'
            f"<tr><th></th>{head}</tr>{''.join(body)}</table></div>"
        )

    # -- histogram tab ---------------------------------------------------------------------------------
    def _histogram_controls(self) -> list[widgets.Widget]:
        if self._values is None:
            return []
        bins = widgets.IntSlider(value=20, min=2, max=60, description=self.m("bins"))
        bins.observe(lambda _change: self.update_histogram(), names="value")
        self.controls["bins"] = bins
        return [bins]

    def _sample(self) -> tuple[torch.Tensor, int]:
        """Up to HISTOGRAM_SAMPLE values as a flat CPU tensor, and how many elements each one stands for
        (1 = all of them).

        The sample is a regular grid of the view (:func:`sample_steps`), sliced before anything is copied:
        only the sampled elements are ever read, whatever the strides (a stride-0 view is never expanded).
        """
        values = self._values
        assert values is not None
        steps = sample_steps(tuple(values.shape))
        grid = values[tuple(slice(None, None, step) for step in steps)] if values.dim() else values
        sample = grid.reshape(-1).cpu()  # copies at most HISTOGRAM_SAMPLE elements
        return sample, math.prod(steps)

    def histogram(self) -> dict[str, Any]:
        """Counts per bin (or True/False counts for bool) of the values or their sample."""
        sample, step = self._sample()
        if sample.dtype == torch.bool:
            true = int(sample.sum())
            counts = [sample.numel() - true, true]
            return {"kind": "bool", "counts": counts, "labels": ["False", "True"], "step": step}
        magnitude = sample.is_complex()
        finite = sample.abs() if magnitude else sample
        if finite.dtype not in (torch.float32, torch.float64):
            finite = finite.to(torch.float64)
        bins = self.controls["bins"].value
        # amin/amax propagate NaN and ±Inf would be an extreme: finite extremes prove every value finite, so
        # the mask and its copy (and a float64 copy of float32 data) are paid only when they must be: three
        # passes over the sample instead of six, which also matters when other processes share the cores.
        low, high = (float(finite.amin()), float(finite.amax())) if finite.numel() else (math.nan, math.nan)
        if not (math.isfinite(low) and math.isfinite(high)):
            finite = finite[torch.isfinite(finite)]
            low, high = (float(finite.amin()), float(finite.amax())) if finite.numel() else (low, high)
        skipped = sample.numel() - finite.numel()
        if finite.numel() == 0:
            return {"kind": "none", "counts": [], "labels": [], "step": step, "skipped": skipped}
        if finite.dtype == torch.float32 and high - low > 1e38:  # bin arithmetic would overflow float32
            finite = finite.to(torch.float64)
        if low == high:
            low, high = low - 0.5, high + 0.5
        counts = torch.histc(finite, bins=bins, min=low, max=high).to(torch.int64).tolist()
        return {"kind": "magnitude" if magnitude else "values", "counts": counts, "low": low, "high": high,
                "step": step, "skipped": skipped, "labels": []}

    def _sampled_line(self, count: int) -> str:
        values = self._values
        assert values is not None
        steps = sample_steps(tuple(values.shape))
        return self.m("sampled", count=format_count(count), numel=format_count(values.numel()),
                      steps=format_shape(steps))

    def histogram_lines(self) -> list[str]:
        if self._values is None:
            return [self._no_values_text()]
        data = self.histogram()
        lines = []
        if data["step"] > 1:
            lines.append(self._sampled_line(sum(data["counts"]) + data.get("skipped", 0)))
        if data["kind"] == "bool":
            lines.append(self.m("bool_counts", false=data["counts"][0], true=data["counts"][1]))
            return lines
        if data["kind"] == "none":
            return [*lines, self.m("no_finite")]
        if data["kind"] == "magnitude":
            lines.append(self.m("complex_magnitude"))
        low, high, counts = data["low"], data["high"], data["counts"]
        width = (high - low) / len(counts)
        peak = max(counts) or 1
        for k, count in enumerate(counts):
            start = low + k * width
            # torch.histc counts a value equal to the maximum in the last bin: that bin is closed.
            close = "]" if k == len(counts) - 1 else ")"
            lines.append(f"  [{format_number(start, 3):>10}, {format_number(start + width, 3):>10}{close} "
                         f"{'█' * round(24 * count / peak):<24} {count}")
        if data["skipped"]:
            lines.append(self.m("nonfinite_skipped", count=data["skipped"]))
        return lines

    def histogram_chart(self) -> str:
        """The histogram as an SVG bar chart ("" when there is nothing to count)."""
        if self._values is None:
            return ""
        data = self.histogram()
        if data["kind"] == "bool":
            return svg.bars(data["counts"], data["labels"], width=160)
        if data["kind"] == "none":
            return ""
        bins = len(data["counts"])
        labels = [""] * bins
        labels[0] = format_number(data["low"], 3)
        labels[-1] = format_number(data["high"], 3)
        return svg.bars(data["counts"], labels, width=420, height=140)

    def _histogram_notes_html(self) -> str:
        if self._values is None:
            return f"<div>{escape(self._no_values_text())}</div>"
        notes = [line for line in self.histogram_lines() if not line.startswith("  [")]
        return "".join(f"<div>{escape(n)}</div>" for n in notes)

    def update_histogram(self) -> None:
        self.histogram_view.value = (
            f'<div style="{BOX_STYLE}">{self.histogram_chart()}{self._histogram_notes_html()}</div>'
        )

    # -- memory tab ------------------------------------------------------------------------------------
    def memory_layout(self) -> dict[str, Any] | None:
        """Storage size in elements, offset, strides and the covered storage indices (when cheap to list)."""
        obj, facts = self._object, self.facts
        if obj is None or facts.strides is None or facts.device == "meta" or facts.numel == 0:
            return None
        itemsize = facts.itemsize
        if isinstance(obj, torch.Tensor):
            offset = facts.storage_offset
            storage = (facts.storage_nbytes or 0) // itemsize if itemsize else 0
        else:
            owner = obj
            while isinstance(owner.base, np.ndarray):
                owner = owner.base
            if owner.itemsize != itemsize or owner.dtype != obj.dtype:
                return None  # a dtype-reinterpreting view: element boxes of the owner would not line up
            offset = (obj.__array_interface__["data"][0] - owner.__array_interface__["data"][0]) // itemsize
            storage = owner.size
        layout: dict[str, Any] = {"storage": storage, "offset": offset, "strides": facts.strides}
        if facts.numel <= COVERED_LIMIT:
            covered = covered_elements(facts.shape, facts.strides, offset)
            layout["covered"] = covered
            layout["distinct"] = int(np.unique(covered).size)
            layout["low"], layout["high"] = int(covered.min()), int(covered.max())
        return layout

    def memory_lines(self) -> list[str]:
        facts = self.facts
        lines: list[str] = []
        if facts.nested is not None:
            size = format_bytes(facts.storage_nbytes) if facts.storage_nbytes is not None else "?"
            lines.append(self.m("memory_nested", count=facts.nested.count, size=size))
        elif facts.layout not in ("strided", "quantized"):
            nnz = facts.nnz if facts.nnz is not None else "?"
            lines.append(self.m("memory_sparse", layout=facts.layout, nnz=nnz))
        layout = self.memory_layout()
        if layout is None:
            if self._object is None:
                lines.append(self.m("released"))
            elif facts.device == "meta":
                lines.append(self.m("memory_meta"))
            elif facts.numel == 0:
                lines.append(self.m("memory_empty"))
            elif facts.layout == "strided":
                lines.append(self.m("memory_unknown"))
        else:
            lines.append(self.m("storage", count=layout["storage"], itemsize=facts.itemsize,
                                size=format_bytes(layout["storage"] * facts.itemsize)))
            formula = " + ".join([str(layout["offset"])] + [f"i{k}·{s}" for k, s in enumerate(layout["strides"])])
            index = ", ".join(f"i{k}" for k in range(len(layout["strides"])))
            lines.append(self.m("formula", index=index, formula=formula))
            if "covered" in layout:
                lines.append(self.m("covers", numel=facts.numel, distinct=layout["distinct"],
                                    storage=layout["storage"], low=layout["low"], high=layout["high"]))
                if layout["distinct"] < facts.numel:
                    lines.append(self.m("repeats"))
        sentences = sharing_sentences(facts, self.language)
        lines.append(self.m("sharing_title") if sentences else self.m("sharing_unchecked"))
        lines.extend("  ↳ " + s for s in sentences)
        return lines

    def memory_drawing(self) -> tuple[str, list[str]]:
        """The storage strip as SVG ("" when it cannot be drawn) and the lines that explain it."""
        layout = self.memory_layout()
        drawing, notes = "", []
        if layout is not None and "covered" in layout:
            first = 0
            cells = layout["storage"]
            if cells > DRAW_CELLS:  # draw the part of the storage around the view
                first = max(0, layout["low"] - 4)
                cells = min(DRAW_CELLS, layout["storage"] - first)
            covered = layout["covered"].tolist()
            order = {index: k for k, index in enumerate(covered)} if len(covered) <= ORDER_LIMIT else None
            drawing = svg.storage_strip(cells, covered, first=first, order=order, per_row=24)
            if first or first + cells < layout["storage"]:
                notes.append(self.m("window", first=first, last=first + cells - 1))
            if order is not None:
                notes.append(self.m("order_hint"))
        return drawing, notes

    def memory_html(self, as_image: bool = False) -> str:
        """The memory tab: its text, the storage strip (inline SVG, or an image: ``as_image``) and its legend."""
        text = "".join(f"<div>{escape(line)}</div>" for line in self.memory_lines())
        drawing, notes = self.memory_drawing()
        if drawing and as_image:
            drawing = svg.as_image(drawing, self.m("tab.memory"))
        explained = "".join(f'<div style="{MUTED_STYLE}">{escape(note)}</div>' for note in notes)
        return f'<div class="tm-inspector-memory" style="{BOX_STYLE}">{text}{drawing}{explained}</div>'

    # -- display ---------------------------------------------------------------------------------------
    def text(self, width: int | None = None) -> str:
        """Everything the tabs show, as text wrapped to ``width`` (default: the terminal's, or a fixed width)."""
        width = width or output_width()
        rows: list[Row] = [("", "  ", line) for line in self._annotation.text(width).splitlines()]
        rows += [("", "", ""), ("", "", f"[{self.m('tab.memory')}]")]
        rows += [("", "    ", line) for line in self.memory_lines()]
        if self._values is None:
            rows += [("", "", ""), ("", "", f"[{self.m('tab.values')}]"), ("", "  ", self._no_values_text())]
        elif self._values.dim() >= 2:
            rows += [("", "", ""), ("", "", f"[{self.m('tab.values')}]")]
            rows += [("", "      ", line) for line in self.values_lines()]
        if self._values is not None:
            rows += [("", "", ""), ("", "", f"[{self.m('tab.histogram')}]")]
            rows += [("", "  ", line) for line in self.histogram_lines()]
        return "\n".join(wrap_rows(rows, width))

    def html(self) -> str:
        """Static HTML of everything the tabs show, the drawings as images (an untrusted notebook shows this)."""
        chart = self.histogram_chart()
        histogram = f'<div style="{BOX_STYLE}">{svg.as_image(chart, self.m("tab.histogram")) if chart else ""}' \
            f"{self._histogram_notes_html()}</div>"
        return (
            f'<div class="tensormagic-inspector">{self.header_html()}{self.values_html()}'
            f"{histogram}{self.memory_html(as_image=True)}</div>"
        )
