"""Displayable annotations: one tensor (``Annotation``), the namespace (``Overview``), other values."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..facts import RAGGED, Facts
from ..i18n import message
from ..sharing import Sharing
from ..stats import Stats
from . import markdown as md
from .common import (
    BADGE_STYLE,
    BOX_STYLE,
    MUTED_STYLE,
    SHADE_STYLE,
    WARN_STYLE,
    escape,
    format_bytes,
    format_count,
    format_number,
    format_shape,
)
from .text import KEEP, Row, display_width, keep_together, output_width, pad, wrap, wrap_rows


def _dtype_label(facts: Facts) -> str:
    return facts.dtype.removeprefix("torch.")


def sharing_sentences(facts: Facts, language: str) -> list[str]:
    """Memory sharing in words a student understands, naming the other variables."""
    sentences = [_sharing_sentence(s, language) for s in facts.shares_with if s.name != facts.name]
    if sentences:
        return sentences
    if facts.device == "meta":
        return [message("share.nothing_meta", language)]
    if facts.is_empty:
        return [message("share.nothing_empty", language)]
    if facts.copies_of:
        return [message("share.copy_of", language, names=", ".join(facts.copies_of))]
    if not facts.sharing_checked:
        return []
    # "Owns its memory" only where it does: a view keeps its unnamed base alive, from_numpy a NumPy array's memory.
    if facts.is_view:
        return [message("share.view_unnamed", language)]
    if facts.borrowed:
        return [message("share.borrowed", language)]
    return [message("share.own", language)]


def _sharing_sentence(sharing: Sharing, language: str) -> str:
    if sharing.relation == "alias":
        return message("share.alias", language, name=sharing.name)
    if sharing.elements == "none":
        return message("share.no_elements", language, name=sharing.name)
    key = {
        "view-of": "share.view_of",
        "base-of": "share.base_of",
        "siblings": "share.siblings",
        "shares": "share.ndarray" if sharing.kind == "ndarray" else "share.tensor",
    }[sharing.relation]
    sentence = message(key, language, name=sharing.name)
    if sharing.elements == "unknown":
        sentence += " " + message("share.unknown_elements", language)
    return sentence


def shape_text(facts: Facts) -> str:
    """The shape as torch writes it; a nested tensor's ragged dimensions as ``*``."""
    if facts.nested is None:
        return format_shape(facts.shape)
    cells = ["*" if n == RAGGED else str(n) for n in facts.shape]
    return "(" + ", ".join(cells) + ("," if len(cells) == 1 else "") + ")"


def _nested_parts(facts: Facts, language: str) -> list[str]:
    nested = facts.nested
    assert nested is not None
    shapes = ", ".join([format_shape(shape) for shape in nested.shapes] + ["…"] * (nested.count > len(nested.shapes)))
    parts = [
        message("label.nested", language, layout=nested.layout, count=nested.count, shapes=shapes)
    ]
    if RAGGED in facts.shape:
        parts.append(message("label.ragged", language))
    return parts


def header_parts(facts: Facts, language: str) -> list[str]:
    """The compact header: kind, shape, dtype, device, size, and layout facts worth a student's eye."""
    parts = [message(f"kind.{facts.kind}", language)]
    parts.append(shape_text(facts) if facts.shape else message("label.scalar", language))
    parts.append(_dtype_label(facts))
    parts.append(facts.device)
    parts.append(format_bytes(facts.nbytes))
    if facts.nested is not None:
        parts.extend(_nested_parts(facts, language))
    elif facts.layout != "strided" and not facts.quantization:  # the quantization label says "quantized" itself
        parts.append(facts.layout)
    if facts.nnz is not None:
        density = f"{facts.nnz / facts.numel:.0%}" if facts.numel else "—"
        parts.append(message("label.nnz", language, nnz=facts.nnz, numel=facts.numel, density=density))
    if facts.quantization:
        parts.append(message("label.quantization", language, scheme=facts.quantization))
    if facts.requires_grad:
        parts.append("requires_grad")
    if facts.grad_fn:
        parts.append(message("label.grad_fn", language, grad_fn=facts.grad_fn))
    return parts


