"""User settings, as a traitlets ``Configurable`` so ``%config TensorMagic.language = "zh"`` works."""

from __future__ import annotations

from traitlets import Bool, Int, TraitError, Unicode, default, validate
from traitlets.config import Configurable

from .i18n import default_language, normalize_language

MAX_LINES_MIN = 5
"""The fewest lines an explanation may be cut to: its title, a few rows and the "N more" line."""


def check_max_lines(value: object) -> int:
    """``value`` as a line limit, or a ``ValueError`` saying the rule (``TensorMagic.max_lines``, ``--max-lines``)."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValueError(f"max_lines must be a whole number of at least {MAX_LINES_MIN}, not {value!r}") from None
    if number < MAX_LINES_MIN:
        raise ValueError(f"max_lines must be at least {MAX_LINES_MIN}, not {number}")
    return number


PRECISION_RANGE = (0, 16)
"""Digits a value or statistic may be shown with (float64 carries about 16)."""


def check_precision(value: object) -> int:
    """``value`` as a precision, or a ``ValueError`` saying the rule (``TensorMagic.precision``, ``--precision``)."""
    low, high = PRECISION_RANGE
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValueError(f"precision must be a whole number from {low} to {high}, not {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"precision must be from {low} to {high}, not {number}")
    return number


class TensorMagic(Configurable):
    """Settings of the tensormagic IPython extension."""

    language = Unicode(help="Language of every label and sentence: 'en' or 'zh'. Follows the locale by default.").tag(
        config=True
    )
    auto = Bool(False, help="Annotate every tensor and ndarray a cell returns, without typing %tensor.").tag(
        config=True
    )
    precision = Int(4, help="Digits after the decimal point in values and statistics.").tag(config=True)
    stats = Bool(True, help="Compute statistics (min, max, mean, std, NaN/Inf/zero counts) for annotations.").tag(
        config=True
    )
    max_lines = Int(40, help="Most lines an explanation shows before it says how many more there are.").tag(
        config=True
    )

    @default("language")
    def _default_language(self) -> str:
        return default_language()

    @validate("language")
    def _check_language(self, proposal: dict) -> str:
        try:
            return normalize_language(proposal["value"])
        except ValueError as error:
            raise TraitError(str(error)) from None

    @validate("precision")
    def _check_precision(self, proposal: dict) -> int:
        try:
            return check_precision(proposal["value"])
        except ValueError as error:
            raise TraitError(f"TensorMagic.{error}") from None

    @validate("max_lines")
    def _check_max_lines(self, proposal: dict) -> int:
        try:
            return check_max_lines(proposal["value"])
        except ValueError as error:
            raise TraitError(f"TensorMagic.{error}") from None
