"""The timeline against the truth: each kept frame compared with a plain run of the same code instrumented line by line.

The truth comes from code of its own: a trace function of this test records, at every line event of a plain
``exec`` of the source, every tensor and array the namespace holds (values by ``tolist()``, the address of every
element, the allocation it lies in and all its bytes). It keeps every object alive, so no address is reused and
"new memory" is simply an allocation never seen before. Step *k* of the truth is the line of event *k* and the
namespace at event *k + 1*. Compared for every kept frame: the line, the names, each name's kind, dtype, shape,
strides and values, which names are one object, which share an allocation, whose elements overlap, what was written
at this step, what is new, and the names said to have changed through shared memory. Over the reference examples
and a stream of course operations drawn by hypothesis (derandomized: the "ci" profile).
"""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tensormagic as tm
from tensormagic.timeline import SMALL, Frame, Timeline

_COUNTER = itertools.count(1)
try:
    from numpy.lib.array_utils import byte_bounds as _byte_bounds  # NumPy 2
except ImportError:  # NumPy 1
    _byte_bounds = np.byte_bounds


@dataclass
class Seen:
    """One object as the truth saw it."""

    ident: int
    kind: str
    dtype: str
    shape: tuple[int, ...]
    strides: tuple[int, ...] | None
    values: Any
    addresses: list[int]  # of every element's first byte, in row-major order
    itemsize: int
    allocation: tuple[int, int] | None  # [start, end) of the memory it lies in


@dataclass
class Truth:
    lines: list[int] = field(default_factory=list)  # the line of each line event
    states: list[dict[str, Seen]] = field(default_factory=list)  # the namespace at each event
    memory: list[dict[tuple[int, int], bytes]] = field(default_factory=list)  # every allocation's bytes, per event
    kept: list[Any] = field(default_factory=list)  # every object seen: alive until the test ends
    error: BaseException | None = None
    faults: list[str] = field(default_factory=list)

    def step(self, number: int) -> tuple[int, dict[str, Seen], dict[tuple[int, int], bytes]]:
        """Step ``number`` (1-based): its line and the state once it finished."""
        return self.lines[number - 1], self.states[number], self.memory[number]


def _allocation(value: Any) -> tuple[tuple[int, int] | None, bytes | None]:
    if isinstance(value, torch.Tensor):
        storage = value.untyped_storage()
        if not storage.nbytes() or value.device.type != "cpu":
            return None, None
        return (storage.data_ptr(), storage.data_ptr() + storage.nbytes()), bytes(storage.tolist())
    owner = value
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if isinstance(owner.base, torch.Tensor):
        return _allocation(owner.base)
    if not owner.nbytes:
        return None, None
    low, high = _byte_bounds(owner)
    return (low, high), owner.tobytes(order="A") if owner.flags.contiguous else None


