"""``tensormagic.steps`` on CUDA: the step tracer adds no synchronisation and reads no values on the device.

Needs only torch and numpy (no IPython), so it runs on a bare GPU machine:
``python -m pytest tests/test_steps_cuda.py --noconftest -q``; skipped where there is no GPU.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from cuda_sync import count_syncs

import tensormagic as tm

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")

SOURCE = (
    "x = torch.arange(6.0, device='cuda').view(2, 3)\n"  # 1: small: its values would be drawn on the CPU
    "y = x.T\n"  # 2: a view of the same device memory
    "x.add_(1)\n"  # 3: a write, seen through the version counter
    "z = x + 1\n"  # 4: new device memory
    "c = x.cpu()\n"  # 5: a copy to the CPU: this one the cell reads itself
    "for _ in range(50):\n"  # 6
    "    z.mul_(0.5)\n"  # 7
)


def test_steps_on_cuda_add_no_synchronisation_and_read_no_values() -> None:
    exec(SOURCE, {"torch": torch})  # the first use of the device synchronises once: not ours to count
    plain: dict[str, Any] = {"torch": torch}
    _, plain_syncs = count_syncs(lambda: exec(SOURCE, plain))
    stepped: dict[str, Any] = {"torch": torch}
    timeline, stepped_syncs = count_syncs(lambda: tm.steps(SOURCE, stepped))
    assert stepped_syncs == plain_syncs, f"steps added {stepped_syncs - plain_syncs} synchronisations"
    assert torch.equal(plain["z"], stepped["z"])
    written = timeline.frame_at(3)
    assert written is not None
    x, y = written.block("x"), written.block("y")
    assert x is not None and y is not None
    assert x.device == "cuda" and x.values is None and not x.exact  # nothing read from the device
    assert x.written and y.written and y.storage == x.storage  # one version counter for a view and its base
    storage = written.storages[x.storage]  # type: ignore[index]
    assert storage.values is None and storage.device == "cuda"
    copy = timeline.frame_at(5)
    assert copy is not None and copy.block("c").values == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]  # type: ignore[union-attr]
    assert "writes seen through torch's version counter only" in timeline.text()
