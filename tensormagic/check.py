"""``tensormagic.check``: tell a student what their exercise answer has right, what it has wrong, and a hint.

An exercise is data (``tensormagic/exercises.py``): the names a student must define and the facts each must have
(:class:`Expect`: what kind of object, shape, element type, memory shared or not shared with a named array, values
within a tolerance). Checking reads the real objects through :func:`tensormagic.describe` (shape, dtype, memory
sharing by byte ranges) and compares values with torch, then reports each fact as right or wrong in the student's
language, with a hint for the first thing to fix and the concept card to revisit. It never reveals the answer: the
expected values and any solution code are never printed (the shape or element type an exercise statement asks for
may be). A fault of tensormagic's own while checking one name is reported as a line of the report, not raised.

    check("01.evens")                      # a course exercise, names looked up where check() is called
    check("01.evens", language="zh")       # 中文
    check(Exercise("mine", (Expect("w", shape=(3, 2), dtype="torch.float32", values=1.0),)))

:func:`assess` returns the :class:`Report` instead of printing it. :func:`answered` guards a check cell of an
exercise's own (see its docstring).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import torch

from .exercises import EXERCISES, Exercise, Expect, Kind
from .facts import describe
from .i18n import catalogs, message, normalize_language

Fact = Literal["defined", "kind", "shape", "dtype", "shares", "owns", "values", "choice"]

#: Marks in front of each finding: right, wrong, not checked.
MARKS = {True: "✓", False: "✗", None: "·"}


@dataclass(frozen=True)
class Finding:
    """One fact about one name: right (``ok`` True), wrong (False) or not checked (None), in words."""

    name: str
    fact: Fact
    ok: bool | None
    text: str


@dataclass(frozen=True)
class Report:
    """What :func:`check` prints: the findings, a hint for the first wrong one, the card to revisit.

    Holds words only, never the student's objects.
    """

    exercise: str
    language: str
    findings: tuple[Finding, ...]
    hint: str | None = None
    topic: str | None = None
    done: str | None = None

    @property
    def passed(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def wrong(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.ok is False)

    def text(self) -> str:
        lines = [message("check.title", self.language, exercise=self.exercise)]
        lines += [f"  {MARKS[f.ok]} {f.text}" for f in self.findings]
        if self.passed:
            lines.append(message("check.passed", self.language) + (f" {self.done}" if self.done else ""))
            return "\n".join(lines)
        lines.append(message("check.failed", self.language, count=len(self.wrong) or 1))
        if all(f.fact == "defined" for f in self.wrong):
            return "\n".join(lines)  # nothing answered yet: the finding says what to do, a hint would be noise
        if self.hint:
            lines.append(message("check.hint", self.language, text=self.hint))
        if self.topic:
            lines.append(message("check.revisit", self.language, topic=self.topic))
        return "\n".join(lines)

    __str__ = text

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())


class UnknownExerciseError(KeyError):
    """No exercise has this id (the message lists the known ones)."""

    def __str__(self) -> str:
        return str(self.args[0])


def exercises() -> dict[str, Exercise]:
    """The course's exercises by id (``tensormagic/exercises.py``)."""
    return EXERCISES


def check(
    exercise: str | Exercise,
    namespace: Mapping[str, Any] | None = None,
    *,
    language: str | None = None,
) -> None:
    """Print what the answer to ``exercise`` has right and wrong, with a hint; never the answer.

    ``exercise`` is a course exercise's id (``"01.evens"``) or an :class:`Exercise`. ``namespace`` is where the
    answer's names live: by default the caller's variables (a notebook's globals). ``language`` defaults to
    ``TensorMagic.language`` when the extension is loaded, else to the locale.
    """
    if namespace is None:
        namespace = _caller_namespace(sys._getframe(1))
    print(assess(exercise, namespace, language=language).text())