def _seen(value: Any) -> Seen | None:
    if isinstance(value, torch.Tensor):
        t = value.detach()
        if t.layout != torch.strided or t.is_nested or t.device.type != "cpu":
            return None
        start, item = t.data_ptr(), t.element_size()
        strides: tuple[int, ...] | None = tuple(t.stride())
        byte_strides = [s * item for s in t.stride()]
        values = t.resolve_conj().resolve_neg().tolist() if t.numel() <= SMALL else None
        kind, dtype, numel = "tensor", str(t.dtype), t.numel()
    elif isinstance(value, np.ndarray):
        start, item = value.__array_interface__["data"][0], value.itemsize
        byte_strides = list(value.strides)
        strides = tuple(s // item for s in value.strides) if all(s % item == 0 for s in value.strides) else None
        values = value.tolist() if value.size <= SMALL else None
        kind, dtype, numel = "ndarray", str(value.dtype), value.size
    else:
        return None
    shape = tuple(value.shape)
    addresses = (
        [start + sum(i * s for i, s in zip(index, byte_strides, strict=True)) for index in np.ndindex(*shape)]
        if numel and numel <= 4096 else []
    )
    allocation, _ = _allocation(value)
    return Seen(id(value), kind, dtype, shape, strides, values, addresses, item, allocation)


def truth_run(source: str, namespace: dict[str, Any]) -> Truth:
    """Run ``source`` plainly with this test's own line tracer; everything it sees is kept alive."""
    filename = f"<truth-{next(_COUNTER)}>"
    code = compile(source, filename, "exec")
    truth = Truth()

    def snapshot(frame: Any) -> None:
        state: dict[str, Seen] = {}
        memory: dict[tuple[int, int], bytes] = {}
        for name, value in frame.f_locals.items():
            seen = _seen(value)
            if seen is None:
                continue
            truth.kept.append(value)
            state[name] = seen
            allocation, data = _allocation(value)
            if allocation is not None and data is not None:
                memory[allocation] = data
        truth.states.append(state)
        truth.memory.append(memory)

    def local(frame: Any, event: str, arg: Any) -> Any:
        try:
            if event == "line":
                snapshot(frame)
                truth.lines.append(frame.f_lineno)
            elif event == "return":
                snapshot(frame)
        except Exception as fault:  # noqa: BLE001 - the truth's own fault: the test fails on it, not the program
            truth.faults.append(repr(fault))
        return local

    def global_trace(frame: Any, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename == filename else None

    previous = sys.gettrace()
    sys.settrace(global_trace)
    try:
        exec(code, namespace)
    except Exception as error:  # noqa: BLE001 - the program may raise: both runs stop at the same line
        truth.error = error
    finally:
        sys.settrace(previous)
    return truth


def _same_values(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_values(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b) and type(a) is type(b)


def _written_addresses(before: dict[tuple[int, int], bytes], after: dict[tuple[int, int], bytes]) -> set[int]:
    changed: set[int] = set()
    for allocation, data in after.items():
        old = before.get(allocation)
        if old is not None and len(old) == len(data):
            changed.update(allocation[0] + k for k in range(len(data)) if data[k] != old[k])
    return changed


def compare(timeline: Timeline, truth: Truth) -> list[str]:
    """One line per disagreement between a kept frame and the truth of its step."""
    problems: list[str] = []
    assert timeline.steps_total == len(truth.lines), (timeline.steps_total, len(truth.lines))
    seen_allocations: list[tuple[int, int]] = []
    known_before: list[list[tuple[int, int]]] = []
    for state in truth.states:
        known_before.append(list(seen_allocations))
        seen_allocations.extend(s.allocation for s in state.values() if s.allocation is not None)
    for frame in timeline.frames:
        line, state, memory = truth.step(frame.step)
        where = f"step {frame.step} (line {frame.line}: {frame.source!r})"
        if frame.line != line:
            problems.append(f"{where}: the truth ran line {line}")
            continue
        names = set(state)
        if set(frame.names) != names:
            problems.append(f"{where}: names {sorted(frame.names)}, the truth {sorted(names)}")
            continue
        written = _written_addresses(truth.memory[frame.step - 1], memory)
        problems.extend(_compare_frame(frame, state, where, written, known_before[frame.step]))
    return problems


def _compare_frame(
    frame: Frame, state: dict[str, Seen], where: str, written: set[int], known: list[tuple[int, int]]
) -> list[str]:
    problems: list[str] = []
    for name, seen in state.items():
        block = frame.block(name)
        assert block is not None
        facts = (block.kind, block.dtype, block.shape, block.strides)
        expected = (seen.kind, seen.dtype, seen.shape, seen.strides)
        if facts != expected:
            problems.append(f"{where}: {name} is {facts}, the truth {expected}")
        if seen.values is not None and not _same_values(block.values, seen.values):
            problems.append(f"{where}: {name} values {block.values}, the truth {seen.values}")
        if seen.allocation is not None and seen.addresses:
            covered = {a + k for a in seen.addresses for k in range(seen.itemsize)}
            was_written = bool(covered & written)
            small = frame.storages[block.storage].small if block.storage else False  # type: ignore[index]
            if block.written != was_written and (small or block.exact):
                problems.append(f"{where}: {name} written={block.written}, the truth {was_written}")
            start, end = seen.allocation
            is_new = not any(low < end and start < high for low, high in known)  # memory never seen before
            if block.new != is_new:
                problems.append(f"{where}: {name} new={block.new}, the truth {is_new}")
    for (a, sa), (b, sb) in itertools.combinations(state.items(), 2):
        if (frame.names[a] == frame.names[b]) != (sa.ident == sb.ident):
            problems.append(f"{where}: {a} and {b} one object: {frame.names[a] == frame.names[b]}, truth not")
        same_memory = sa.allocation is not None and sb.allocation is not None and (
            sa.allocation[0] < sb.allocation[1] and sb.allocation[0] < sa.allocation[1]
        )
        block_a, block_b = frame.block(a), frame.block(b)
        assert block_a is not None and block_b is not None
        ours = block_a.storage is not None and block_a.storage == block_b.storage
        if ours != same_memory:
            problems.append(f"{where}: {a} and {b} same memory: {ours}, the truth {same_memory}")
        if sa.addresses and sb.addresses and sa.itemsize == sb.itemsize:
            overlap = bool(set(sa.addresses) & set(sb.addresses))
            if frame.shares(a, b) != overlap and block_a.covered is not None and block_b.covered is not None:
                problems.append(f"{where}: {a} and {b} share elements: {frame.shares(a, b)}, the truth {overlap}")
    mentioned_written = {n for n in state if frame.block(n).written}  # type: ignore[union-attr]
    for name, others in frame.changed_via.items():
        if name not in mentioned_written:
            problems.append(f"{where}: {name} said changed, but it was not written")
        for other in others:
            if other not in mentioned_written or frame.block(other).storage != frame.block(name).storage:  # type: ignore[union-attr]
                problems.append(f"{where}: {name} said to share with {other}, which was not written beside it")
    return problems


def check(source: str) -> tuple[Timeline, list[str]]:
    truth = truth_run(source, {"np": np, "torch": torch})
    assert not truth.faults, truth.faults
    try:
        timeline = tm.steps(source, {"np": np, "torch": torch})
    except Exception as error:  # noqa: BLE001 - the same error the truth run met
        assert truth.error is not None and type(error) is type(truth.error), (error, truth.error)
        timeline = error.tensormagic_timeline  # type: ignore[attr-defined]
    else:
        assert truth.error is None, truth.error
    return timeline, compare(timeline, truth)


REFERENCE = {
    "section 4": "n1 = np.array([[1, 2, 3], [4, 5, 6]])\nt1 = torch.from_numpy(n1)\nt1[0][0] = 8888\n"
    "t2 = torch.tensor(n1)\n",
    "transpose then view": "a = torch.arange(6).view(2, 3)\nb = a.T\nc = b.reshape(6)\nd = b.contiguous().view(6)\n"
    "b.view(6)\n",
    "clone": "x = torch.arange(4.0)\ny = x.clone()\ny[0] = 100.0\n",
    "detach": "w = torch.ones(3, requires_grad=True)\nd = w.detach()\nd[1] = 5.0\n",
    "rebinding": "x = torch.zeros(2)\ny = x\nx = x + 1\n",
    "numpy of a tensor": "t = torch.arange(5.0)\nn = t.numpy()\nn[2] = -1.0\nt.mul_(2)\nm = n[::2]\n",
    "views of a view": "t = torch.arange(12).reshape(3, 4)\nrow = t[1]\ncol = t[:, 2]\nrow.fill_(0)\ncol += 100\n",
    "a loop": "acc = torch.zeros(3)\nfor k in range(9):\n    acc += k\nacc2 = acc * 2\n",
    "large memory": "big = torch.zeros(300)\nsmall = big[10:14]\nbig[11] = 7.0\nother = big[200:260]\nother.add_(1)\n",
    "expand": "base = torch.arange(3.0)\nwide = base.expand(4, 3)\nbase[0] = 9.0\n",
    "one line, two names": "a = np.arange(4.0); b = torch.from_numpy(a)\nb += 1\n",
    "in-place metadata": "m = torch.arange(6.0).reshape(2, 3)\nm.t_()\nm.unsqueeze_(0)\nm.squeeze_()\nm.resize_(3)\n",
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_examples_match_the_truth(name: str) -> None:
    timeline, problems = check(REFERENCE[name])
    assert timeline.frames
    assert not problems, "\n".join(problems)


# -- a stream of course operations --------------------------------------------------------------------------------
_MAKERS = [
    "{n} = np.arange({k}, dtype=np.float64).reshape({shape})",
    "{n} = np.ones({shape}, dtype=np.int32)",
    "{t} = torch.arange({k}).reshape({shape})",
    "{t} = torch.zeros({shape})",
]
_FROM_ARRAY = ["{t} = torch.from_numpy({a})", "{t} = torch.tensor({a})", "{t} = torch.as_tensor({a})"]
_FROM_TENSOR = [
    "{t} = {u}.view(-1)", "{t} = {u}.T", "{t} = {u}[1:]", "{t} = {u}.reshape(-1)", "{t} = {u}.clone()",
    "{t} = {u}.detach()", "{t} = {u}[..., :1]", "{t} = {u} + 1", "{t} = {u}.flatten()", "{t} = {u}.unsqueeze(0)",
    "{t} = {u}.float()", "{t} = {u}.contiguous()", "{t} = {u}", "{a} = {u}.numpy()",
]
_WRITES = [
    "{u}[...] = 3", "{u}.add_(1)", "{u}.mul_(2)", "{u}.zero_()", "{u}.view(-1)[0] = 7", "{a}[...] = 5",
    "{a} += 1", "np.multiply({a}, 2, out={a})", "{a}.flat[0] = -1", "{u}.unsqueeze_(0)", "{u}.squeeze_()",
    "{a}.shape = (-1,)",
]


def _program(choices: list[tuple[int, int, int, int]]) -> str:
    """A program from drawn numbers: arrays and tensors made, views, copies and writes, a loop, a rebinding."""
    arrays, tensors = ["a0"], ["t0"]
    lines = ["a0 = np.arange(6.0).reshape(2, 3)", "t0 = torch.from_numpy(a0)"]
    for family, pick, first, second in choices:
        a, u = arrays[first % len(arrays)], tensors[second % len(tensors)]
        shape = ["(2, 3)", "(3, 2)", "(6,)", "(2, 2)", "(4, 20)"][pick % 5]
        k = {"(2, 3)": 6, "(3, 2)": 6, "(6,)": 6, "(2, 2)": 4, "(4, 20)": 80}[shape]
        if family % 5 == 0:
            template = _MAKERS[pick % len(_MAKERS)]
            name = f"a{len(arrays)}" if "{n}" in template else f"t{len(tensors)}"
            lines.append(template.format(n=name, t=name, k=k, shape=shape))
            (arrays if "{n}" in template else tensors).append(name)
        elif family % 5 == 1:
            name = f"t{len(tensors)}"
            lines.append(_FROM_ARRAY[pick % len(_FROM_ARRAY)].format(t=name, a=a))
            tensors.append(name)
        elif family % 5 == 2:
            template = _FROM_TENSOR[pick % len(_FROM_TENSOR)]
            name = f"a{len(arrays)}" if template.startswith("{a}") else f"t{len(tensors)}"
            lines.append(template.format(t=name, a=name, u=u))
            (arrays if template.startswith("{a}") else tensors).append(name)
        elif family % 5 == 3:
            lines.append(_WRITES[pick % len(_WRITES)].format(u=u, a=a))
        else:
            lines.append(f"for _ in range({2 + pick % 7}):\n    {_WRITES[first % 5].format(u=u, a=a)}")
    return "\n".join(lines) + "\n"


@given(
    st.lists(
        st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
        min_size=2,
        max_size=9,
    )
)
def test_a_stream_of_course_operations_matches_the_truth(choices: list[tuple[int, int, int, int]]) -> None:
    source = _program(choices)
    timeline, problems = check(source)
    assert not problems, source + "\n" + "\n".join(problems)
