"""Text and HTML for a :class:`~tensormagic.models.ModelSummary`: the layer table ``%tensor model`` shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import message
from .common import BOX_STYLE, MUTED_STYLE, escape, format_bytes, format_shape
from .text import display_width, fold_columns, output_width, pad, rjust, wrap

if TYPE_CHECKING:
    from ..models import LayerRow, ModelSummary


def _tree(rows: tuple[LayerRow, ...]) -> list[str]:
    """Each row's path drawn under its parent: ``├ `` / ``└ `` before it, ``│ `` for ancestors with siblings after."""

    def is_last(index: int) -> bool:
        depth = rows[index].depth
        for later in rows[index + 1 :]:
            if later.depth < depth:
                return True
            if later.depth == depth:
                return False
        return True

    prefixes: list[str] = []
    open_levels: list[bool] = []  # per depth: whether that ancestor has a sibling still to come
    for index, row in enumerate(rows):
        if row.depth == 0:
            prefixes.append("")
            continue
        last = is_last(index)
        del open_levels[row.depth - 1 :]  # keep the ancestors at depths 1 … depth-1
        prefixes.append("".join("│ " if more else "  " for more in open_levels) + ("└ " if last else "├ "))
        open_levels.append(not last)
    return prefixes


_CELL = "padding:1px 8px;white-space:pre"


def _cells(summary: ModelSummary, language: str) -> list[tuple[str, str, str, str, str]]:
    yes, no = message("model.yes", language), message("model.no", language)
    cells = []
    for prefix, row in zip(_tree(summary.rows), summary.rows, strict=True):
        shape = format_shape(row.output_shape) if row.output_shape is not None else "—"
        if not row.parameters:
            trainable = ""
        elif row.trainable == row.parameters:
            trainable = yes
        elif not row.trainable:
            trainable = no
        else:
            trainable = message("model.partly", language, count=row.trainable, total=row.parameters)
        cells.append(
            (
                prefix + row.path,
                row.summary,
                shape,
                f"{row.parameters:,}" if row.leaf or row.parameters else "",
                trainable,
            )
        )
    return cells


def header(summary: ModelSummary, language: str) -> str:
    return message(
        "model.header",
        language,
        name=summary.name,
        kind=summary.kind,
        parameters=summary.parameters,
        trainable=summary.trainable,
        size=format_bytes(summary.nbytes),
        dtypes=", ".join(summary.dtypes) or "—",
        devices=", ".join(summary.devices) or "—",
    )


def footer(summary: ModelSummary, language: str) -> list[str]:
    lines = []
    if summary.shapes_from == "dry-run" and summary.input_shape is not None:
        lines.append(message("model.shapes_dry_run", language, shape=format_shape(summary.input_shape)))
    elif summary.shapes_from == "last-forward":
        lines.append(message("model.shapes_last", language))
    else:
        lines.append(message("model.shapes_unknown", language))
    if summary.error:
        lines.append(message("model.dry_run_failed", language, error=summary.error))
    if summary.buffers_nbytes:
        lines.append(message("model.buffers", language, size=format_bytes(summary.buffers_nbytes)))
    return lines


def text(summary: ModelSummary, language: str, width: int | None = None) -> str:
    """The layer table as plain text, its columns aligned in display columns (layer names may be Chinese or carry
    emoji) and folded into blocks when wider than ``width`` (default: :func:`~tensormagic.render.text.output_width`);
    header and footer wrapped to it."""
    width = output_width() if width is None else width
    titles = tuple(
        message(f"model.column.{key}", language) for key in ("layer", "type", "output", "parameters", "trainable")
    )
    rows = [titles, *_cells(summary, language)]
    widths = [max(display_width(row[i]) for row in rows) for i in range(5)]
    table = [
        "  "
        + "  ".join(
            rjust(cell, column) if i == 3 else pad(cell, column)
            for i, (cell, column) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    lines = wrap(header(summary, language), width, hang="  ")
    lines.extend(fold_columns(table, width))
    for line in footer(summary, language):
        lines.extend(wrap(line, width, hang="  "))
    return "\n".join(lines)


def html(summary: ModelSummary, language: str) -> str:
    titles = [
        message(f"model.column.{key}", language) for key in ("layer", "type", "output", "parameters", "trainable")
    ]
    head = "".join(f'<th style="text-align:left;padding:1px 8px">{escape(t)}</th>' for t in titles)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="text-align:{"right" if i == 3 else "left"};{_CELL}">{escape(cell)}</td>'
            for i, cell in enumerate(cells)
        )
        + "</tr>"
        for cells in _cells(summary, language)
    )
    notes = "".join(f'<div style="{MUTED_STYLE}">{escape(line)}</div>' for line in footer(summary, language))
    return (
        f'<div class="tensormagic-model" style="{BOX_STYLE}"><div><b>{escape(header(summary, language))}</b></div>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}</div>"
    )
