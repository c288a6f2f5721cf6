"""Student copies in a real kernel (nbclient): blank exercise cells, check cells that say what is right, what is
wrong and give a hint in the student's language, and never the answer.

The student copy of every course notebook is written as ``make demo`` writes it. Its set-up cell and its exercise
and check cells are then run in a real ipykernel the way a student works: each exercise cell first as handed out
(blank), then filled with a wrong answer of each kind, then with a right one, running the check cell after each
attempt. Once in English and once in Chinese (the zh copies switch ``TensorMagic.language`` in their set-up cell).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from notebooks import execute_many, load_builder, output_texts

from tensormagic.exercises import EXERCISES
from tensormagic.i18n import message

BUILDER = load_builder()
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Attempt:
    """A student's answer to an exercise, and the facts its check must call wrong (empty: all right)."""

    code: str
    wrong: tuple[str, ...]  # "name.fact" of every finding marked wrong, in order


# Every kind of mistake check() knows, each at least once; the blank copy itself comes first for every exercise.
ATTEMPTS: dict[str, list[Attempt]] = {
    "01.evens": [
        Attempt("evens = torch.arange(0, 20, 2)", ("evens.shape",)),
        Attempt("evens = torch.arange(0., 21., 2.)", ("evens.dtype",)),
        Attempt("evens = torch.arange(1, 22, 2)", ("evens.values",)),
        Attempt("evens = list(range(0, 21, 2))", ("evens.kind",)),
    ],
    "01.sevens": [
        Attempt("del sevens  # the line deleted instead of filled in", ("sevens.defined",)),
        Attempt("sevens = torch.full((3, 4), 7.5)", ("sevens.dtype",)),
        Attempt("sevens = torch.full((3, 4), 7, dtype=torch.float64)", ("sevens.values",)),
    ],
    "01.prediction": [
        Attempt("prediction = [3, -3]", ("prediction.values",)),
        Attempt("prediction = [2]", ("prediction.shape",)),
    ],
    "02.linked": [Attempt("linked = torch.tensor(data)", ("linked.shares",))],
    "02.safe": [Attempt("safe = torch.from_numpy(data)", ("safe.owns",))],
    "02.total": [Attempt("total = scores.sum()", ("total.kind",)), Attempt("total = 10.0", ("total.values",))],
    "03.cost": [Attempt("cost = prices @ qty.T", ("cost.shape",))],
    "03.w2": [Attempt("W2 = torch.ones(3, 2, dtype=torch.int64)", ("W2.dtype",))],
    "03.inplace": [Attempt("v = v * 2", ("alias.values", "v.shares"))],
    "04.per_student": [Attempt("per_student = marks.mean(dim=0)", ("per_student.shape",)),
                       Attempt("per_student = marks.sum(dim=1)", ("per_student.values",))],
    "04.best": [Attempt("best, who = marks.max(dim=1)", ("best.shape", "who.shape"))],
    "04.rms": [Attempt("rms = v.mean()", ("rms.values",))],
    "05.conv_params": [Attempt("conv_params = 16 * 3 * 3 * 3", ("conv_params.values",))],
    "05.fc_params": [Attempt("fc_params = 32 * 32 * 3 * 16", ("fc_params.values",))],
    "05.xor_model": [Attempt('xor_model = "MLP"', ("xor_model.choice",)),
                     Attempt('xor_model = "perceptron"', ("xor_model.values",))],
}


def course_exercises() -> dict[str, Any]:
    """The builder's exercise cells by id (given data, the teacher's answer, the blank)."""
    return {cell.check: cell for nb in BUILDER.NOTEBOOKS for cell in nb.cells if isinstance(cell, BUILDER.Exercise)}


@pytest.fixture(scope="module")
def student_copies(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return list(BUILDER.write_student_copies(tmp_path_factory.mktemp("demo")))


def test_every_exercise_has_attempts_and_data() -> None:
    assert set(ATTEMPTS) == set(course_exercises()) == set(EXERCISES)


def test_student_copies_are_blank_and_keep_the_check_cells(student_copies: list[Path]) -> None:
    assert len(student_copies) == 2 * len(BUILDER.NOTEBOOKS)
    exercises = course_exercises()
    for path in student_copies:
        lang = path.parent.name
        assert path.parent.parent.name == "students"
        student = nbformat.read(path, as_version=4)
        teacher = nbformat.read(BUILDER.target(next(n for n in BUILDER.NOTEBOOKS if n.slug == path.stem), lang),
                                as_version=4)
        assert student.metadata["tensormagic"]["copy"] == "student"
        assert len(student.cells) == len(teacher.cells)
        for mine, theirs in zip(student.cells, teacher.cells, strict=True):
            tags = mine.metadata.get("tags", [])
            if "exercise" in tags:
                exercise = exercises[mine.metadata["tensormagic"]["exercise"]]
                assert mine.source == exercise.source(student=True) != theirs.source
                assert exercise.answer not in mine.source and exercise.blank in mine.source
            elif mine.cell_type == "markdown" and mine.source != theirs.source:
                assert mine.source.startswith(("## Exercises", "## 练习"))  # the words for students
            else:
                assert mine.source == theirs.source  # check cells included: the same for teacher and student
        answers = [e.answer for e in exercises.values() if e.check.startswith(path.stem[:2])]
        assert answers and not any(answer in nbformat.writes(student) for answer in answers)


def attempts_notebook(student_copy: Path) -> tuple[nbformat.NotebookNode, list[tuple[str, Attempt | None, bool]]]:
    """The student copy's set-up cell, then for every exercise: the blank cell, each attempt, the right answer,
    each followed by the copy's check cell. Also returns what each check cell is for: (exercise, attempt, right)."""
    exercises = course_exercises()
    student = nbformat.read(student_copy, as_version=4)
    cells = [next(c for c in student.cells if c.cell_type == "code")]
    plan: list[tuple[str, Attempt | None, bool]] = []
    for index, cell in enumerate(student.cells):
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        check_cell = student.cells[index + 1]
        exercise = exercises[cell.metadata["tensormagic"]["exercise"]]
        tries: list[tuple[str, Attempt | None, bool]] = [(cell.source, None, False)]
        tries += [(exercise.given + "\n" + a.code if exercise.given else a.code, a, False)
                  for a in ATTEMPTS[exercise.check]]
        tries.append((exercise.source(student=False), None, True))
        for source, attempt, right in tries:
            cells += [nbformat.v4.new_code_cell(source), nbformat.v4.new_code_cell(check_cell.source)]
            plan.append((exercise.check, attempt, right))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=student.metadata)
    return notebook, plan


