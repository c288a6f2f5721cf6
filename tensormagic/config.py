"""User settings, as a traitlets ``Configurable`` so ``%config TensorMagic.language = "zh"`` works."""

from __future__ import annotations

import sys
from typing import Any

from traitlets import Bool, Enum, Int, TraitError, Unicode, default, validate
from traitlets.config import Config, Configurable

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
    detail = Enum(
        ["full", "brief"], "full",
        help="How much %%explain and %tensor say. 'full' (the default): every call with its inputs, every note "
        "with its code, the statistics and how they were computed. 'brief' (student mode): one line per call with "
        "its point, each rule (broadcasting, matrix multiplication) stated once per cell, no statistics footer.",
    ).tag(config=True)

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

    def update_config(self, config: Any) -> None:
        """``%config TensorMagic.x = v``: a refused value leaves no trace in the shell's config either.

        ``%config`` merges the value into the shell's config before asking each configurable to take it; left there,
        a refused value would be refused again, with a warning, at every later ``%load_ext``.
        """
        before = {name: getattr(self, name) for name in self.trait_names(config=True)}
        try:
            super().update_config(config)
        except TraitError:
            shell_config = getattr(self.parent, "config", None)
            section = shell_config.get("TensorMagic") if shell_config is not None else None
            if section is not None:
                for name in list(config.get("TensorMagic", {})):
                    if name in before:
                        section[name] = before[name]
            raise


_WARNED: set[tuple[str, str]] = set()


def settings_for(shell: Any) -> TensorMagic:
    """The settings from the shell's config, keeping every valid one; one warning names each refused setting."""
    section = shell.config.get("TensorMagic", {}) if getattr(shell, "config", None) is not None else {}
    known = TensorMagic.class_traits(config=True)
    refused: dict[str, str] = {}
    kept = Config()
    for name, value in dict(section).items():
        if name not in known:
            refused[name] = "no such setting"
            continue
        try:
            TensorMagic(config=Config({"TensorMagic": {name: value}}))
        except TraitError as error:
            refused[name] = str(error).splitlines()[0]
            continue
        kept[name] = value
    if refused:
        fresh = [(name, reason) for name, reason in refused.items() if (name, repr(section[name])) not in _WARNED]
        if fresh:
            listed = "; ".join(f"{name} = {section[name]!r}: {reason}" for name, reason in fresh)
            print(f"tensormagic: ignoring invalid settings ({listed}); the others are kept", file=sys.stderr)
            _WARNED.update((name, repr(section[name])) for name, _ in fresh)
    config = Config()
    config.TensorMagic = kept
    return TensorMagic(parent=shell, config=config)
