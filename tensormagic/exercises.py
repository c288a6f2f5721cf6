"""Exercises as data: the facts each answer must have (``tensormagic.check`` checks them), and the course's own.

The exercise statements and the teacher's solutions live in ``demos/build_notebooks.py``; the hints and what a right
answer teaches live in the message catalog ``tensormagic/i18n/check.py`` (English and Chinese), keyed by these ids.
The teacher notebooks run every check on their solutions, so a fact here that a solution does not have fails
``make demo`` and the notebook tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["tensor", "ndarray", "float", "int", "list", "str"]


@dataclass(frozen=True)
class Expect:
    """The facts one name must have once the exercise is done.

    ``values`` is a number (every element equals it) or nested lists of ``shape``; floats are compared with
    ``rtol``/``atol`` (``torch.isclose``), integers, strings and lists exactly. ``shares_with`` names arrays the
    object must share memory with; ``owns`` names arrays it must not share memory with. ``choices`` are the
    answers a string exercise accepts as well-formed (the right one is ``values``).
    """

    name: str
    kind: Kind = "tensor"
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    values: Any = None
    rtol: float = 1e-5
    atol: float = 1e-8
    shares_with: tuple[str, ...] = ()
    owns: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exercise:
    """An exercise: an id, the names it checks and the concept card to revisit (a ``%explain`` topic).

    Hints come from the message catalog (``tensormagic/i18n/check.py``) by id, most specific first:
    ``check.hint.<id>.<name>.<fact>``, ``check.hint.<id>.<fact>``, ``check.hint.<id>``; ``check.done.<id>`` is said
    when everything is right.
    """

    id: str
    expects: tuple[Expect, ...]
    topic: str | None = None


_COURSE = (
    # 01 · creating tensors
    Exercise("01.evens", (Expect("evens", shape=(11,), dtype="torch.int64", values=list(range(0, 21, 2))),),
             topic="tensor-creation"),
    Exercise("01.sevens", (Expect("sevens", shape=(3, 4), dtype="torch.float64", values=7.5),),
             topic="tensor-creation"),
    Exercise("01.prediction", (Expect("prediction", kind="list", values=[2, -2]),), topic="dtypes"),
    # 02 · NumPy interop and memory
    Exercise("02.linked", (Expect("linked", shape=(6,), shares_with=("data",)),),
             topic="numpy-sharing"),
    Exercise("02.safe", (Expect("safe", shape=(6,), values=[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], owns=("data",)),),
             topic="numpy-sharing"),
    Exercise("02.total", (Expect("total", kind="float", values=11.0),)),
    # 03 · arithmetic
    Exercise("03.cost", (Expect("cost", shape=(2, 3), dtype="torch.float32",
                                values=[[10.0, 40.0, 90.0], [40.0, 100.0, 180.0]]),),
             topic="broadcasting"),
    Exercise("03.w2", (Expect("W2", shape=(3, 2), dtype="torch.float32", values=1.0),), topic="matmul"),
    Exercise("03.inplace", (Expect("alias", shape=(3,), dtype="torch.float32", values=[2.0, 4.0, 6.0]),
                            Expect("v", shape=(3,), shares_with=("alias",)))),
    # 04 · reductions
    Exercise("04.per_student", (Expect("per_student", shape=(3,), dtype="torch.float32", values=[75.0, 88.5, 67.5]),),
             topic="reductions"),
    Exercise("04.best", (Expect("best", shape=(4,), dtype="torch.float32", values=[88.0, 92.0, 90.0, 95.0]),
                         Expect("who", shape=(4,), dtype="torch.int64", values=[1, 1, 0, 1])),
             topic="reductions"),
    Exercise("04.rms", (Expect("rms", shape=(), dtype="torch.float32", values=12.5 ** 0.5),), topic="reductions"),
    # 05 · models
    Exercise("05.conv_params", (Expect("conv_params", kind="int", values=16 * 3 * 3 * 3 + 16),), topic="cnn"),
    Exercise("05.fc_params", (Expect("fc_params", kind="int", values=32 * 32 * 3 * 16 + 16),), topic="cnn"),
    Exercise("05.xor_model", (Expect("xor_model", kind="str", values="mlp", choices=("perceptron", "mlp")),),
             topic="perceptron"),
)

EXERCISES: dict[str, Exercise] = {exercise.id: exercise for exercise in _COURSE}
