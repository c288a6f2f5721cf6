"""Course cells shared by tests and benchmarks (benchmarks must not import from ``tests/``).

``CHAPTER_CELLS`` is the course chapter's code (sections 3-6 of the notes) rewritten as cells: the ``dmNN``
functions as the notes write them, every function called, and the variants the notes leave commented out. The
chapter test runs them under ``%%explain``, the claims checker checks every note they produce, and
``benchmarks/explain.py`` / ``benchmarks/first_cell.py`` time them.

:func:`notebook_explain_cells` gives every ``%%explain`` cell of the generated course notebooks together with the
cells before it, so a benchmark can replay a notebook up to that cell in a fresh kernel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "demos"

CHAPTER_CELLS: list[tuple[str, str]] = [
    (
        "3.2",
        """\
import torch
import numpy as np

def dm01():
    list1 = [[1., 2, 3], [4, 5, 6]]
    int1 = 10
    n1 = np.array([[1., 2., 3.], [4., 5., 6.]])
    t1 = torch.tensor(data=list1)
    t2 = torch.tensor(data=int1)
    t3 = torch.tensor(data=n1)
    print('t1的值->', t1)
    print('t1类型->', type(t1))
    print('t1元素类型->', t1.dtype)
    print('t2的值->', t2)
    print('t3的值->', t3)

def dm02():
    t1 = torch.Tensor(data=[[1.1, 1.2, 1.3], [2.2, 2.3, 2.4]])
    print('t1的值->', t1)
    t2 = torch.Tensor(size=(2, 3))
    print('t2类型->', type(t2))

def dm03():
    t1 = torch.IntTensor([[1.1, 2, 3.7], [4, 5, 6]])
    t2 = torch.FloatTensor([[1.1, 2, 3.7], [4, 5, 6]])
    print('t1的值->', t1)
    print('t1元素类型->', t1.dtype)
    print('t2的值->', t2)
    print('t2元素类型->', t2.dtype)

if __name__ == '__main__':
    dm01()
    dm02()
    dm03()
""",
    ),
    (
        "3.3",
        """\
def dm01():
    t1 = torch.arange(start=0, end=10, step=2)
    print('t1的值是->', t1)
    t2 = torch.linspace(start=0, end=9, steps=9)
    print('t2的值是->', t2)

def dm02():
    t1 = torch.rand(size=(5, 4))
    print('t1的值是->', t1)
    print('t1元素类型->', t1.dtype)
    print('t1随机种子数->', torch.initial_seed())
    torch.manual_seed(seed=66)
    t2 = torch.randint(low=0, high=10, size=(2, 3))
    print('t2的值是->', t2)
    print('t2元素类型->', t2.dtype)
    print('t2随机种子数->', torch.initial_seed())

if __name__ == '__main__':
    dm01()
    dm02()
""",
    ),
    (
        "3.4",
        """\
def dm01():
    t1 = torch.ones(size=(2, 3))
    print('t1的形状是->', t1.shape)
    t2 = torch.tensor(data=[1, 2, 3, 4, 5])
    t3 = torch.ones_like(input=t2)
    print('t3的值是->', t3)

def dm02():
    t1 = torch.zeros(size=(2, 3))
    t2 = torch.tensor(data=[1, 2, 3, 4, 5])
    t3 = torch.zeros_like(input=t2)
    print('t3的值是->', t3)

def dm03():
    t1 = torch.full(size=(2, 3, 4), fill_value=10)
    t2 = torch.tensor(data=[[1, 2], [3, 4]])
    t3 = torch.full_like(input=t2, fill_value=100)
    print('t1的形状是->', t1.shape)
    print('t3的值是->', t3)

if __name__ == '__main__':
    dm01()
    dm02()
    dm03()
""",
    ),
    (
        "3.5",
        """\
def dm01():
    t1 = torch.tensor(data=[[1., 2., 3.], [4., 5., 6.]], dtype=torch.float16)
    print('t1的元素类型->', t1.dtype)
    t2 = t1.type(dtype=torch.FloatTensor)
    t3 = t1.type(dtype=torch.int64)
    print('t2的元素类型->', t2.dtype)
    print('t3的元素类型->', t3.dtype)

def dm02():
    t1 = torch.tensor(data=[1, 2])
    t2 = t1.half()
    t2 = t1.int()
    print(t2)
    print('t2的元素类型->', t2.dtype)

if __name__ == '__main__':
    dm01()
    dm02()
""",
    ),
    (
        "4.1",
        """\
def dm01():
    t1 = torch.tensor([[1, 2, 3], [4, 5, 6]])
    n0 = t1.numpy()
    n1 = t1.numpy().copy()
    n1[0][0] = 100
    print('n1修改后->', n1)
    print('t1->', t1)

dm01()
""",
    ),
    (
        "4.2",
        """\
