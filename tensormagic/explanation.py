"""Model objects of ``%%explain`` / :func:`tensormagic.explain`: plain data, no references to user tensors.

``Explanation.steps`` -> ``Step(line, source, calls)`` -> ``Call(name, count, result, notes)`` ->
``Note(code, text)``. Results are :class:`~tensormagic.facts.Facts` (computed with ``stats=False``).
Notes keep their message key and numbers (``params``) so they can be re-worded in another language.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .facts import Facts


@dataclass(frozen=True)
class Claim:
    """One checkable assertion a note makes, recorded at the moment of the call.

    ``kind`` says what is asserted about ``subject`` (``"result"``, ``"input:0"`` or a name in the cell's
    namespace); ``value`` is the other side (a dtype name, a shape, another name). The claims checker
    (``tests/claims.py``) compares each with the truth taken independently at that moment.
    """

    kind: str
    subject: str
    value: Any = None
    when: str = "call"  # "call": right after the call; "statement": once the statement (its assignment) finished
    site: int = 0  # the recorded call site it is about (``Site.order``)


@dataclass(frozen=True)
class Note:
    """One plain-language remark with a stable ``code`` (see :data:`tensormagic.notes.CODES`) and its numbers.

    ``key`` and ``params`` re-word it in another language; ``claims`` are what it asserts, as data.
    """

    code: str
    text: str
    key: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    claims: tuple[Claim, ...] = field(default=(), compare=False, hash=False)

    def in_language(self, language: str) -> Note:
        if not self.key:
            return self
        from .i18n import message

        return replace(self, text=message(self.key, language, **self.params))


@dataclass
class Call:
    """One torch function as called on one line, aggregated over every time that line ran it."""

    name: str
    count: int
    result: Facts | None
    notes: list[Note] = field(default_factory=list)
    inputs: tuple[Facts, ...] = ()
    expression: str = ""  # the call as written, e.g. "torch.from_numpy(n1)"
    result_text: str = ""  # non-tensor results: "int 10", "tuple of 2 tensors"
    first_shape: tuple[int, ...] | None = None
    last_shape: tuple[int, ...] | None = None
    error: str | None = None
    errors: int = 0
    layer: str | None = None  # made inside a model's forward pass: the layer's path (``model[0]``)
    group: str | None = None  # … and the module the cell called (``model``): one forward pass
    group_kind: str = ""  # that module's type (``Sequential``)
    forward: str = ""  # the cell's call that ran the forward pass, as written (``model(x)``)
    forward_at: tuple[int, int, int, int] | None = None  # where in the cell that call is: one pass per place

    @property
    def codes(self) -> list[str]:
        return [note.code for note in self.notes]


@dataclass
class Step:
    """A line of the cell and the torch calls it made, in the order they were first made."""

    line: int
    source: str
    calls: list[Call] = field(default_factory=list)


@dataclass
class Explanation:
    """Everything ``%%explain`` says about one cell. Displays as text (terminal) or HTML (notebooks)."""

    source: str
    steps: list[Step] = field(default_factory=list)
    language: str = "en"
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # the user's exception, "TypeName: message" (the cell failed)
    max_lines: int = 40
    detail: str = "full"  # "brief": one line per call, for students (see tensormagic.render.explanation)

    @property
    def calls(self) -> list[Call]:
        return [call for step in self.steps for call in step.calls]

    def notes(self, code: str | None = None) -> list[Note]:
        return [note for call in self.calls for note in call.notes if code is None or note.code == code]

    def codes(self) -> set[str]:
        return {note.code for note in self.notes()}

    def find(self, name: str, line: int | None = None) -> list[Call]:
        return [
            call for step in self.steps if line is None or step.line == line for call in step.calls if call.name == name
        ]

    def in_language(self, language: str) -> Explanation:
        """The same explanation worded in ``language`` (``en`` or ``zh``)."""
        steps = [
            Step(
                step.line,
                step.source,
                [replace(call, notes=[note.in_language(language) for note in call.notes]) for call in step.calls],
            )
            for step in self.steps
        ]
        return replace(self, steps=steps, language=language)

    def lines(self) -> list[str]:
        """The text, one line per code line, call and note, unwrapped."""
        from .render.explanation import text_lines

        return text_lines(self)

    def text(self, width: int | None = None) -> str:
        """The text wrapped to ``width`` columns (default: the terminal's, or a fixed width in notebooks)."""
        from .render.explanation import to_text

        return to_text(self, width)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        from .render.explanation import to_html

        return to_html(self)

    def markdown(self) -> str:
        """The explanation as Markdown (the ``text/markdown`` entry of its display)."""
        from .render.explanation import to_markdown

        return to_markdown(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self._repr_html_(), "text/markdown": self.markdown()}
