"""The drawing of one step: names on the left, arrows to the memory they refer to, memory as rows of boxes.

Each :class:`~tensormagic.timeline.Storage` is a row of boxes in address order (with their values when the row has
at most 64 boxes); under it, one strip per tensor or array lying in it, its covered boxes filled and numbered with
their position in the view (``#k``), its shape and strides beside it. Boxes written at this step are orange; a name
whose values changed without being named on the line is marked too; memory seen for the first time is marked new.

Colours are CSS with a plain value first and a theme variable second (``var(--jp-…, plain)``): inline in JupyterLab
the drawing follows the theme, as an image (its own document) it keeps the plain values on its own background.
Element classes (``tm-steps-box``, ``tm-steps-cover``, ``tm-steps-name``, ``tm-steps-written``) and ``data-*``
attributes name what each shape shows, for tests and for styling.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..i18n import message
from .common import escape, format_bytes, format_shape
from .text import display_width

if TYPE_CHECKING:
    from ..timeline.model import Block, Frame, Storage, Timeline

PER_LINE = 16  # boxes per line of a row
BOX_H = 26
STRIP_H = 18
STRIP_GAP = 5
NAME_H = 20
BAR_W = 16 * 40
GAP_ARROWS = 64
PAD = 10

ACCENT = "#5b8def"
WRITTEN = "#e6781e"
NEW = "#2e9d5b"
ERROR = "#d1495b"

_STYLE = (
    ".tm-steps-svg text{font-family:sans-serif;font-size:11px;fill:currentColor}"
    ".tm-steps-svg .tm-mono{font-family:monospace;font-family:var(--jp-code-font-family,monospace)}"
    ".tm-steps-svg .tm-muted{opacity:.65}"
    ".tm-steps-box rect{fill:rgba(91,141,239,.07);stroke:#8a8f98;stroke:var(--jp-border-color1,#8a8f98)}"
    f".tm-steps-written rect{{stroke:{WRITTEN};stroke-width:3;fill:rgba(230,120,30,.16)}}"
    f".tm-steps-cover{{fill:{ACCENT};fill:var(--jp-brand-color1,{ACCENT});fill-opacity:.7}}"
    ".tm-steps-gap{fill:none;stroke:#8a8f98;stroke-opacity:.45;stroke-dasharray:2 2}"
    f".tm-steps-cover.tm-steps-written{{stroke:{WRITTEN};stroke-width:2}}"
    ".tm-steps-cover-text{font-size:8px;fill:#fff}"
    ".tm-steps-name rect{fill:rgba(91,141,239,.12);stroke:#8a8f98;stroke:var(--jp-border-color1,#8a8f98)}"
    f".tm-steps-name.tm-steps-written rect{{stroke:{WRITTEN};stroke-width:2.5}}"
    f".tm-steps-name.tm-steps-via rect{{stroke:{WRITTEN};stroke-width:2.5;stroke-dasharray:4 2}}"
    ".tm-steps-arrow{fill:none;stroke:#5f6670;stroke:var(--jp-ui-font-color2,#5f6670);stroke-width:1.3}"
    f".tm-steps-new{{fill:{NEW}}}.tm-steps-badge-written{{fill:{WRITTEN}}}.tm-steps-error{{fill:{ERROR}}}"
)


# -- words and numbers shared by the drawing and the text ----------------------------------------------------------
def text_width(text: str, size: float = 11, mono: bool = False) -> float:
    """About how wide ``text`` is drawn (SVG text is laid out by the viewer, so the layout estimates it)."""
    return display_width(text) * size * (0.61 if mono else 0.53)


def format_value(value: Any) -> str:
    """One element as short as it reads well: ``8888``, ``0.5``, ``1.333``, ``-inf``, ``True``, ``1+2j``."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**7 else f"{value:.2e}"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value == int(value) and abs(value) < 10**7:
            return f"{int(value)}."
        magnitude = abs(value)
        if magnitude >= 10**5 or magnitude < 1e-3:
            return f"{value:.2e}"
        return f"{value:.4g}"
    if isinstance(value, complex):
        if cmath.isnan(value):
            return "nan"
        return f"{format_value(value.real).rstrip('.')}{'+' if value.imag >= 0 else '-'}" \
               f"{format_value(abs(value.imag)).rstrip('.')}j"
    return str(value)


