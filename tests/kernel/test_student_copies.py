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


# Wrong answers to exercises with a check of their own; each must stop the check with one of its hints.
OWN_ATTEMPTS: dict[str, list[str]] = {
    "06.changed_index": ["changed_index = 1"],
    "06.allocating": ["allocating = {'a.clone()'}", "allocating = {'a.T', 'a.clone()', 'a.T.reshape(6)'}"],
    "07.grad_a": ["a = torch.tensor(data=2.0, requires_grad=True)\nf = a ** 2\nf.backward()\ngrad_a = a.grad"],
    "07.zero_grad": ["(3 * p).sum().backward()"],
    "07.cross_entropy": [
        "targets = torch.tensor(data=[3.0, 0.0, 1.0])\n"
        "loss3 = torch.nn.functional.cross_entropy(scores, targets.long())",
        "targets = torch.tensor(data=[3, 0, 1])\n"
        "loss3 = torch.nn.functional.cross_entropy(scores.softmax(dim=1), targets)",
    ],
    "08.one_step": ["out = net(points)\n"
                    "step_loss = torch.nn.functional.cross_entropy(out, labels)\n"
                    "step_loss.backward()"],
    "08.test_accuracy": ["test_logits = model(test_points)\ntest_predicted = test_logits.argmax(dim=1)\n"
                         "test_accuracy = (test_predicted == test_labels).float().mean().item()",
                         "with torch.no_grad():\n    test_logits = model(test_points)\n"
                         "test_predicted = test_logits.argmax(dim=1)\n"
                         "test_accuracy = (test_predicted == test_labels).float().mean()"],
    "08.diverging_lr": ["diverging_lr = 0.01"],
}


def all_exercises() -> dict[str, Any]:
    """The builder's exercise cells by id (given data, the teacher's answer, the blank, an own check or none)."""
    return {cell.check: cell for nb in BUILDER.NOTEBOOKS for cell in nb.cells if isinstance(cell, BUILDER.Exercise)}


def course_exercises() -> dict[str, Any]:
    """The exercises ``tensormagic.check`` checks."""
    return {key: cell for key, cell in all_exercises().items() if cell.own_check is None}


def own_check_exercises() -> dict[str, Any]:
    """The exercises whose check cell is the notebook's own code."""
    return {key: cell for key, cell in all_exercises().items() if cell.own_check is not None}


