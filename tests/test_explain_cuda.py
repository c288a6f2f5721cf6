"""``%%explain`` on CUDA: layers' forward passes and dtype conversions add no synchronisation and read no values.

Needs only torch and numpy (no IPython), so it runs on a bare GPU machine:
``python -m pytest tests/test_explain_cuda.py --noconftest -q``; skipped where there is no GPU.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from cuda_sync import count_syncs

import tensormagic as tm

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")

SOURCE = (
    "layer = torch.nn.Linear(64, 8).cuda()\n"  # 1
    "x = torch.rand(16, 64, device='cuda')\n"  # 2
    "y = layer(x)\n"  # 3
    "conv = torch.nn.Conv2d(3, 4, 3, padding=1).cuda()\n"  # 4
    "c = conv(torch.rand(2, 3, 8, 8, device='cuda'))\n"  # 5
    "p = torch.nn.functional.max_pool2d(c, 2)\n"  # 6
    "i = (x[:1, :4] * 10).int()\n"  # 7: a tiny CUDA tensor: its values are not read
    "h = x[:1, :4].half()\n"  # 8
    "s = torch.rand(3, device='cuda') + torch.rand(1, device='cuda')\n"  # 9
)


def test_cuda_layers_and_conversions_add_no_synchronisation() -> None:
    exec(SOURCE, {"torch": torch})  # first use of cuBLAS/cuDNN synchronises once: not ours to count
    torch.manual_seed(3)
    plain: dict[str, Any] = {"torch": torch}
    _, plain_syncs = count_syncs(lambda: exec(SOURCE, plain))
    state = torch.cuda.get_rng_state()
    torch.manual_seed(3)
    explained: dict[str, Any] = {"torch": torch}
    e, explained_syncs = count_syncs(lambda: tm.explain(SOURCE, explained))
    assert torch.equal(torch.cuda.get_rng_state(), state)
    assert torch.equal(plain["y"], explained["y"]) and torch.equal(plain["i"], explained["i"])
    assert explained_syncs == plain_syncs, f"explain added {explained_syncs - plain_syncs} synchronisations"
    lines = {step.line: [call.name for call in step.calls] for step in e.steps}
    assert lines[3] == ["torch.nn.functional.linear"] and 1 not in lines and 4 not in lines
    (linear,) = e.find("torch.nn.functional.linear")
    assert linear.codes == ["matmul-shape"] and linear.notes[0].params["rows"] == 16
    (conv,) = e.find("torch.conv2d")
    assert conv.codes == ["conv-shape", "conv-shape"]
    (to_int,) = e.find("Tensor.int")
    assert [n.key for n in to_int.notes] == ["note.dtype.truncate"]  # the general sentence: no values read
    (half,) = e.find("Tensor.half")
    assert [n.key for n in half.notes] == ["note.dtype.half"]
    rands = e.find("torch.rand", line=9)
    assert len(rands) == 2  # different numbers drawn, so two calls with their own notes