def format_values(values: Any, limit: int = 60) -> str:
    """Nested values as ``tolist()`` nests them, cut at ``limit`` characters with ``…``."""
    def walk(item: Any) -> str:
        if isinstance(item, list):
            return "[" + ", ".join(walk(v) for v in item) + "]"
        return format_value(item)

    text = walk(values)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dtype_label(dtype: str) -> str:
    return dtype.removeprefix("torch.")


def view_label(block: Block, language: str, row_dtype: str | None = None) -> str:
    """``tensor (2, 3) · strides (3, 1)``, then what else sets it apart: its offset into the storage when not 0, its
    element type when the storage's boxes are of another, the device when not the CPU, ``requires_grad``."""
    strides = format_shape(block.strides) if block.strides is not None else "?"
    text = message(
        "steps.view", language, kind=message(f"steps.kind.{block.kind}", language), shape=format_shape(block.shape),
        strides=strides,
    )
    if block.storage_offset:
        text += " · " + message("steps.offset", language, offset=block.storage_offset)
    if row_dtype is None or dtype_label(row_dtype) != dtype_label(block.dtype):
        text += f" · {dtype_label(block.dtype)}"
    if block.device != "cpu":
        text += f" · {block.device}"
    if block.requires_grad:
        text += " · " + message("steps.requires_grad", language)
    return text


def no_memory_reason(block: Block, language: str) -> str:
    layout = block.layout if block.layout != "strided" else "empty"
    return message(f"steps.no_memory.{layout}", language)


def values_note(block: Block, language: str, small: int) -> str | None:
    """Why a block's values are not shown, or None when they are (``small``: the most elements whose are)."""
    if block.values is not None or not block.numel:
        return None
    if block.numel > small:
        return message("steps.values_hidden", language, limit=small)
    if block.device != "cpu":
        return message("steps.values_device", language, device=block.device)
    return message("steps.values_dtype", language, dtype=dtype_label(block.dtype))


def storage_label(storage: Storage, language: str) -> str:
    size = message(
        "steps.memory_size", language, count=storage.length, dtype=dtype_label(storage.dtype),
        size=format_bytes(storage.nbytes),
    )
    device = f" · {storage.device}" if storage.device != "cpu" else ""
    return f"{message('steps.memory', language, id=storage.id)} · {size}{device}"


def name_marks(frame: Frame, name: str, language: str) -> list[tuple[str, str]]:
    """(kind, words) marks of one name at this step: ``written``, ``via`` (changed through shared memory), ``new``."""
    block = frame.block(name)
    if block is None:
        return []
    marks: list[tuple[str, str]] = []
    if block.written:
        if name in frame.changed_via:
            others = frame.changed_via[name]
            same = [other for other in others if frame.names.get(other) == block.id]
            sharing = [other for other in others if other not in same]
            if same:
                words = message("steps.changed_same", language, names=", ".join(same))
            elif sharing:
                words = message("steps.changed_via", language, names=", ".join(sharing))
            else:
                words = message("steps.changed_unnamed", language)
            marks.append(("via", words))
        else:
            marks.append(("written", message("steps.written", language)))
    if block.new:
        marks.append(("new", message("steps.new_memory", language)))
    return marks


def caption(timeline: Timeline, index: int) -> str:
    """``step 3 of 4 · line 3 · run 2 of 9 of this line``."""
    frame = timeline.frames[index]
    language = timeline.language
    parts = [
        message("steps.step", language, step=frame.step, total=timeline.steps_total),
        message("steps.line", language, line=frame.line),
    ]
    total = timeline.executions.get(frame.line, 1)
    if total > 1:
        parts.append(message("steps.execution", language, count=frame.execution, total=total))
    return " · ".join(parts)


def gap_before(timeline: Timeline, index: int) -> int:
    """How many executed steps lie between kept frame ``index`` and the kept frame before it."""
    previous = timeline.frames[index - 1].step if index else 0
    return timeline.frames[index].step - previous - 1