@pytest.fixture(scope="module")
def student_copies(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return list(BUILDER.write_student_copies(tmp_path_factory.mktemp("demo")))


def test_every_exercise_has_attempts_and_data() -> None:
    assert set(ATTEMPTS) == set(course_exercises()) == set(EXERCISES)
    assert set(OWN_ATTEMPTS) <= set(own_check_exercises())
    assert not set(EXERCISES) & set(own_check_exercises())  # an id is checked one way only


def test_student_copies_need_no_trust(student_copies: list[Path]) -> None:
    """A copy a student receives is untrusted where they open it: nothing in it may depend on trust.

    JupyterLab and Notebook 7 sanitize the HTML of an untrusted notebook (inline ``<svg>`` and ``<style>`` go).
    Student copies are handed out unexecuted: no outputs to sanitize, no signature needed, and markdown without
    HTML the sanitizer would strip. What the student's own runs produce is trusted by their front end.
    """
    stripped = ("<svg", "<style", "<script", "style=", "<iframe")
    for path in student_copies:
        notebook = nbformat.read(path, as_version=4)
        assert "signature" not in notebook.metadata
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path
            else:
                assert not any(tag in cell.source.lower() for tag in stripped), (path, cell.source)


def test_student_copies_are_blank_and_keep_the_check_cells(student_copies: list[Path]) -> None:
    assert len(student_copies) == 2 * len(BUILDER.NOTEBOOKS)
    exercises = all_exercises()
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
        if "exercise" not in cell.metadata.get("tags", []) or cell.metadata["tensormagic"]["exercise"] not in exercises:
            continue  # an exercise with a check of its own: see test_own_checks_in_the_whole_student_copy
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
        # check() prints plain text: readable in any front end, trusted or not, light or dark
        assert all(o.output_type == "stream" for c in check_cells for o in c.outputs), result.source
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


def own_check_notebooks(student_copies: list[Path]) -> list[Path]:
    own = own_check_exercises()
    return [p for p in student_copies if any(e.startswith(p.stem[:2] + ".") for e in own)]


@pytest.fixture(scope="module")
def own_checked(student_copies: list[Path], tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """Each student copy with own checks, run whole as handed out, then per own-check exercise: each wrong answer
    and the teacher's answer, each followed by the copy's check cell. Returns (language, executed result,
    [(exercise, kind, the check cell's index)]) per copy, kind being "blank", "wrong" or "right"."""
    folder = tmp_path_factory.mktemp("own")
    own = own_check_exercises()
    plans: dict[Path, list[tuple[str, str, int]]] = {}
    for copy in own_check_notebooks(student_copies):
        notebook = nbformat.read(copy, as_version=4)
        plan: list[tuple[str, str, int]] = []
        checks: dict[str, str] = {}
        for index, cell in enumerate(notebook.cells):
            exercise_id = cell.metadata.get("tensormagic", {}).get("exercise")
            if exercise_id in own and "check" in cell.metadata.get("tags", []):
                plan.append((exercise_id, "blank", index))
                checks[exercise_id] = cell.source
        for exercise_id, check_source in checks.items():
            exercise = own[exercise_id]
            tries = [("\n".join(part for part in (exercise.given, a) if part), "wrong")
                     for a in OWN_ATTEMPTS.get(exercise_id, [])]
            tries.append((exercise.source(False), "right"))
            for code, kind in tries:
                notebook.cells += [nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell(check_source)]
                plan.append((exercise_id, kind, len(notebook.cells) - 1))
        path = folder / copy.parent.name / copy.name
        path.parent.mkdir(exist_ok=True)
        nbformat.write(notebook, path)
        plans[path] = plan
    assert plans, "no student copy has an exercise with its own check"
    return [(result.source.parent.name, result, plans[result.source])
            for result in execute_many(list(plans), jobs=2, timeout=300)]


def test_own_checks_in_the_whole_student_copy(own_checked: list[Any]) -> None:
    own = own_check_exercises()
    seen: set[tuple[str, str]] = set()
    for lang, result, plan in own_checked:
        assert result.crash is None, result.crash
        errors = {error.cell: error for error in result.errors}
        for exercise_id, kind, index in plan:
            cell = result.notebook.cells[index]
            text = "\n".join(output_texts(cell))
            exercise = own[exercise_id]
            hints = {value.text(lang) for key, value in exercise.own_check.strings.items() if key != "ok"}
            seen.add((exercise_id, kind))
            if kind == "blank" and not exercise.blank_names():  # only a comment to write under: a wrong answer
                kind = "wrong"
            if kind == "blank":  # run as handed out: what to fill in, in check()'s words, and no traceback
                assert index not in errors, (exercise_id, errors.get(index))
                assert text.startswith(message("check.title", lang, exercise=exercise_id)), text
                for name in exercise.blank_names():
                    assert message("check.placeholder", lang, name=name) in text, text
            elif kind == "wrong":  # the notebook's own hint, in the copy's language
                assert index in errors and errors[index].ename == "AssertionError", (exercise_id, text)
                assert errors[index].evalue in hints, errors[index]
            else:
                assert index not in errors, (exercise_id, errors.get(index))
                assert exercise.own_check.strings["ok"].text(lang) in text, text
        # Nothing else in the copy fails: the blank exercises do not break the cells after them
        stopped = {index for exercise_id, kind, index in plan
                   if kind == "wrong" or (kind == "blank" and not own[exercise_id].blank_names())}
        assert set(errors) <= stopped, result.errors
    assert {e for e, kind in seen if kind == "blank"} == set(own)
    assert {e for e, kind in seen if kind == "right"} == set(own)
