"""Small SVG drawings: heat maps, grey images, bar charts, decision regions, storage strips.

No plotting library is a dependency of tensormagic. The drawings go inline into widgets (``ipywidgets.HTML``) and,
for untrusted notebooks whose sanitizer removes inline ``<svg>``, into static HTML as images of themselves
(:func:`as_image`). A drawing is a self-contained picture: it paints its own white background and dark ink, because
an SVG shown as an image does not inherit the page's colours, and a light sheet stays legible on dark themes too.
Every function takes plain Python numbers (lists), never tensors, so a drawing keeps no tensor alive.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Sequence

from .common import escape
from .text import display_width, pad, rjust

#: Blue for positive/high, orange for negative/low: distinguishable for the common colour-blindnesses.
_POSITIVE = (49, 104, 214)
_NEGATIVE = (230, 120, 30)


def _mix(weight: float, colour: tuple[int, int, int]) -> str:
    """``colour`` faded toward white by ``1 - weight`` (weight in [0, 1])."""
    weight = 0.0 if math.isnan(weight) else max(0.0, min(1.0, weight))
    r, g, b = (round(255 - (255 - c) * weight) for c in colour)
    return f"rgb({r},{g},{b})"


def grey(value: float, low: float, high: float) -> str:
    """A grey level: ``low`` black, ``high`` white."""
    span = high - low
    level = 0.5 if span <= 0 or math.isnan(value) else (value - low) / span
    shade = round(255 * max(0.0, min(1.0, level)))
    return f"rgb({shade},{shade},{shade})"


def diverging(value: float, limit: float) -> str:
    """Blue for positive, orange for negative, white at zero; ``limit`` is full colour."""
    if limit <= 0 or math.isnan(value):
        return "rgb(255,255,255)"
    return _mix(abs(value) / limit, _POSITIVE if value >= 0 else _NEGATIVE)


def sequential(value: float, low: float, high: float) -> str:
    """White at ``low`` to full blue at ``high``."""
    span = high - low
    return _mix(0.0 if span <= 0 else (value - low) / span, _POSITIVE)


PAPER = "#ffffff"
INK = "#222222"
FONT = "font-family:'Noto Sans CJK SC','Noto Sans',sans-serif"


def _svg(width: float, height: float, body: str, title: str = "") -> str:
    label = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" style="{FONT};font-size:10px;fill:{INK}">'
        f'{label}<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="{PAPER}"/>{body}</svg>'
    )


def as_image(drawing: str, alt: str = "") -> str:
    """``drawing`` as an ``<img>`` of its own SVG: what survives the HTML sanitizer of an untrusted notebook.

    The sanitizer removes inline ``<svg>`` (its text would run together, unreadable) but keeps ``<img>`` with a
    ``data:`` source, and the image keeps the drawing's size.
    """
    width, height = _size(drawing)
    source = "data:image/svg+xml;base64," + base64.b64encode(drawing.encode("utf-8")).decode("ascii")
    return (
        f'<img src="{source}" width="{width:.0f}" height="{height:.0f}" alt="{escape(alt)}" '
        'style="max-width:100%;height:auto;vertical-align:top">'
    )


def images_of(markup: str, alt: str = "") -> str:
    """``markup`` (a drawing, or HTML around several) with every inline ``<svg>`` turned into its :func:`as_image`."""
    return _INLINE_SVG.sub(lambda drawing: as_image(drawing.group(0), alt), markup)


_INLINE_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def tint(value: float, limit: float) -> str:
    """A translucent blue (positive) or orange (negative) wash for a table cell, stronger the larger ``|value|``.

    Translucent, so it darkens a light theme's background and lightens a dark one, and the theme's own text colour
    stays readable on it (at most 45% colour: WCAG contrast above 4.5 in JupyterLab Light and Dark).
    """
    if limit <= 0 or math.isnan(value):
        return "rgba(0,0,0,0)"
    weight = min(abs(value) / limit, 1.0) * 0.45
    r, g, b = _POSITIVE if value >= 0 else _NEGATIVE
    return f"rgba({r},{g},{b},{weight:.2f})"


def _size(drawing: str) -> tuple[float, float]:
    head = drawing[: drawing.index(">")]
    width = float(head.split(' width="', 1)[1].split('"', 1)[0])
    height = float(head.split(' height="', 1)[1].split('"', 1)[0])
    return width, height


def heatmap(
    matrix: Sequence[Sequence[float]],
    *,
    row_labels: Sequence[str] = (),
    column_labels: Sequence[str] = (),
    cell: int = 26,
    numbers: bool = True,
    low: float | None = None,
    high: float | None = None,
    title: str = "",
) -> str:
    """A matrix as coloured cells (white to blue), each with its value written in it."""
    rows = len(matrix)
    columns = len(matrix[0]) if rows else 0
    flat = [v for row in matrix for v in row if not math.isnan(v)]
    low = min(flat, default=0.0) if low is None else low
    high = max(flat, default=1.0) if high is None else high
    left = 6 + 7 * max((display_width(s) for s in row_labels), default=0)  # a Chinese label is twice as wide
    top = 14 if column_labels else 2
    parts = []
    for j, label in enumerate(column_labels):
        x = left + j * cell + cell / 2
        parts.append(f'<text x="{x:.1f}" y="10" text-anchor="middle">{escape(label)}</text>')
    for i, row in enumerate(matrix):
        if i < len(row_labels):
            y = top + i * cell + cell / 2 + 3
            parts.append(f'<text x="{left - 4}" y="{y:.1f}" text-anchor="end">{escape(row_labels[i])}</text>')
        for j, value in enumerate(row):
            if math.isnan(value):  # a ragged matrix: nothing to draw here
                continue
            x, y = left + j * cell, top + i * cell
            fill = sequential(value, low, high)
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#ccc"/>')
            if numbers:
                level = 0.0 if high <= low else (value - low) / (high - low)
                ink = "#fff" if level > 0.6 else "#222"
                parts.append(
                    f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 3:.1f}" text-anchor="middle" '
                    f'fill="{ink}" font-size="9">{value:.2f}</text>'
                )
    return _svg(left + columns * cell + 2, top + rows * cell + 2, "".join(parts), title)


def image(pixels: Sequence[Sequence[float]], *, cell: int = 8, signed: bool = False, title: str = "") -> str:
    """A 2-D array as a picture: grey levels, or blue/orange around zero when ``signed``."""
    flat = [v for row in pixels for v in row]
    low, high = min(flat, default=0.0), max(flat, default=1.0)
    limit = max(abs(low), abs(high))
    parts = []
    for i, row in enumerate(pixels):
        for j, value in enumerate(row):
            fill = diverging(value, limit) if signed else grey(value, low, high)
            parts.append(f'<rect x="{j * cell}" y="{i * cell}" width="{cell}" height="{cell}" fill="{fill}"/>')
    height = len(pixels) * cell
    width = (len(pixels[0]) if pixels else 0) * cell
    frame = f'<rect x="0" y="0" width="{width}" height="{height}" fill="none" stroke="#888"/>'
    return _svg(width + 1, height + 1, "".join(parts) + frame, title)


def bars(
    values: Sequence[float],
    labels: Sequence[str] = (),
    *,
    width: int = 320,
    height: int = 110,
    highlight: int | None = None,
    log: bool = False,
    title: str = "",
) -> str:
    """A bar chart (histogram counts, gradient norms …); ``log`` uses a log scale for the heights."""
    count = max(len(values), 1)
    scaled = [math.log10(v) if log and v > 0 else (v if not log else float("nan")) for v in values]
    finite = [v for v in scaled if not math.isnan(v)]
    low = min(min(finite, default=0.0), 0.0) if not log else min(finite, default=0.0) - 0.5
    high = max(finite, default=1.0)
    span = (high - low) or 1.0
    plot_height = height - 16
    step = width / count
    parts = []
    for k, value in enumerate(scaled):
        bar = 0.0 if math.isnan(value) else (value - low) / span * plot_height
        colour = "rgb(230,120,30)" if k == highlight else "rgb(49,104,214)"
        parts.append(
            f'<rect x="{k * step + 1:.1f}" y="{plot_height - bar:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{bar:.1f}" fill="{colour}"/>'
        )
        if k < len(labels) and labels[k]:
            parts.append(
                f'<text x="{k * step + step / 2:.1f}" y="{height - 3}" text-anchor="middle">{escape(labels[k])}</text>'
            )
    parts.append(f'<line x1="0" y1="{plot_height}" x2="{width}" y2="{plot_height}" stroke="#888"/>')
    return _svg(width, height, "".join(parts), title)


def regions(
    grid: Sequence[Sequence[int]],
    points: Sequence[tuple[float, float, int]],
    *,
    extent: tuple[float, float] = (-0.5, 1.5),
    size: int = 150,
    radius: float = 7,
    title: str = "",
) -> str:
    """Decision regions of a 2-D classifier (``grid[row][col]``, row 0 at the top) plus its data points.

    Points are written with their label inside when ``radius`` leaves room for it (>= 6).
    """
    rows = len(grid)
    columns = len(grid[0]) if rows else 1
    cw, ch = size / columns, size / max(rows, 1)
    parts = []
    for i, row in enumerate(grid):
        for j, label in enumerate(row):
            fill = "rgb(190,208,245)" if label else "rgb(250,221,190)"
            parts.append(
                f'<rect x="{j * cw:.2f}" y="{i * ch:.2f}" width="{cw + 0.3:.2f}" height="{ch + 0.3:.2f}" '
                f'fill="{fill}"/>'
            )
    low, high = extent
    for x, y, label in points:
        px = (x - low) / (high - low) * size
        py = (1 - (y - low) / (high - low)) * size
        colour = "rgb(49,104,214)" if label else "rgb(230,120,30)"
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{radius}" fill="{colour}" stroke="#222"/>')
        if radius >= 6:
            parts.append(f'<text x="{px:.1f}" y="{py + 3.5:.1f}" text-anchor="middle" fill="#fff">{label}</text>')
    parts.append(f'<rect x="0" y="0" width="{size}" height="{size}" fill="none" stroke="#888"/>')
    return _svg(size + 1, size + 1, "".join(parts), title)


def storage_strip(
    cells: int,
    covered: Sequence[int],
    *,
    first: int = 0,
    order: dict[int, int] | None = None,
    cell: int = 22,
    per_row: int = 32,
    title: str = "",
) -> str:
    """A storage as numbered boxes ``first .. first+cells-1``; the boxes a view covers are filled.

    ``order`` maps a storage index to the position of that element in the view (row-major), written
    under the box, so a transpose or a strided slice shows how the view walks through memory.
    """
    covered_set = set(covered)
    parts = []
    rows = max(1, math.ceil(cells / per_row))
    for k in range(cells):
        index = first + k
        x, y = (k % per_row) * cell, (k // per_row) * (cell + 14)
        hit = index in covered_set
        fill = "rgb(49,104,214)" if hit else "rgb(235,235,235)"
        ink = "#fff" if hit else "#666"
        parts.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}" stroke="#999"/>')
        parts.append(
            f'<text x="{x + (cell - 2) / 2:.1f}" y="{y + cell / 2 + 2:.1f}" text-anchor="middle" fill="{ink}" '
            f'font-size="8">{index}</text>'
        )
        if order is not None and index in order:
            parts.append(
                f'<text x="{x + (cell - 2) / 2:.1f}" y="{y + cell + 9:.1f}" text-anchor="middle" '
                f'fill="rgb(49,104,214)" font-size="8">#{order[index]}</text>'
            )
    width = min(cells, per_row) * cell
    return _svg(max(width, cell), rows * (cell + 14), "".join(parts), title)


# -- plain-text counterparts, for terminal IPython and other front ends without HTML --------------------------
def text_regions(
    grid: Sequence[Sequence[int]],
    points: Sequence[tuple[float, float, int]] = (),
    *,
    extent: tuple[float, float] = (-0.5, 1.5),
    row_step: int = 2,
) -> list[str]:
    """Decision regions as characters: ``#`` predicts 1, ``·`` predicts 0; data points as their label digit.

    Every ``row_step``-th row is kept because a terminal character is about twice as tall as it is wide.
    """
    rows = [["#" if label else "·" for label in row] for row in grid]
    size = len(rows)
    if not size:
        return []
    columns = len(rows[0])
    low, high = extent
    for x, y, label in points:
        column = min(columns - 1, max(0, round((x - low) / (high - low) * (columns - 1))))
        row = min(size - 1, max(0, round((1 - (y - low) / (high - low)) * (size - 1))))
        row -= row % row_step  # land on a row that is kept
        rows[row][column] = str(label)
    return ["".join(row) for row in rows[::row_step]]


def text_image(pixels: Sequence[Sequence[float]], *, signed: bool = False) -> list[str]:
    """A small 2-D array as characters: a grey ramp, or ``+``/``-`` strength around zero when ``signed``."""
    flat = [v for row in pixels for v in row]
    low, high = min(flat, default=0.0), max(flat, default=1.0)
    limit = max(abs(low), abs(high)) or 1.0
    ramp = " .:-=+*#%@"
    out = []
    for row in pixels:
        if signed:
            cells = ["+" if v > limit / 2 else "-" if v < -limit / 2 else "·" if v == 0 else "," for v in row]
        else:
            span = (high - low) or 1.0
            cells = [ramp[min(len(ramp) - 1, int((v - low) / span * (len(ramp) - 1) + 0.5))] for v in row]
        out.append("".join(c * 2 for c in cells))  # doubled: square-ish pixels in a terminal
    return out


def text_matrix(
    matrix: Sequence[Sequence[float]], row_labels: Sequence[str], column_labels: Sequence[str], digits: int = 2
) -> list[str]:
    """A labelled matrix of numbers, columns right-aligned (wide enough for the widest number, minus sign included)."""
    numbers = [len(f"{v:.{digits}f}") for row in matrix for v in row]
    width = max([display_width(c) for c in column_labels] + numbers + [digits + 2])
    label_width = max((display_width(r) for r in row_labels), default=0)
    header = " " * (label_width + 1) + " ".join(rjust(c, width) for c in column_labels)
    lines = [header]
    for label, row in zip(row_labels, matrix, strict=True):
        cells = " ".join(f"{v:>{width}.{digits}f}" for v in row)
        lines.append(pad(label, label_width) + " " + cells)
    return lines