# -- the drawing -------------------------------------------------------------------------------------------------
class _Canvas:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.width = 0.0
        self.height = 0.0

    def add(self, svg: str, right: float = 0, bottom: float = 0) -> None:
        self.parts.append(svg)
        self.width = max(self.width, right)
        self.height = max(self.height, bottom)

    def text(self, x: float, y: float, text: str, cls: str = "", anchor: str = "start", size: float = 11) -> None:
        attributes = f' class="{cls}"' if cls else ""
        anchor_attr = f' text-anchor="{anchor}"' if anchor != "start" else ""
        size_attr = f' font-size="{size}"' if size != 11 else ""
        width = text_width(text, size, "tm-mono" in cls)
        right = x + (width if anchor == "start" else width / 2 if anchor == "middle" else 0)
        self.add(
            f'<text x="{x:.1f}" y="{y:.1f}"{attributes}{anchor_attr}{size_attr}>{escape(text)}</text>', right, y + 4
        )


def _box_width(storage: Storage) -> float:
    if storage.values is None:
        return 30.0
    longest = max((len(format_value(v)) for v in storage.values), default=1)
    return float(min(max(30, 7 * longest + 10), 72))


def draw_frame(canvas: _Canvas, frame: Frame, language: str, top: float, left: float, small: int = 64) -> float:
    """Draw ``frame``'s names and memory with their top-left corner at (``left``, ``top``); return the bottom."""
    names = list(frame.names)
    name_width = max([display_width(n) * 7.5 + 16 for n in names] + [48.0])
    memory_left = left + name_width + GAP_ARROWS
    y = top
    anchors: dict[str, float] = {}  # block id -> y of its strip's middle
    marks: dict[str, list[tuple[str, str]]] = {}  # block id -> (kind, short words) of the names referring to it
    for name, ident in frame.names.items():
        for kind, _ in name_marks(frame, name, language):
            short = message({"written": "steps.written", "via": "steps.changed", "new": "steps.new"}[kind], language)
            if (kind, short) not in marks.setdefault(ident, []):
                marks[ident].append((kind, short))
    for storage_id, storage in frame.storages.items():
        members = [block for block in frame.blocks.values() if block.storage == storage_id]
        members.sort(key=lambda b: min(names.index(n) for n, i in frame.names.items() if i == b.id))
        y = _draw_storage(canvas, storage, members, language, y, memory_left, anchors, marks, small)
    homeless = [b for b in frame.blocks.values() if b.storage is None]
    for block in homeless:
        y += 8
        canvas.add(
            f'<rect x="{memory_left:.1f}" y="{y:.1f}" width="{BAR_W}" height="{STRIP_H + 4}" rx="3" '
            f'class="tm-steps-gap" data-block="{escape(block.id)}"/>', memory_left + BAR_W, y + STRIP_H + 4
        )
        anchors[block.id] = y + (STRIP_H + 4) / 2
        words = f"{view_label(block, language)} · {no_memory_reason(block, language)}"
        canvas.text(memory_left + 6, y + STRIP_H - 2, words)
        y += STRIP_H + 4
    if not names:
        canvas.text(left, y + 14, message("steps.no_names", language), "tm-muted")
        return y + 22
    _draw_names(canvas, frame, names, anchors, language, left, top, name_width, memory_left)
    return max(y, canvas.height)


