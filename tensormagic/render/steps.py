"""A :class:`~tensormagic.timeline.Timeline` as text, as a static image, and as one standalone HTML page.

- :func:`timeline_text`: every kept step as a compact table (terminal IPython, and the plain-text fallback);
- :func:`static_bundle`: ``text/plain``, ``image/svg+xml`` (all steps one below the other) and ``text/html`` whose
  drawing is an ``<img>`` of that SVG: JupyterLab and Notebook sanitize untrusted HTML and show no SVG output for an
  untrusted notebook, but keep an image (``data:`` URL), so the drawing survives wherever the notebook is opened;
- :func:`standalone_html`: the code, a slider with previous/next buttons and the drawing of each step in one file,
  inline CSS and JavaScript only (no network), for a slide or a course page.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

from ..i18n import message
from .common import BOX_STYLE, MUTED_STYLE, escape, format_shape
from .steps_svg import (
    caption,
    dtype_label,
    filmstrip_svg,
    format_values,
    frame_svg,
    gap_before,
    name_marks,
    no_memory_reason,
    storage_label,
    values_note,
)
from .text import display_width, pad

if TYPE_CHECKING:
    from ..timeline.model import Frame, Timeline


def title(timeline: Timeline) -> str:
    language = timeline.language
    if not timeline.frames:
        return message("steps.none", language)
    lines = len(timeline.executions)
    if len(timeline.frames) < timeline.steps_total:
        return message("steps.title_kept", language, steps=timeline.steps_total, lines=lines, kept=len(timeline.frames))
    return message("steps.title", language, steps=timeline.steps_total, lines=lines)


def _memory_cell(frame: Frame, name: str) -> str:
    block = frame.block(name)
    if block is None:
        return ""
    if block.storage is None:
        return "—"
    if block.span is None:
        return block.storage
    first, last = block.span
    return f"{block.storage}[{first}]" if first == last else f"{block.storage}[{first}–{last}]"


def frame_lines(timeline: Timeline, index: int) -> list[str]:
    """One step as text: its caption and code, a table of its names, its memory rows."""
    frame = timeline.frames[index]
    language = timeline.language
    lines: list[str] = []
    skipped = gap_before(timeline, index)
    if skipped:
        lines.append(message("steps.gap", language, count=skipped))
    source = frame.source.splitlines() or [""]
    lines.append(f"── {caption(timeline, index)} ──  {source[0].strip()}")
    lines.extend(f"   {line}" for line in source[1:])
    if frame.error:
        lines.append("  ✗ " + message("steps.raised", language, error=frame.error))
    header = [message("steps.names", language), "kind", "shape", "dtype", "strides", "offset", "memory", "values"]
    rows = []
    for name in frame.names:
        block = frame.block(name)
        assert block is not None
        values = format_values(block.values, 40) if block.values is not None else ""
        if block.storage is None:
            values = no_memory_reason(block, language)
        elif not values:
            values = values_note(block, language, timeline.small) or ""
        marks = "; ".join(words for _, words in name_marks(frame, name, language))
        rows.append([
            name, message(f"steps.kind.{block.kind}", language), format_shape(block.shape), dtype_label(block.dtype),
            format_shape(block.strides) if block.strides is not None else "?", str(block.storage_offset),
            _memory_cell(frame, name), values + (f"   ← {marks}" if marks else ""),
        ])
    if rows:
        widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        lines.append("  " + "  ".join(pad(h, w) for h, w in zip(header, widths, strict=False)) + "  " + header[-1])
        for row in rows:
            lines.append("  " + "  ".join(pad(c, w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1])
    else:
        lines.append("  " + message("steps.no_names", language))
    if any(not block.exact for block in frame.blocks.values() if block.storage is not None):
        lines.append("  " + message("steps.version_only", language))
    for storage in frame.storages.values():
        text = "  " + storage_label(storage, language)
        if storage.new:
            text += " · " + message("steps.new", language)
        if storage.values is not None:
            written = set(storage.written)
            cells = [
                f"[{format_values(v)}]" if k in written else format_values(v) for k, v in enumerate(storage.values)
            ]
            text += ":  " + " ".join(cells)
        if storage.written:
            text += "   " + message("steps.written_mark", language)
        lines.append(text)
    return lines


def timeline_text(timeline: Timeline) -> str:
    language = timeline.language
    lines = [title(timeline)]
    for index in range(len(timeline.frames)):
        lines.extend(frame_lines(timeline, index))
    lines.extend(skipped_lines(timeline))
    if timeline.error:
        lines.append("⚠ " + message("steps.cell_failed", language, error=timeline.error))
    lines.extend("⚠ " + warning for warning in timeline.warnings)
    return "\n".join(lines)


def skipped_lines(timeline: Timeline) -> list[str]:
    """One sentence per line whose runs were not all kept: how many were not."""
    return [
        message("steps.skipped", timeline.language, count=count, line=line, first=timeline.kept_first,
                last=timeline.kept_last)
        for line, count in sorted(timeline.skipped.items())
    ]


def data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _footer_html(timeline: Timeline) -> str:
    language = timeline.language
    parts = [f'<div style="{MUTED_STYLE}">{escape(line)}</div>' for line in skipped_lines(timeline)]
    if timeline.error:
        parts.append(f"<div>⚠ {escape(message('steps.cell_failed', language, error=timeline.error))}</div>")
    parts.extend(f"<div>⚠ {escape(warning)}</div>" for warning in timeline.warnings)
    return "".join(parts)


def static_html(timeline: Timeline, filmstrip: str | None = None) -> str:
    """The steps as HTML that survives sanitizing: the title, the drawing as an ``<img>``, the text beside it."""
    svg = filmstrip if filmstrip is not None else filmstrip_svg(timeline)
    body = (
        f'<img src="{data_url(svg)}" alt="{escape(title(timeline))}" style="max-width:100%;height:auto">'
        if timeline.frames else ""
    )
    return (
        f'<div class="tensormagic-steps-static" style="{BOX_STYLE}"><div><b>{escape(title(timeline))}</b></div>'
        f'<div style="{MUTED_STYLE}">{escape(message("steps.static", timeline.language))}</div>'
        f"{body}{_footer_html(timeline)}</div>"
    )


def static_bundle(timeline: Timeline) -> dict[str, str]:
    """``text/plain``, ``image/svg+xml`` and ``text/html`` (the same drawing as an image) of every kept step."""
    filmstrip = filmstrip_svg(timeline) if timeline.frames else None
    bundle = {"text/plain": timeline_text(timeline), "text/html": static_html(timeline, filmstrip)}
    if filmstrip is not None:
        bundle["image/svg+xml"] = filmstrip
    return bundle


def code_html(timeline: Timeline, line: int | None) -> str:
    """The cell's lines, numbered, the current one highlighted (``tm-steps-current``)."""
    rows = []
    width = len(str(len(timeline.lines)))
    for number, text in enumerate(timeline.lines, start=1):
        current = number == line
        style = "background:rgba(91,141,239,0.22);font-weight:bold" if current else ""
        cls = ' class="tm-steps-current"' if current else ""
        arrow = "➜" if current else " "
        rows.append(
            f'<div{cls} style="white-space:pre;{style}">{arrow} {number:>{width}}  {escape(text)}</div>'
        )
    return (
        f'<div class="tm-steps-code" style="font-family:monospace;font-family:var(--jp-code-font-family,monospace);'
        f'font-size:12.5px;line-height:1.5">{"".join(rows)}</div>'
    )


