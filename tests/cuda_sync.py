"""Counting CUDA synchronisations, shared by the GPU tests (importable without conftest: the device runs
them with ``--noconftest``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch


def count_syncs(action: Callable[[], Any]) -> tuple[Any, int]:
    """Run ``action`` with torch's synchronisation debug mode on; return its result and the syncs it made.

    Only real syncs count: the first use of the debug mode also warns that it "is a prototype feature".
    """
    torch.cuda.synchronize()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            result = action()
        finally:
            torch.cuda.set_sync_debug_mode("default")
    return result, sum("called a synchronizing CUDA operation" in str(w.message) for w in caught)