def _draw_storage(
    canvas: _Canvas, storage: Storage, members: list[Block], language: str, top: float, left: float,
    anchors: dict[str, float], marks: dict[str, list[tuple[str, str]]], small: int,
) -> float:
    y = top + 14
    canvas.text(left, y, storage_label(storage, language), "tm-muted")
    x_badge = left + text_width(storage_label(storage, language)) + 12
    if storage.new:
        canvas.text(x_badge, y, message("steps.new", language), "tm-steps-new")
        x_badge += display_width(message("steps.new", language)) * 7 + 12
    if storage.written:
        canvas.text(x_badge, y, message("steps.written_boxes", language, count=len(storage.written)),
                    "tm-steps-badge-written")
    y += 6
    sid = escape(storage.id)
    if not storage.small:
        return _draw_bar(canvas, storage, members, language, y, left, anchors, marks, small)
    width = _box_width(storage)
    written = set(storage.written)
    for segment_start in range(0, storage.length, PER_LINE):
        boxes = range(segment_start, min(segment_start + PER_LINE, storage.length))
        y += 10
        for k in boxes:
            x = left + (k - segment_start) * width
            cls = "tm-steps-box tm-steps-written" if k in written else "tm-steps-box"
            value = format_value(storage.values[k]) if storage.values is not None else ""
            canvas.add(
                f'<g class="{cls}" data-storage="{sid}" data-box="{k}">'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BOX_H}"/>'
                f'<text x="{x + width / 2:.1f}" y="{y + BOX_H / 2 + 4:.1f}" text-anchor="middle" class="tm-mono">'
                f"{escape(value)}</text></g>",
                x + width, y + BOX_H,
            )
            canvas.text(x + 2, y - 2, str(k), "tm-muted", size=8)
        y += BOX_H + 3
        for block in members:
            covered = dict(zip(block.covered or (), block.order or [None] * len(block.covered or ()), strict=True))
            for k in boxes:
                x = left + (k - segment_start) * width
                if k in covered:
                    cls = "tm-steps-cover tm-steps-written" if block.written and k in written else "tm-steps-cover"
                    canvas.add(
                        f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{width - 2:.1f}" height="{STRIP_H}" class="{cls}" '
                        f'data-block="{escape(block.id)}" data-box="{k}"/>', x + width, y + STRIP_H
                    )
                    position = covered[k]
                    if position is not None:
                        canvas.text(x + width / 2, y + STRIP_H - 4, f"#{position}", "tm-steps-cover-text", "middle", 8)
                else:
                    canvas.add(
                        f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{width - 2:.1f}" height="{STRIP_H}" '
                        f'class="tm-steps-gap"/>', x + width, y + STRIP_H
                    )
            if segment_start == 0:
                anchors[block.id] = y + STRIP_H / 2
                _strip_label(canvas, block, marks.get(block.id, []), language, left + len(boxes) * width + 8,
                             y + STRIP_H - 5, row_dtype=storage.dtype)
            y += STRIP_H + STRIP_GAP
    return y + 4


def _draw_bar(
    canvas: _Canvas, storage: Storage, members: list[Block], language: str, top: float, left: float,
    anchors: dict[str, float], marks: dict[str, list[tuple[str, str]]], small: int,
) -> float:
    y = top + 4
    canvas.add(
        f'<g class="tm-steps-box" data-storage="{escape(storage.id)}" data-box="all">'
        f'<rect x="{left:.1f}" y="{y:.1f}" width="{BAR_W}" height="{BOX_H - 8}"/></g>', left + BAR_W, y + BOX_H - 8
    )
    canvas.text(left + 4, y + BOX_H - 13, f"0 … {storage.length - 1:,}", "tm-muted", size=9)
    y += BOX_H - 4
    scale = BAR_W / max(storage.length, 1)
    for block in members:
        first, last = block.span if block.span is not None else (0, -1)
        cls = "tm-steps-cover tm-steps-written" if block.written else "tm-steps-cover"
        # A small view's elements one by one (a strided slice shows its gaps); a large one as the range it spans.
        pieces = [(k, k) for k in block.covered] if block.covered is not None else [(first, last)]
        for low, high in pieces:
            x = left + low * scale
            width = max((high - low + 1) * scale, 2.0)
            canvas.add(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{STRIP_H}" class="{cls}" '
                f'data-block="{escape(block.id)}" data-box="{low}-{high}"/>', x + width, y + STRIP_H
            )
        anchors[block.id] = y + STRIP_H / 2
        extra = message("steps.covers", language, first=first, last=last, total=storage.length) if block.span else ""
        _strip_label(
            canvas, block, marks.get(block.id, []), language, left + BAR_W + 8, y + STRIP_H - 5, extra, storage.dtype
        )
        y += STRIP_H + STRIP_GAP
        note = format_values(block.values, 80) if block.values is not None else values_note(block, language, small)
        if note:
            canvas.text(left + BAR_W + 8, y + 8, note, "tm-muted tm-mono" if block.values is not None else "tm-muted")
            y += 14
    return y + 4


def _strip_label(
    canvas: _Canvas, block: Block, marks: list[tuple[str, str]], language: str, x: float, y: float, extra: str = "",
    row_dtype: str | None = None,
) -> None:
    """Beside a strip: the view's shape, strides and offset, then its marks (written, changed, new) in colour."""
    text = view_label(block, language, row_dtype) + (f" · {extra}" if extra else "")
    canvas.text(x, y, text)
    x += text_width(text) + 10
    for kind, short in marks:
        if kind == "new":
            continue  # said once, in the memory's header
        canvas.text(x, y, f"← {short}", "tm-steps-badge-written")
        x += text_width(f"← {short}") + 12