def assess(
    exercise: str | Exercise,
    namespace: Mapping[str, Any] | None = None,
    *,
    language: str | None = None,
) -> Report:
    """The :class:`Report` :func:`check` prints."""
    if namespace is None:
        namespace = _caller_namespace(sys._getframe(1))
    lang = normalize_language(language) if language else _session_language()
    if isinstance(exercise, str):
        known = exercises()
        if exercise not in known:
            raise UnknownExerciseError(message("check.unknown", lang, exercise=exercise, known=", ".join(known)))
        exercise = known[exercise]
    findings: list[Finding] = []
    for expect in exercise.expects:
        try:
            findings.extend(_check_name(expect, namespace, lang))
        except Exception as error:  # a fault of ours (an object describe cannot read): one line, never a traceback
            text = message("check.fault", lang, name=expect.name, error=f"{type(error).__name__}: {error}")
            findings.append(Finding(expect.name, "defined", None, text))
    first_wrong = next((f for f in findings if f.ok is False), None)
    hint = _hint(exercise.id, first_wrong, lang) if first_wrong else None
    done = _catalog_text(f"check.done.{exercise.id}", lang)
    return Report(exercise.id, lang, tuple(findings), hint, exercise.topic, done)


def answered(
    exercise_id: str,
    *names: str,
    namespace: Mapping[str, Any] | None = None,
    language: str | None = None,
) -> bool:
    """True when every one of ``names`` is defined and no longer ``...``; otherwise print what to do and say False.

    For an exercise whose check cell is its own code (a notebook that asks ``tm.steps`` or a card for the truth):
    the check cell runs its code under ``if answered("06.allocating", "allocating"):``, so a student copy run as
    handed out says, in the student's language and with :func:`check`'s words, which names still need an answer,
    instead of failing inside the check with an error about ``Ellipsis``.
    """
    if namespace is None:
        namespace = _caller_namespace(sys._getframe(1))
    lang = normalize_language(language) if language else _session_language()
    findings: list[Finding] = []
    for name in names:
        value = namespace.get(name, _MISSING)
        if value is _MISSING:
            findings.append(Finding(name, "defined", False, message("check.undefined", lang, name=name)))
        elif value is Ellipsis:
            findings.append(Finding(name, "defined", False, message("check.placeholder", lang, name=name)))
    if not findings:
        return True
    print(Report(exercise_id, lang, tuple(findings)).text())
    return False


# -- finding the namespace and the language ---------------------------------------------------------------------------
def _caller_namespace(frame: Any) -> Mapping[str, Any]:
    # A notebook cell runs with the user namespace as its globals; inside a function, its locals come first.
    if frame.f_locals is frame.f_globals:
        return frame.f_globals  # type: ignore[no-any-return]
    return {**frame.f_globals, **frame.f_locals}


def _session_language() -> str:
    """``TensorMagic.language`` of the running shell's extension, else the locale's language."""
    if "IPython" in sys.modules:
        from .magics import session_language

        language = session_language()
        if language:
            return language
    return normalize_language(None)


def _catalog_text(key: str, language: str) -> str | None:
    return message(key, language) if key in catalogs()["en"] else None


def _hint(exercise_id: str, finding: Finding, language: str) -> str | None:
    for key in (
        f"check.hint.{exercise_id}.{finding.name}.{finding.fact}",
        f"check.hint.{exercise_id}.{finding.fact}",
        f"check.hint.{exercise_id}",
    ):
        text = _catalog_text(key, language)
        if text is not None:
            return text
    return None


# -- the checks -------------------------------------------------------------------------------------------------------
_MISSING = object()


