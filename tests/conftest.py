"""Shared test set-up: make ``tools/`` importable (the notebook tests reuse ``tools/notebooks.py``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / "tools"
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

from collections.abc import Iterator  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

_MODULES = {"torch": torch, "np": np, "nn": nn}

# Hypothesis: the "ci" profile (the default) is derandomized and keeps no example database, so every run of the
# suite tries the same examples and a failure found once cannot haunt later runs of that clone from
# `.hypothesis/`. `HYPOTHESIS_PROFILE=explore` searches afresh (random, with the database) when hunting bugs.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def clear_user_names(ip: object) -> None:
    """Forget the names a test's cells created, keeping the modules every test starts with."""
    namespace = ip.user_ns  # type: ignore[attr-defined]
    hidden = ip.user_ns_hidden  # type: ignore[attr-defined]
    for name in [n for n in namespace if not n.startswith("_") and n not in hidden and n not in _MODULES]:
        del namespace[name]
    # A cell's own `_` (`for _ in range(3)`) makes IPython stop updating `_`, `__` and `___` for good: give them
    # back to the display hook, as a fresh shell has them.
    hook = ip.displayhook  # type: ignore[attr-defined]
    for unders in ("_", "__", "___"):
        if unders in namespace:  # IPython's own value: the hidden one it pushed, else its display hook's
            namespace[unders] = hidden[unders] if unders in hidden else getattr(hook, unders, "")


@pytest.fixture
def shell() -> Iterator[object]:
    """A real IPython shell with tensormagic loaded (English), torch/np/nn imported; unloaded afterwards."""
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "tensormagic")
    ip.run_line_magic("config", 'TensorMagic.language = "en"')
    ip.user_ns.update(_MODULES)
    yield ip
    ip.run_line_magic("unload_ext", "tensormagic")
    clear_user_names(ip)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "wrapped: plain text wraps at its real width (tests of the wrapping itself)")


@pytest.fixture(autouse=True)
def _unwrapped_text(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read what tensormagic says, not where a terminal would wrap it: plain text is not wrapped, whatever the
    terminal running the tests (its width would otherwise decide where lines break). The wrapping itself is tested
    with explicit widths (tests/test_text.py), in a real 80-column terminal (tests/test_terminal.py) and by tests
    marked ``wrapped``."""
    if request.node.get_closest_marker("wrapped"):
        return
    from tensormagic.render import text

    monkeypatch.setattr(text, "NOTEBOOK_WIDTH", 10**6)
    monkeypatch.setattr(text, "terminal_columns", lambda: 10**6)