def _draw_names(
    canvas: _Canvas, frame: Frame, names: Sequence[str], anchors: dict[str, float], language: str, left: float,
    top: float, width: float, memory_left: float,
) -> None:
    wanted = sorted(names, key=lambda n: (anchors.get(frame.names[n], top), names.index(n)))
    last = top - NAME_H
    for name in wanted:
        target = anchors.get(frame.names[name], top + 20)
        y = max(target, last + NAME_H + 3)
        last = y
        kinds = {kind for kind, _ in name_marks(frame, name, language)}
        cls = "tm-steps-name" + (" tm-steps-written" if "written" in kinds else "") + (
            " tm-steps-via" if "via" in kinds else ""
        )
        canvas.add(
            f'<g class="{cls}" data-name="{escape(name)}" data-block="{escape(frame.names[name])}">'
            f'<rect x="{left:.1f}" y="{y - NAME_H / 2:.1f}" width="{width:.1f}" height="{NAME_H}" rx="4"/>'
            f'<text x="{left + 8:.1f}" y="{y + 4:.1f}" class="tm-mono">{escape(name)}</text></g>',
            left + width, y + NAME_H / 2,
        )
        start_x, end_x = left + width, memory_left - 6
        bend = (end_x - start_x) / 2
        canvas.add(
            f'<path class="tm-steps-arrow" marker-end="url(#tm-steps-head)" d="M{start_x:.1f},{y:.1f} '
            f'C{start_x + bend:.1f},{y:.1f} {end_x - bend:.1f},{target:.1f} {end_x:.1f},{target:.1f}"/>', end_x, y
        )


def svg_document(body: str, width: float, height: float, *, standalone: bool, xmlns: bool = True) -> str:
    """Wrap drawn parts in an ``<svg>`` with the styles and the arrow head; ``standalone`` adds a background."""
    ns = ' xmlns="http://www.w3.org/2000/svg"' if xmlns else ""
    background = (
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>' if standalone else ""
    )
    colour = ' color="#1f2328"' if standalone else ' style="max-width:100%;height:auto"'
    return (
        f'<svg{ns} class="tm-steps-svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}"{colour}><style>{_STYLE}</style>'
        '<defs><marker id="tm-steps-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5f6670"/></marker></defs>'
        f"{background}{body}</svg>"
    )


def header(canvas: _Canvas, timeline: Timeline, index: int, top: float) -> float:
    """The caption, the line's code and what it raised, drawn above a frame (for images)."""
    frame = timeline.frames[index]
    y = top + 16
    skipped = gap_before(timeline, index)
    if skipped:
        canvas.text(PAD, y, message("steps.gap", timeline.language, count=skipped), "tm-muted")
        y += 18
    canvas.text(PAD, y, caption(timeline, index), "", size=12)
    y += 18
    for line in frame.source.splitlines()[:3]:
        canvas.text(PAD + 8, y, line, "tm-mono")
        y += 15
    if frame.error:
        canvas.text(PAD + 8, y, "✗ " + message("steps.raised", timeline.language, error=frame.error), "tm-steps-error")
        y += 16
    return y


def frame_svg(timeline: Timeline, index: int, *, standalone: bool = True, xmlns: bool = True) -> str:
    """Kept frame ``index`` drawn alone; ``standalone`` (an image) adds its caption and code above it."""
    canvas = _Canvas()
    top = header(canvas, timeline, index, 0) + 4 if standalone else 4.0
    bottom = draw_frame(canvas, timeline.frames[index], timeline.language, top, PAD, timeline.small)
    return svg_document("".join(canvas.parts), canvas.width + PAD, max(bottom, canvas.height) + PAD,
                        standalone=standalone, xmlns=xmlns)


def filmstrip_svg(timeline: Timeline) -> str:
    """Every kept frame, one below the other, each with its caption: the drawing as one image."""
    canvas = _Canvas()
    y = 0.0
    for index in range(len(timeline.frames)):
        y = header(canvas, timeline, index, y) + 4
        y = max(draw_frame(canvas, timeline.frames[index], timeline.language, y, PAD, timeline.small),
                canvas.height) + 10
        canvas.add(f'<line x1="0" y1="{y:.1f}" x2="100%" y2="{y:.1f}" stroke="#d0d4da"/>', 0, y)
    return svg_document("".join(canvas.parts), canvas.width + PAD, y + PAD, standalone=True)
