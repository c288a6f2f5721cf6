"""Shared test set-up: make ``tools/`` importable (the notebook tests reuse ``tools/notebooks.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / "tools"
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))
