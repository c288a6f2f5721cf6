"""The timeline of one cell: plain data about names, the tensors and arrays they refer to, and their memory.

``Timeline.frames`` are the executed lines of the cell in execution order (a loop's lines keep their first and
last few executions). Each :class:`Frame` is the state right after its line ran: which names refer to which
:class:`Block` (one tensor or array object), and the :class:`Storage` rows (blocks of memory) those blocks lie
in. Nothing here refers to a user tensor: values are copies of small tensors' numbers only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Tensors, arrays and memory rows of at most this many elements have their values copied and drawn box by box.
SMALL = 64
#: Executions kept per line: the first few and the last few; those between are counted, not kept.
FIRST_KEPT = 3
LAST_KEPT = 2


@dataclass(frozen=True, slots=True)
class Storage:
    """One block of memory (a tensor storage or an array's buffer), drawn as a row of boxes.

    Several blocks (a tensor and the NumPy array it was made from, a view and its base) can lie in one storage.
    ``length`` counts boxes of ``dtype`` (the element type of the first name that refers to it). ``values`` are the
    boxes' numbers when the row has at most :data:`SMALL` boxes and lives in CPU memory; ``written`` the boxes whose
    bytes changed at this step (rows of at most :data:`SMALL` boxes). ``new``: this memory is seen for the first time
    at this step.
    """

    id: str
    device: str
    dtype: str
    itemsize: int
    nbytes: int
    length: int
    values: tuple[Any, ...] | None = None
    written: tuple[int, ...] = ()
    changed: bool = False
    new: bool = False

    @property
    def small(self) -> bool:
        return self.length <= SMALL


@dataclass(frozen=True, slots=True)
class Block:
    """One tensor or array object at one step: what it is, where its elements lie, and (when small) its values.

    ``strides`` and ``storage_offset`` count elements, as torch reports them (a NumPy array's byte strides divided by
    its item size; ``None`` when they do not divide). ``storage`` is the :class:`Storage` it lies in (``None`` for a
    meta, empty, sparse or nested tensor: no memory to draw), ``covered`` the boxes of that storage its elements
    occupy (rows of at most :data:`SMALL` boxes), ``order`` the position in the view of each covered box's first
    element (row-major, as ``reshape(-1)`` reads it), ``span`` the first and last box it reaches. ``values`` are its
    numbers, nested like ``tolist()``, when it has at most :data:`SMALL` elements and lives in CPU memory.
    ``written``: its values changed at this step (for memory read at every step; see ``exact``); ``new``: its memory
    is seen for the first time at this step.
    """

    id: str
    kind: str  # "tensor" | "ndarray"
    dtype: str
    shape: tuple[int, ...]
    strides: tuple[int, ...] | None
    storage_offset: int
    device: str = "cpu"
    numel: int = 0
    nbytes: int = 0
    storage: str | None = None
    covered: tuple[int, ...] | None = None
    order: tuple[int, ...] | None = None
    span: tuple[int, int] | None = None
    values: Any = None
    written: bool = False
    new: bool = False
    exact: bool = True  # False: writes seen only through torch's version counter (accelerators, memory over 16 MiB)
    requires_grad: bool = False
    layout: str = "strided"  # "meta", "sparse", "nested", "quantized", "unreadable" have no memory drawn
    contiguous: bool = True


@dataclass(frozen=True, slots=True)
class Frame:
    """The state right after one executed line: names → block ids, the blocks, the storages.

    ``step`` numbers every executed line of the cell (1, 2, …, also those not kept); ``execution`` counts the runs of
    this line so far. ``error`` is the exception the line raised (``TypeName: message``), ``changed_via`` the names
    whose values changed although the line does not name them, each with the named ones it shares memory with.
    """

    step: int
    line: int
    source: str
    execution: int
    names: Mapping[str, str]
    blocks: Mapping[str, Block]
    storages: Mapping[str, Storage]
    error: str | None = None
    changed_via: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def block(self, name: str) -> Block | None:
        """The block ``name`` refers to at this step, if it refers to a tensor or array."""
        ident = self.names.get(name)
        return self.blocks.get(ident) if ident is not None else None

    def shares(self, first: str, second: str) -> bool:
        """Whether the two names' elements overlap in memory at this step.

        Exact for storages of at most :data:`SMALL` boxes (their covered boxes); by the range of boxes each reaches
        for larger ones.
        """
        a, b = self.block(first), self.block(second)
        if a is None or b is None or a.storage is None or a.storage != b.storage:
            return False
        if a.covered is not None and b.covered is not None:
            return bool(set(a.covered) & set(b.covered))
        if a.span is None or b.span is None:
            return False
        return a.span[0] <= b.span[1] and b.span[0] <= a.span[1]

    def written_names(self) -> list[str]:
        return [name for name, ident in self.names.items() if self.blocks[ident].written]


@dataclass
class Timeline:
    """Every kept step of one cell, in execution order.

    ``steps_total`` counts every executed line; ``executions`` how often each line ran; ``skipped`` how many of a
    line's executions were not kept. ``error`` is the exception that stopped the cell, ``warnings`` our own faults.
    """

    source: str
    lines: list[str]
    frames: list[Frame] = field(default_factory=list)
    steps_total: int = 0
    executions: dict[int, int] = field(default_factory=dict)
    skipped: dict[int, int] = field(default_factory=dict)
    language: str = "en"
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    kept_first: int = FIRST_KEPT  # runs kept per line: the first few and the last few
    kept_last: int = LAST_KEPT
    small: int = SMALL  # elements up to which values are copied and memory drawn box by box

    def frame_at(self, step: int) -> Frame | None:
        """The kept frame of executed step ``step`` (1-based), or None if that step was not kept."""
        return next((frame for frame in self.frames if frame.step == step), None)

    def text(self) -> str:
        from ..render.steps import timeline_text

        return timeline_text(self)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def svg(self, index: int, *, standalone: bool = True) -> str:
        """The drawing of kept frame ``index`` as SVG (``standalone``: its own background, for an image)."""
        from ..render.steps import frame_svg

        return frame_svg(self, index, standalone=standalone)

    def to_html(self) -> str:
        """One standalone HTML page: the code, a slider over the steps, the drawing; no network needed."""
        from ..render.steps import standalone_html

        return standalone_html(self)

    def save_html(self, path: str | Path) -> Path:
        """Write :meth:`to_html` to ``path`` (UTF-8) and return the path: a file a teacher can put on a slide."""
        target = Path(path)
        target.write_text(self.to_html(), encoding="utf-8")
        return target

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from ..render.steps import static_bundle

        return static_bundle(self)