def layout_parts(facts: Facts, language: str) -> list[str]:
    """The second line: how the elements sit in memory."""
    count_key = "label.element" if facts.numel == 1 else "label.elements"
    parts = [message(count_key, language, count=format_count(facts.numel))]
    if facts.strides is not None:
        parts.append(f"{message('label.strides', language)} {format_shape(facts.strides)}")
        parts.append(message("label.contiguous" if facts.contiguous else "label.not_contiguous", language))
    if facts.storage_offset:
        parts.append(f"{message('label.offset', language)} {facts.storage_offset}")
    if facts.storage_nbytes is not None and facts.storage_nbytes != facts.nbytes:
        parts.append(message("label.storage", language, size=format_bytes(facts.storage_nbytes)))
    if facts.expanded:
        parts.append(message("label.expanded", language))
    return parts


def stats_cells(stats: Stats, precision: int, language: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the statistics line."""
    if stats.true_count is not None:
        return [
            (message("stat.true", language), format_count(stats.true_count)),
            (message("stat.false", language), format_count(stats.count - stats.masked - stats.true_count)),
        ]
    cells = [
        (message("stat.min", language), format_number(stats.min, precision)),
        (message("stat.max", language), format_number(stats.max, precision)),
        (message("stat.mean", language), format_number(stats.mean, precision)),
        (message("stat.std", language), format_number(stats.std, precision)),
        (message("stat.zeros", language), format_count(stats.zeros)),
        (message("stat.nan", language), format_count(stats.nan)),
        (message("stat.posinf", language), format_count(stats.posinf)),
        (message("stat.neginf", language), format_count(stats.neginf)),
    ]
    return cells


def stats_notes(facts: Facts, language: str, *, how: bool = True) -> list[str]:
    """What was computed and how (``how``: the statistics footer, left out in brief mode), or why nothing was."""
    stats = facts.stats
    if stats is None:
        key = f"stat.skipped.{facts.stats_skipped or 'unsupported'}"
        note = message(key, language, dtype=_dtype_label(facts))
        return [note + (f" ({facts.stats_error})" if facts.stats_error else "")]
    notes = []
    if stats.masked:
        if stats.masked == stats.count:
            return [message("stat.masked_all", language, count=stats.count)]
        notes.append(message("stat.masked", language, masked=stats.masked, count=stats.count))
    if stats.of != "values" and stats.of != "bool":
        notes.append(message(f"stat.of.{stats.of}", language))
    if stats.has_nonfinite:
        nonfinite = stats.nan + stats.posinf + stats.neginf
        notes.append(
            message("stat.no_finite", language)
            if stats.finite == 0
            else message("stat.finite_only", language, count=nonfinite)
        )
    if not how:
        return notes
    if stats.true_count is not None:
        notes.append(
            message(
                "stat.how_count", language, count=stats.count - stats.masked, chunks=stats.chunks,
            )
        )
        return notes
    notes.append(
        message(
            "stat.how",
            language,
            count=stats.count - stats.masked,
            chunks=stats.chunks,
            chunk=stats.chunk_elements,
            correction=message(f"stat.correction.{stats.correction}", language),
        )
    )
    if stats.std is not None and math.isnan(stats.std):  # one finite value under n-1: as torch.std() says
        notes.append(message("stat.std_undefined", language))
    if stats.repeat > 1:
        notes.append(
            message(
                "stat.how_repeat", language, distinct=format_count(stats.count // stats.repeat),
                repeat=format_count(stats.repeat),
            )
        )
    return notes


def _nonfinite_badge(stats: Stats | None, language: str) -> str | None:
    if stats is None or not stats.has_nonfinite:
        return None
    what = tuple(
        message("stat.nonfinite_item", language, count=count, label=label)
        for count, label in ((stats.nan, "NaN"), (stats.posinf, "+Inf"), (stats.neginf, "-Inf"))
        if count
    )
    return message("stat.nonfinite_warning", language, what=what)


DETAILS = ("full", "brief")
"""How much an annotation or explanation says: everything (a teacher's default), or the point (student mode)."""


def check_detail(detail: str) -> str:
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(map(repr, DETAILS))}, not {detail!r}")
    return detail


def _header_text(facts: Facts, language: str) -> str:
    """The header line; short parts (a shape, "6 elements") never break inside."""
    name = f"{facts.name} · " if facts.name else ""
    return name + " · ".join(_unbroken(part) for part in header_parts(facts, language))


def _unbroken(part: str) -> str:
    return keep_together(part) if display_width(part) <= 24 else part


def _brief_cells(stats: Stats, precision: int, language: str) -> list[tuple[str, str]]:
    """The statistics a student reads: the extremes, mean and spread, and non-finite counts only when there are any."""
    cells = stats_cells(stats, precision, language)
    if stats.true_count is not None:
        return cells
    counted = {message("stat.nan", language), message("stat.posinf", language), message("stat.neginf", language)}
    zero = format_count(0)
    return [cell for cell in cells[:4]] + [(k, v) for k, v in cells[4:] if k in counted and v != zero]


@dataclass
class Annotation:
    """A tensor or array shown with its facts. Holds the values as text, never the object itself.

    ``detail="brief"`` (student mode) leaves out the memory layout line and the statistics footer (how the
    statistics were computed); the facts a student needs, the sharing sentences and the values stay.
    """

    facts: Facts
    values_text: str
    language: str = "en"
    precision: int = 4
    show_stats: bool = True
    detail: str = "full"

    @property
    def brief(self) -> bool:
        return self.detail == "brief"

    def _cells(self) -> list[tuple[str, str]]:
        stats = self.facts.stats
        if not self.show_stats or stats is None:
            return []
        if self.brief:
            return _brief_cells(stats, self.precision, self.language)
        return stats_cells(stats, self.precision, self.language)

    def _notes(self) -> list[str]:
        return stats_notes(self.facts, self.language, how=not self.brief) if self.show_stats else []

    def rows(self) -> list[Row]:
        """The text as (indent, hanging indent, text) rows, before wrapping."""
        facts, language = self.facts, self.language
        rows: list[Row] = [("", "  ", _header_text(facts, language))]
        if not self.brief:
            rows.append(("  ", "    ", " · ".join(_unbroken(p) for p in layout_parts(facts, language))))
        rows.extend(("  ↳ ", "    ", sentence) for sentence in sharing_sentences(facts, language))
        badge = _nonfinite_badge(facts.stats, language)
        if badge:
            rows.append(("  ⚠ ", "    ", badge))
        rows.extend(("", "  ", line) for line in self.values_text.splitlines())
        cells = self._cells()
        if cells:
            rows.append(("", "  ", " · ".join(keep_together(label, value) for label, value in cells)))
        rows.extend(("  ", "    ", note) for note in self._notes())
        return rows

    def lines(self) -> list[str]:
        """The text, one line per row, unwrapped."""
        return [indent + text.replace(KEEP, " ") for indent, _, text in self.rows()]

    def text(self, width: int | None = None) -> str:
        """The text wrapped to ``width`` columns (default: :func:`~.text.output_width`)."""
        return "\n".join(wrap_rows(self.rows(), width or output_width()))

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        facts, language = self.facts, self.language
        badges = "".join(f'<span style="{BADGE_STYLE}">{escape(p)}</span>' for p in header_parts(facts, language))
        name = f"<b>{escape(facts.name)}</b> " if facts.name else ""
        rows = [f"<div>{name}{badges}</div>"]
        if not self.brief:
            rows.append(f'<div style="{MUTED_STYLE}">{escape(" · ".join(layout_parts(facts, language)))}</div>')
        for sentence in sharing_sentences(facts, language):
            rows.append(f"<div>↳ {escape(sentence)}</div>")
        badge = _nonfinite_badge(facts.stats, language)
        if badge:
            rows.append(f'<div><span style="{WARN_STYLE}">⚠ {escape(badge)}</span></div>')
        rows.append(f'<pre style="margin:4px 0;white-space:pre;overflow-x:auto">{escape(self.values_text)}</pre>')
        cells = self._cells()
        if cells:
            head = "".join(f'<th style="padding:0 8px;text-align:right">{escape(k)}</th>' for k, _ in cells)
            body = "".join(f'<td style="padding:0 8px;text-align:right">{escape(v)}</td>' for _, v in cells)
            rows.append(f'<table style="border-collapse:collapse"><tr>{head}</tr><tr>{body}</tr></table>')
        for note in self._notes():
            rows.append(f'<div style="{MUTED_STYLE}">{escape(note)}</div>')
        return f'<div class="tensormagic-annotation" style="{BOX_STYLE}">{"".join(rows)}</div>'

    def markdown(self) -> str:
        """The annotation as Markdown: the header and sharing lines, the values as a code block, the statistics as
        a table, the notes in italics."""
        facts, language = self.facts, self.language
        name = f"**{md.text(facts.name)}** · " if facts.name else ""
        head = [name + " · ".join(md.text(p) for p in header_parts(facts, language))]
        if not self.brief:
            head.append(md.text(" · ".join(layout_parts(facts, language))))
        head.extend("↳ " + md.text(sentence) for sentence in sharing_sentences(facts, language))
        badge = _nonfinite_badge(facts.stats, language)
        if badge:
            head.append("⚠ " + md.text(badge))
        blocks = [md.lines(head), md.block(self.values_text)]
        cells = self._cells()
        if cells:
            blocks.append(
                "\n".join(md.table([md.text(k) for k, _ in cells], [[md.text(v) for _, v in cells]],
                                   right=range(len(cells))))
            )
        notes = self._notes()
        if notes:
            blocks.append(md.lines([f"*{md.text(note)}*" for note in notes]))
        return "\n\n".join(blocks)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self._repr_html_(), "text/markdown": self.markdown()}


