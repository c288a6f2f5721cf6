"""Small formatting helpers shared by every renderer."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

#: Inline CSS shared by all of tensormagic's HTML. Every element carries its own style: front ends strip
#: ``<style>`` blocks from untrusted notebooks (JupyterLab and Notebook 7 sanitize them), inline styles survive.
#: Text never gets a fixed colour: it inherits the front end's own, so it reads on light, dark and high-contrast
#: themes alike; backgrounds are translucent tints that darken a light theme and lighten a dark one. Where a front
#: end's theme variable says it better (JupyterLab ``--jp-*``, VS Code ``--vscode-*``) it comes second, after a plain
#: value: a browser keeps the last declaration it understands, and the sanitizer of an untrusted notebook drops
#: ``var(...)`` declarations but keeps the plain one before them.
CODE_FONT = (
    "font-family:monospace;"
    "font-family:var(--jp-code-font-family,var(--vscode-editor-font-family,monospace));"
    "font-size:12.5px;font-size:var(--jp-code-font-size,var(--vscode-editor-font-size,12.5px))"
)
ACCENT = "#5b8def"
BOX_STYLE = (
    f"{CODE_FONT};line-height:1.45;border-left:3px solid {ACCENT};"
    "border-left-color:var(--jp-brand-color1,var(--vscode-focusBorder,#5b8def));padding:4px 10px;margin:2px 0;"
    "max-width:100%;overflow-wrap:break-word"
)
MUTED_STYLE = "opacity:0.72"
BADGE_STYLE = "display:inline-block;padding:0 6px;margin:0 4px 2px 0;border-radius:8px;background:rgba(91,141,239,0.16)"
WARN_STYLE = "display:inline-block;padding:0 6px;margin:0 4px 2px 0;border-radius:8px;background:rgba(230,120,30,0.24)"
SHADE_STYLE = "background:rgba(91,141,239,0.08)"


def escape(text: object) -> str:
    """HTML-escape any user-derived text (names, reprs, messages)."""
    return html.escape(str(text), quote=True)


def format_bytes(size: int | None) -> str:
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if value < 1024 or unit == "PB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.3g} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def format_shape(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def format_count(count: int) -> str:
    return f"{count:,}"


def format_number(value: float | int | None, precision: int = 4) -> str:
    """A statistic as a student reads it: integers plain, floats to ``precision`` significant places."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10**6 else str(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 10 ** -(precision) or magnitude >= 1e9):
        return f"{value:.{max(precision - 1, 1)}e}"
    return f"{value:.{precision}g}" if magnitude < 1 else f"{value:.{precision}f}".rstrip("0").rstrip(".")