def _check_name(expect: Expect, namespace: Mapping[str, Any], lang: str) -> list[Finding]:
    name = expect.name
    value = namespace.get(name, _MISSING)
    if value is _MISSING:
        return [Finding(name, "defined", False, message("check.undefined", lang, name=name))]
    if value is Ellipsis:
        return [Finding(name, "defined", False, message("check.placeholder", lang, name=name))]
    actual_kind = _kind_of(value)
    expected_words = message(f"check.kind.{expect.kind}", lang)
    if actual_kind != expect.kind:
        actual_words = (
            message(f"check.kind.{actual_kind}", lang)
            if actual_kind
            else message("check.kind.other", lang, type_name=type(value).__name__)
        )
        text = message("check.kind_wrong", lang, name=name, actual=actual_words, expected=expected_words)
        return [Finding(name, "kind", False, text)]
    findings = [Finding(name, "kind", True, message("check.kind_ok", lang, name=name, kind=expected_words))]
    if expect.kind in ("tensor", "ndarray"):
        findings += _check_array(expect, value, namespace, lang)
    elif expect.kind == "list":
        findings += _check_list(expect, value, lang)
    elif expect.kind == "str":
        findings += _check_str(expect, value, lang)
    elif expect.values is not None:
        findings.append(_check_number(expect, value, lang))
    return findings


def _kind_of(value: object) -> Kind | None:
    if isinstance(value, torch.Tensor):
        return "tensor"
    if isinstance(value, np.ndarray):
        return "ndarray"
    if isinstance(value, bool):
        return None  # True is an int to Python, never an answer to "how many"
    if isinstance(value, Integral):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "str"
    return None


def _shape_text(shape: Sequence[int]) -> str:
    return str(tuple(shape))


def _check_array(expect: Expect, value: Any, namespace: Mapping[str, Any], lang: str) -> list[Finding]:
    name = expect.name
    facts = describe(value, namespace, stats=False)
    findings: list[Finding] = []
    shape_right = expect.shape is None or tuple(facts.shape) == tuple(expect.shape)
    if expect.shape is not None:
        if shape_right:
            text = message("check.shape_ok", lang, shape=_shape_text(facts.shape))
            findings.append(Finding(name, "shape", True, text))
        else:
            text = message("check.shape_wrong", lang, name=name, actual=_shape_text(facts.shape),
                           expected=_shape_text(expect.shape))
            findings.append(Finding(name, "shape", False, text))
    if expect.dtype is not None:
        if facts.dtype == expect.dtype:
            findings.append(Finding(name, "dtype", True, message("check.dtype_ok", lang, dtype=facts.dtype)))
        else:
            text = message("check.dtype_wrong", lang, name=name, actual=facts.dtype, expected=expect.dtype)
            findings.append(Finding(name, "dtype", False, text))
    shared = {s.name for s in facts.shares_with if s.elements != "none"}
    # "shares" expects the memory in common, "owns" expects none: one verdict, read either way.
    expectations: tuple[tuple[Fact, tuple[str, ...], bool, str, str], ...] = (
        ("shares", expect.shares_with, True, "check.shares_ok", "check.shares_wrong"),
        ("owns", expect.owns, False, "check.owns_ok", "check.owns_wrong"),
    )
    for aspect, others, should_share, ok_key, wrong_key in expectations:
        for other in others:
            if other not in namespace:
                findings.append(Finding(name, aspect, False, message("check.other_undefined", lang, other=other)))
                continue
            right = (other in shared) == should_share
            text = message(ok_key if right else wrong_key, lang, name=name, other=other)
            findings.append(Finding(name, aspect, right, text))
    if expect.values is not None:
        if not shape_right:
            findings.append(Finding(name, "values", None, message("check.values_skipped", lang)))
        else:
            findings.append(_compare_array(expect, value, lang))
    return findings


def _readable(value: Any) -> torch.Tensor:
    """The student's values as a dense CPU float64/complex128 tensor (a small exercise answer: a copy is cheap)."""
    tensor = torch.as_tensor(value) if isinstance(value, np.ndarray) else value
    if tensor.device.type == "meta":
        raise ValueError("a meta tensor has a shape but no values")
    tensor = tensor.detach()
    if tensor.layout != torch.strided:
        tensor = tensor.to_dense()
    if tensor.is_complex():
        return tensor.cpu().to(torch.complex128)
    return tensor.cpu().to(torch.float64)