@dataclass
class NonTensor:
    """A value that is not a tensor: IPython's own rendering of it, plus one line saying what it is."""

    bundle: dict[str, Any]
    note: str

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.bundle)
        plain = bundle.get("text/plain", "")
        bundle["text/plain"] = f"{plain}\n# {self.note}" if plain else f"# {self.note}"
        if "text/html" in bundle:
            bundle["text/html"] = f'{bundle["text/html"]}<div style="{MUTED_STYLE}">{escape(self.note)}</div>'
        return bundle


@dataclass
class Overview:
    """Tensors and arrays of a namespace, grouped by shared memory: one page of rows, then a summary.

    ``groups`` are the listed rows (facts), group by group. ``members`` holds every name of each listed
    group, also those beyond the page, so a row can say whom it shares memory with; ``total`` counts every
    tensor and array of the namespace, ``unlisted`` those left off the page and ``unlisted_groups`` the
    memory groups they belong to. Output is bounded by the page, whatever the namespace holds.
    """

    groups: Sequence[Sequence[Facts]]
    language: str = "en"
    columns: tuple[str, ...] = field(default=("name", "kind", "shape", "dtype", "device", "size", "memory"))
    members: Sequence[Sequence[str]] | None = None
    total: int | None = None
    unlisted: int = 0
    unlisted_groups: int = 0

    def _group_names(self, index: int) -> Sequence[str]:
        if self.members is not None:
            return self.members[index]
        return [f.name or "?" for f in self.groups[index]]

    def _memory_cell(self, facts: Facts, names: Sequence[str]) -> str:
        if facts.device == "meta" or facts.is_empty:
            reason = "share.nothing_meta" if facts.device == "meta" else "share.nothing_empty"
            return message(reason, self.language)
        others = [name for name in names if name != facts.name]
        if not others:
            return message("overview.alone", self.language)
        shown = list(itertools.islice(others, OVERVIEW_OTHER_NAMES))
        text = message("overview.group", self.language, names=", ".join(shown))
        if len(others) > len(shown):
            text += " " + message("overview.and_more", self.language, count=len(others) - len(shown))
        return text

    def _rows(self) -> list[tuple[list[str], int]]:
        rows = []
        for group_index, group in enumerate(self.groups):
            names = self._group_names(group_index)
            for facts in group:
                rows.append(
                    (
                        [
                            facts.name or "?",
                            message(f"kind.{facts.kind}", self.language),
                            shape_text(facts),
                            _dtype_label(facts),
                            facts.device,
                            format_bytes(facts.nbytes),
                            self._memory_cell(facts, names),
                        ],
                        group_index,
                    )
                )
        return rows

    def _count(self) -> int:
        return self.total if self.total is not None else sum(len(group) for group in self.groups)

    def _title(self) -> str:
        return message("overview.title", self.language, count=self._count())

    def _summary(self) -> str | None:
        if not self.unlisted:
            return None
        return message(
            "overview.more", self.language, count=self.unlisted, groups=self.unlisted_groups,
        )

    def text(self, width: int | None = None) -> str:
        """The table as text within ``width`` columns (default: :func:`~.text.output_width`).

        The memory column, the last and the only long one, wraps under its own start; when even the other
        columns do not fit, each row becomes a wrapped line of its cells.
        """
        width = width or output_width()
        if not self._count():
            return "\n".join(wrap(message("overview.empty", self.language), width))
        header = [message(f"overview.column.{c}", self.language) for c in self.columns]
        rows = [cells for cells, _ in self._rows()]
        widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = wrap(self._title(), width, hang="  ")
        fixed = sum(widths[:-1]) + 2 * (len(widths) - 1)
        if fixed + min(widths[-1], _MEMORY_MIN) <= width:
            hang = " " * fixed
            for cells in [header, *rows]:
                lead = "  ".join(pad(c, w) for c, w in zip(cells[:-1], widths[:-1], strict=True)) + "  "
                lines.extend(wrap(cells[-1], width, indent=lead, hang=hang))
        else:
            for cells in rows:
                lines.extend(wrap(" · ".join(_unbroken(c) for c in cells), width, hang="    "))
        summary = self._summary()
        if summary:
            lines.extend(wrap(summary, width, hang="  "))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        if not self._count():
            return f'<div style="{BOX_STYLE}">{escape(message("overview.empty", self.language))}</div>'
        head = "".join(
            f'<th style="text-align:left;padding:1px 8px">{escape(message(f"overview.column.{c}", self.language))}</th>'
            for c in self.columns
        )
        body = []
        for cells, group in self._rows():
            shade = SHADE_STYLE + ";" if group % 2 else ""
            tds = "".join(f'<td style="padding:1px 8px;{shade}">{escape(c)}</td>' for c in cells)
            body.append(f"<tr>{tds}</tr>")
        summary = self._summary()
        more = f'<div style="{MUTED_STYLE}">{escape(summary)}</div>' if summary else ""
        return (
            f'<div class="tensormagic-overview" style="{BOX_STYLE}"><div><b>{escape(self._title())}</b></div>'
            f'<table style="border-collapse:collapse"><tr>{head}</tr>{"".join(body)}</table>{more}</div>'
        )

    def markdown(self) -> str:
        """The overview as Markdown: its title, a table of the listed rows, the summary of the rest."""
        if not self._count():
            return md.text(message("overview.empty", self.language))
        header = [md.text(message(f"overview.column.{c}", self.language)) for c in self.columns]
        rows = [[md.text(cell) for cell in cells] for cells, _ in self._rows()]
        blocks = [f"**{md.text(self._title())}**", "\n".join(md.table(header, rows))]
        summary = self._summary()
        if summary:
            blocks.append(f"*{md.text(summary)}*")
        return "\n\n".join(blocks)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self._repr_html_(), "text/markdown": self.markdown()}


OVERVIEW_OTHER_NAMES = 5
"""Names a row of the overview lists as sharing its memory before saying how many more do."""


_MEMORY_MIN = 24
"""Columns the memory column needs at least to keep the table layout in a narrow terminal."""