def dm02():
    n1 = np.array([[1, 2, 3], [4, 5, 6]])
    t1 = torch.from_numpy(n1)
    t2 = torch.from_numpy(n1.copy())
    t3 = torch.tensor(data=n1)
    print('t1类型->', type(t1))
    t1[0][0] = 8888
    print('t1修改后->', t1)
    print('n1->', n1)

dm02()
""",
    ),
    (
        "4.3",
        """\
def dm01():
    t1 = torch.tensor(data=10)
    t2 = torch.tensor(data=[10])
    t3 = torch.tensor(data=[[10]])
    print('t1形状->', t1.shape)
    print('t1.item()->', t1.item())
    print('t2.item()->', t2.item(), t3.item())

dm01()
""",
    ),
    (
        "5.1",
        """\
def dm01():
    t1 = torch.tensor(data=[1, 2, 3, 4])
    t2 = t1 + 10
    print('t2->', t2)
    t3 = t1 + t2
    print('t3->', t3)
    t1.add(other=100)
    t4 = torch.add(input=t1, other=100)
    print('t4->', t4)
    t5 = t1.neg_()
    print('t1->', t1)
    print('t5->', t5)

dm01()
""",
    ),
    (
        "5.2",
        """\
def dm01():
    t1 = torch.tensor(data=[1, 2])
    t2 = torch.tensor(data=[[5, 6], [7, 8]])
    t3 = t1 * t2
    print('t3->', t3)
    t4 = torch.mul(input=t1, other=t2)
    print('t4->', t4)

dm01()
""",
    ),
    (
        "5.3",
        """\
def dm01():
    t1 = torch.tensor(data=[[1, 2], [3, 4]])
    t2 = torch.tensor(data=[[5, 6, 7], [8, 9, 10]])
    t3 = t1 @ t2
    print('t3->', t3)
    t4 = torch.matmul(input=t1, other=t2)
    print('t4->', t4)

dm01()
""",
    ),
    (
        "6",
        """\
def dm01():
    t1 = torch.tensor(data=[[1., 2, 3, 4], [5, 6, 7, 8]])
    print('所有值平均值->', t1.mean())
    print('按列平均值->', t1.mean(dim=0))
    print('按行平均值->', t1.mean(dim=1))
    print('所有值求和->', t1.sum())
    print('按列求和->', t1.sum(dim=0))
    print('按行求和->', t1.sum(dim=1))
    print('所有值开方->', t1.sqrt())
    print('幂次方->', torch.pow(input=t1, exponent=2))
    print('指数->', torch.exp(input=t1))
    print('以e为底对数->', torch.log(input=t1))
    print('以2为底对数->', t1.log2())
    print('以10为底对数->', t1.log10())

dm01()
""",
    ),
]


@dataclass(frozen=True)
class CourseCell:
    """One cell to time as the first explained cell of a fresh kernel.

    ``before`` are the code cells that run before it in its notebook (or chapter), as the user wrote them; ``source``
    is the cell without its ``%%explain`` line; ``magic`` is that line as the notebook wrote it (options included:
    ``%%explain --steps`` records a timeline instead of explanations, a first cost of its own).
    """

    label: str
    before: tuple[str, ...]
    source: str
    magic: str = "%%explain"


EXPLAIN = "%%explain"


def strip_explain(source: str) -> str:
    """``source`` without a leading ``%%explain`` line (options included)."""
    first, _, rest = source.partition("\n")
    return rest if first.strip().startswith(EXPLAIN) else source


def chapter_cells() -> list[CourseCell]:
    """The chapter's cells, each preceded by the chapter cells before it (the notes run them in order)."""
    sources = [source for _, source in CHAPTER_CELLS]
    return [
        CourseCell(f"chapter {label}", tuple(sources[:index]), source)
        for index, (label, source) in enumerate(CHAPTER_CELLS)
    ]


def notebook_explain_cells(language: str = "en", root: Path = COURSE) -> list[CourseCell]:
    """Every ``%%explain`` cell of the course notebooks in ``root/language``, in course order, with the code cells
    that precede it in its notebook (read from the committed ``.ipynb``: no nbformat needed)."""
    cells: list[CourseCell] = []
    for path in sorted((root / language).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        sources = [
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in notebook["cells"]
            if cell["cell_type"] == "code"
        ]
        for index, source in enumerate(sources):
            if source.startswith(EXPLAIN):
                magic = source.partition("\n")[0].strip()
                label = f"{path.stem} cell {index}" + (f" ({magic.removeprefix(EXPLAIN).strip()})" if magic != EXPLAIN
                                                       else "")
                cells.append(CourseCell(label, tuple(sources[:index]), strip_explain(source), magic))
    return cells


def course_cells(language: str = "en") -> list[CourseCell]:
    """Every course cell: the notebooks' ``%%explain`` cells, then the chapter's."""
    return notebook_explain_cells(language) + chapter_cells()