def _compare_array(expect: Expect, value: Any, lang: str) -> Finding:
    name = expect.name
    try:
        actual = _readable(value)
    except Exception as error:  # meta, quantized, an unreadable subclass: say so instead of failing the check
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return Finding(name, "values", False, message("check.values_unreadable", lang, name=name, reason=reason))
    expected = torch.as_tensor(expect.values, dtype=actual.dtype).expand(actual.shape)
    floating = expect.dtype is None or "float" in expect.dtype or "complex" in expect.dtype
    close = torch.isclose(actual, expected, rtol=expect.rtol, atol=expect.atol) if floating else actual == expected
    wrong = int((~close).sum())
    if wrong == 0:
        if actual.dim() == 0:
            return Finding(name, "values", True, message("check.value_ok", lang, value=_number_text(actual.item())))
        return Finding(name, "values", True, message("check.values_ok", lang))
    if actual.dim() == 0:
        return Finding(name, "values", False,
                       message("check.value_wrong", lang, name=name, value=_number_text(actual.item())))
    first = tuple(int(i) for i in torch.nonzero(~close)[0])
    index = str(first[0]) if len(first) == 1 else str(list(first))
    text = message("check.values_wrong", lang, name=name, wrong=wrong, total=actual.numel(), index=index,
                   value=_element_text(value, first, actual))
    return Finding(name, "values", False, text)


def _element_text(value: Any, index: tuple[int, ...], readable: torch.Tensor) -> str:
    """The student's element at ``index`` as its own type shows it (``3``, not ``3.0``, for an integer tensor)."""
    try:
        return _number_text(value[index].item())
    except Exception:  # a subclass or layout that cannot be indexed: the float64 copy still has the number
        return _number_text(readable[index].item())


def _number_text(number: Any) -> str:
    if isinstance(number, float) and number.is_integer() and math.isfinite(number):
        return f"{number:.1f}"
    if isinstance(number, float):
        return f"{number:.6g}"
    return repr(number)


def _check_number(expect: Expect, value: Any, lang: str) -> Finding:
    name = expect.name
    if isinstance(expect.values, float) or isinstance(value, float):
        right = isinstance(value, Real) and math.isclose(float(value), float(expect.values),
                                                         rel_tol=expect.rtol, abs_tol=expect.atol)
    else:
        right = value == expect.values
    if right:
        return Finding(name, "values", True, message("check.value_ok", lang, value=_number_text(value)))
    return Finding(name, "values", False, message("check.value_wrong", lang, name=name, value=_number_text(value)))


def _check_list(expect: Expect, value: list[Any], lang: str) -> list[Finding]:
    name = expect.name
    expected = list(expect.values or [])
    if len(value) != len(expected):
        text = message("check.length_wrong", lang, name=name, actual=len(value), expected=len(expected))
        skipped = message("check.values_skipped", lang)
        return [Finding(name, "shape", False, text), Finding(name, "values", None, skipped)]
    wrong = [i for i, (mine, right) in enumerate(zip(value, expected, strict=True)) if not _same_item(mine, right)]
    if not wrong:
        return [Finding(name, "values", True, message("check.values_ok", lang))]
    text = message("check.values_wrong", lang, name=name, wrong=len(wrong), total=len(expected),
                   index=str(wrong[0]), value=_number_text(value[wrong[0]]))
    return [Finding(name, "values", False, text)]


def _same_item(mine: Any, right: Any) -> bool:
    if isinstance(mine, bool) or not isinstance(mine, Real):
        return False
    return bool(mine == right)


def _check_str(expect: Expect, value: str, lang: str) -> list[Finding]:
    name = expect.name
    if expect.choices and value not in expect.choices:
        choices = ", ".join(repr(choice) for choice in expect.choices)
        return [Finding(name, "choice", False,
                        message("check.choice_wrong", lang, name=name, value=repr(value), choices=choices))]
    if value == expect.values:
        return [Finding(name, "values", True, message("check.value_ok", lang, value=repr(value)))]
    return [Finding(name, "values", False, message("check.value_wrong", lang, name=name, value=repr(value)))]


__all__ = [
    "Exercise", "Expect", "Finding", "Report", "UnknownExerciseError", "answered", "assess", "check", "exercises",
]