def notes_html(timeline: Timeline, frame: Frame) -> str:
    """What the frame's line raised, and each name's marks (written, changed through shared memory) in words."""
    language = timeline.language
    parts = []
    if frame.error:
        parts.append(
            f'<div style="color:#d1495b">✗ {escape(message("steps.raised", language, error=frame.error))}</div>'
        )
    for name in frame.names:
        for kind, words in name_marks(frame, name, language):
            if kind != "new":
                parts.append(f"<div>• <b>{escape(name)}</b>: {escape(words)}</div>")
    if any(not block.exact for block in frame.blocks.values() if block.storage is not None):
        parts.append(f'<div style="{MUTED_STYLE}">{escape(message("steps.version_only", language))}</div>')
    return f'<div class="tm-steps-notes">{"".join(parts)}</div>'


def step_caption_html(timeline: Timeline, index: int) -> str:
    gap = gap_before(timeline, index)
    text = escape(caption(timeline, index))
    if gap:
        skipped = escape(message("steps.gap", timeline.language, count=gap))
        text = f'<span style="{MUTED_STYLE}">{skipped}</span> ' + text
    return f'<div class="tm-steps-caption"><b>{text}</b></div>'


_PAGE_SCRIPT = """
(function () {
  var frames = JSON.parse(document.getElementById('tm-steps-data').textContent);
  var slider = document.getElementById('tm-steps-slider');
  var show = function (k) {
    k = Math.max(0, Math.min(frames.length - 1, k));
    slider.value = String(k);
    var f = frames[k];
    document.getElementById('tm-steps-caption').innerHTML = f.caption;
    document.getElementById('tm-steps-drawing').innerHTML = f.svg;
    document.getElementById('tm-steps-notes').innerHTML = f.notes;
    document.getElementById('tm-steps-code').innerHTML = f.code;
  };
  slider.addEventListener('input', function () { show(parseInt(slider.value, 10)); });
  var at = function () { return parseInt(slider.value, 10); };
  document.getElementById('tm-steps-prev').addEventListener('click', function () { show(at() - 1); });
  document.getElementById('tm-steps-next').addEventListener('click', function () { show(at() + 1); });
  document.addEventListener('keydown', function (e) {
    if (e.target === slider) { return; }
    if (e.key === 'ArrowLeft') { show(at() - 1); }
    if (e.key === 'ArrowRight') { show(at() + 1); }
  });
  show(0);
})();
"""