@pytest.fixture(scope="module")
def checked(student_copies: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    """Per language: (exercise, attempt, right, what the check cell printed), for every check cell run."""
    folder = tmp_path_factory.mktemp("attempts")
    plans: dict[Path, list[tuple[str, Attempt | None, bool]]] = {}
    for lang in LANGUAGES:
        for copy in sorted(p for p in student_copies if p.parent.name == lang):
            notebook, plan = attempts_notebook(copy)
            path = folder / lang / copy.name
            path.parent.mkdir(exist_ok=True)
            nbformat.write(notebook, path)
            plans[path] = plan
    results: dict[str, list[Any]] = {lang: [] for lang in LANGUAGES}
    for result in execute_many(list(plans), jobs=2, timeout=300):
        assert result.ok, (result.source, [str(e) for e in result.errors], result.crash)
        check_cells = [c for c in result.notebook.cells if c.source.startswith("from tensormagic import check")]
        plan = plans[result.source]
        assert len(check_cells) == len(plan)
        for (exercise, attempt, right), cell in zip(plan, check_cells, strict=True):
            results[result.source.parent.name].append((exercise, attempt, right, "\n".join(output_texts(cell))))
    return results


@pytest.mark.parametrize("lang", LANGUAGES)
def test_blank_copies_say_what_to_do(checked: dict[str, list[Any]], lang: str) -> None:
    exercises = course_exercises()
    blanks = [(e, text) for e, attempt, right, text in checked[lang] if attempt is None and not right]
    assert len(blanks) == len(exercises)
    for exercise_id, text in blanks:
        assert text.startswith(message("check.title", lang, exercise=exercise_id)), text
        if exercise_id == "03.inplace":  # its names are given: the unchanged alias is what is wrong
            assert message("check.failed", lang, count=1) in text
            continue
        names = [expect.name for expect in EXERCISES[exercise_id].expects]
        assert message("check.failed", lang, count=len(names)) in text
        for name in names:
            assert message("check.placeholder", lang, name=name) in text, text
        assert message("check.hint", lang, text="").strip() not in text  # nothing tried yet: no hint


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_mistake_is_named_with_a_hint_and_never_the_answer(checked: dict[str, list[Any]], lang: str) -> None:
    exercises = course_exercises()
    tried = [(e, a, text) for e, a, right, text in checked[lang] if a is not None]
    assert len(tried) == sum(len(a) for a in ATTEMPTS.values())
    for exercise_id, attempt, text in tried:
        marked = [line.strip() for line in text.splitlines() if line.strip().startswith("✗")]
        assert len(marked) == len(attempt.wrong), (attempt, text)
        for wrong, line in zip(attempt.wrong, marked, strict=True):
            name = wrong.split(".")[0]
            assert name in line, (wrong, line)
        hint = message("check.hint", lang, text="").strip()
        if all(w.endswith(".defined") for w in attempt.wrong):  # nothing to judge yet: what to do, no hint
            assert message("check.undefined", lang, name=attempt.wrong[0].split(".")[0]) in text, text
            assert hint not in text, text
        else:
            assert hint in text, text
        assert message("check.passed", lang) not in text
        # Never the answer: neither the teacher's code nor the expected values
        solution = exercises[exercise_id].answer
        assert solution not in text, text
        for expect in EXERCISES[exercise_id].expects:
            if isinstance(expect.values, list):
                assert str(expect.values) not in text, text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_right_answers_pass_with_what_they_teach(checked: dict[str, list[Any]], lang: str) -> None:
    rights = [(e, text) for e, a, right, text in checked[lang] if right]
    assert len(rights) == len(EXERCISES)
    for exercise_id, text in rights:
        assert "✗" not in text, text
        assert text.rstrip().endswith(message("check.passed", lang) + " " + message(f"check.done.{exercise_id}", lang))


def test_chinese_copies_speak_chinese(checked: dict[str, list[Any]]) -> None:
    for _, _, _, text in checked["zh"]:
        assert text.startswith("检查 ")
        assert "Checking" not in text and "Hint" not in text