def standalone_html(timeline: Timeline) -> str:
    """One HTML file: every kept step pre-drawn (inline SVG), shown one at a time by an inline script."""
    language = timeline.language
    frames = [
        {
            "caption": step_caption_html(timeline, index),
            "svg": frame_svg(timeline, index, standalone=False, xmlns=False),
            "notes": notes_html(timeline, frame),
            "code": code_html(timeline, frame.line),
        }
        for index, frame in enumerate(timeline.frames)
    ]
    # Inside <script type="application/json"> only "</" could end the element early.
    data = json.dumps(frames, ensure_ascii=False).replace("</", "<\\/")
    last = max(len(frames) - 1, 0)
    fallback = "".join(
        f'<section>{f["caption"]}{f["svg"]}{f["notes"]}</section>' for f in frames
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh" if language == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{escape(message('steps.page_title', language))}</title>"
        "<style>body{font-family:sans-serif;margin:16px;color:#1f2328;background:#fff}"
        ".tm-steps-layout{display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap}"
        ".tm-steps-controls{display:flex;gap:8px;align-items:center;margin:8px 0}"
        "#tm-steps-slider{width:320px}button{font-size:14px;padding:2px 10px}</style></head><body>"
        f"<h3>{escape(title(timeline))}</h3>"
        '<div class="tm-steps-controls">'
        f'<button id="tm-steps-prev" type="button">{escape(message("steps.previous", language))}</button>'
        f'<input id="tm-steps-slider" type="range" min="0" max="{last}" step="1" value="0" '
        f'aria-label="{escape(message("steps.slider", language))}">'
        f'<button id="tm-steps-next" type="button">{escape(message("steps.next", language))}</button></div>'
        '<div id="tm-steps-caption"></div>'
        '<div class="tm-steps-layout"><div id="tm-steps-code"></div><div id="tm-steps-drawing"></div></div>'
        '<div id="tm-steps-notes"></div>'
        f'<p style="opacity:.7;font-size:12px">{escape(message("steps.legend", language))}</p>'
        f"{_footer_html(timeline)}"
        f'<noscript>{fallback}</noscript>'
        f'<script type="application/json" id="tm-steps-data">{data}</script>'
        f"<script>{_PAGE_SCRIPT}</script></body></html>\n"
    )
