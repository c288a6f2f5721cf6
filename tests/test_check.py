"""``tensormagic.check``: each kind of mistake is named with a hint, a right answer is confirmed, the answer is never
revealed, and the student's language is followed (explicit, ``TensorMagic.language`` in a real shell, the locale).

The notebooks' own check cells run in a real kernel in ``tests/kernel/test_student_copies.py``.
"""

from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from IPython.utils.capture import capture_output

import tensormagic
from tensormagic.check import Exercise, Expect, Report, UnknownExerciseError, assess, check, exercises
from tensormagic.i18n import message


def wrong_facts(report: Report) -> list[tuple[str, str]]:
    return [(f.name, f.fact) for f in report.wrong]


def test_exported_from_the_package() -> None:
    assert tensormagic.check is check
    assert "check" in tensormagic.__all__


def test_a_right_answer_is_confirmed_with_what_it_teaches() -> None:
    report = assess("01.evens", {"evens": torch.arange(0, 21, 2)}, language="en")
    assert report.passed and not report.wrong
    assert [f.fact for f in report.findings] == ["kind", "shape", "dtype", "values"]
    text = report.text()
    assert text.splitlines()[-1] == message("check.passed", "en") + " " + message("check.done.01.evens", "en")
    assert "✗" not in text


@pytest.mark.parametrize(
    ("exercise", "namespace", "wrong", "hint_key"),
    [
        # shape (arange stops before end), values not compared then
        ("01.evens", {"evens": torch.arange(0, 20, 2)}, [("evens", "shape")], "check.hint.01.evens.shape"),
        # dtype (float arguments)
        ("01.evens", {"evens": torch.arange(0.0, 21, 2)}, [("evens", "dtype")], "check.hint.01.evens.dtype"),
        # values (right shape and dtype)
        ("01.evens", {"evens": torch.arange(1, 22, 2)}, [("evens", "values")], "check.hint.01.evens.values"),
        # kind: an ndarray where a tensor is asked for
        ("01.evens", {"evens": np.arange(0, 21, 2)}, [("evens", "kind")], "check.hint.01.evens.kind"),
        # memory: a copy where sharing is asked for, sharing where a copy is asked for
        ("02.linked", {"data": (d := np.arange(6.0)), "linked": torch.tensor(d)}, [("linked", "shares")],
         "check.hint.02.linked.shares"),
        ("02.safe", {"data": (d2 := np.arange(6.0)), "safe": torch.from_numpy(d2)}, [("safe", "owns")],
         "check.hint.02.safe.owns"),
        # a tensor where a Python float is asked for
        ("02.total", {"total": torch.tensor(11.0)}, [("total", "kind")], "check.hint.02.total.kind"),
        ("02.total", {"total": 10.0}, [("total", "values")], "check.hint.02.total"),
        # in place: a new tensor leaves the alias unchanged and the names apart
        ("03.inplace", {"alias": (a := torch.tensor([1.0, 2.0, 3.0])), "v": a * 2},
         [("alias", "values"), ("v", "shares")], "check.hint.03.inplace"),
        ("03.w2", {"W2": torch.ones(3, 2, dtype=torch.int64)}, [("W2", "dtype")], "check.hint.03.w2.dtype"),
        ("03.w2", {"W2": torch.ones(2, 3)}, [("W2", "shape")], "check.hint.03.w2.shape"),
        ("04.best", {"best": torch.zeros(3), "who": torch.zeros(3, dtype=torch.int64)},
         [("best", "shape"), ("who", "shape")], "check.hint.04.best.shape"),
        ("04.rms", {"rms": torch.tensor(3.5)}, [("rms", "values")], "check.hint.04.rms"),
        ("01.prediction", {"prediction": [3, -3]}, [("prediction", "values")], "check.hint.01.prediction"),
        ("01.prediction", {"prediction": [2]}, [("prediction", "shape")], "check.hint.01.prediction"),
        ("05.conv_params", {"conv_params": 432}, [("conv_params", "values")], "check.hint.05.conv_params"),
        ("05.conv_params", {"conv_params": True}, [("conv_params", "kind")], "check.hint.05.conv_params"),
        ("05.xor_model", {"xor_model": "MLP"}, [("xor_model", "choice")], "check.hint.05.xor_model"),
        ("05.xor_model", {"xor_model": "perceptron"}, [("xor_model", "values")], "check.hint.05.xor_model"),
    ],
)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_mistake_is_named_with_a_hint_and_never_the_answer(
    exercise: str, namespace: dict[str, Any], wrong: list[tuple[str, str]], hint_key: str, language: str
) -> None:
    report = assess(exercise, namespace, language=language)
    assert not report.passed
    assert wrong_facts(report) == wrong
    text = report.text()
    assert message("check.hint", language, text=message(hint_key, language)) in text
    assert message("check.failed", language, count=len(wrong)) in text
    topic = exercises()[exercise].topic
    assert (message("check.revisit", language, topic=topic) in text) == (topic is not None)
    assert message(f"check.done.{exercise}", language) not in text
    for leak in revealing(exercise):
        assert leak not in text, (leak, text)


def revealing(exercise_id: str) -> list[str]:
    """Texts that would give the answer away: the expected values as Python writes them."""
    leaks = []
    for expect in exercises()[exercise_id].expects:
        values = expect.values
        if values is None or expect.choices:  # the choices are in the statement itself
            continue
        if isinstance(values, list):
            leaks += [str(values), str(torch.tensor(values).tolist())]
        elif isinstance(values, float):
            leaks.append(f"{values:.1f}" if values.is_integer() else f"{values:.6g}"[:5])  # 11.0; 3.535 of 3.5355…
        elif isinstance(values, int) and not isinstance(values, bool) and abs(values) > 9:
            leaks.append(str(values))  # 448, 49168 (one-digit numbers appear in shapes and indices)
    return leaks


def test_the_leak_list_is_not_empty() -> None:
    # The leak check above would pass vacuously if revealing() found nothing to look for
    assert "[0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]" in revealing("01.evens")
    assert "3.535" in revealing("04.rms") and "448" in revealing("05.conv_params")


def test_values_are_located_without_printing_the_expected_ones() -> None:
    report = assess("03.cost", {"cost": torch.tensor([[10.0, 40.0, 90.0], [40.0, 100.0, 181.0]])}, language="en")
    (finding,) = report.wrong
    assert finding.text == message("check.values_wrong", "en", name="cost", wrong=1, total=6, index="[1, 2]",
                                          value="181.0")
    assert "180" not in report.text()


def test_integer_elements_are_shown_as_integers() -> None:
    report = assess("04.best", {"best": torch.tensor([88.0, 92.0, 90.0, 95.0]), "who": torch.tensor([1, 1, 2, 1])},
                    language="en")
    (finding,) = report.wrong
    assert finding.text.endswith("(yours: 2)")


def test_nothing_answered_yet_says_what_to_do_without_a_hint() -> None:
    blank = assess("01.evens", {"evens": ...}, language="en")
    assert wrong_facts(blank) == [("evens", "defined")]
    assert blank.findings[0].text == message("check.placeholder", "en", name="evens")
    missing = assess("01.evens", {}, language="zh")
    assert missing.findings[0].text == message("check.undefined", "zh", name="evens")
    for report in (blank, missing):
        assert "Hint" not in report.text() and "提示" not in report.text()


def test_an_array_the_exercise_names_must_exist() -> None:
    report = assess("02.linked", {"linked": torch.zeros(6)}, language="en")
    assert report.wrong[0].text == message("check.other_undefined", "en", other="data")


def test_values_that_cannot_be_read_are_said_so() -> None:
    report = assess("01.evens", {"evens": torch.empty(11, dtype=torch.int64, device="meta")}, language="en")
    (finding,) = report.wrong
    assert finding.fact == "values" and "meta" in finding.text


def test_a_teachers_own_exercise_is_plain_data() -> None:
    mine = Exercise("mine", (Expect("w", shape=(3, 2), dtype="torch.float32", values=1.0),), topic="matmul")
    assert assess(mine, {"w": torch.ones(3, 2)}, language="en").passed
    report = assess(mine, {"w": torch.full((3, 2), 1.0 + 1e-3)}, language="en")
    assert wrong_facts(report) == [("w", "values")]
    assert assess(mine, {"w": torch.full((3, 2), 1.0 + 1e-7)}, language="en").passed  # within the tolerance


def test_unknown_exercise_is_a_clear_error() -> None:
    with pytest.raises(UnknownExerciseError, match=r"no exercise named 'nope'; known exercises: 01\.evens"):
        assess("nope", {}, language="en")


def test_check_reads_the_callers_variables_and_prints(capsys: pytest.CaptureFixture[str]) -> None:
    def student_function() -> None:
        evens = torch.arange(0, 21, 2)  # noqa: F841  (read by check() through the caller's frame)
        check("01.evens", language="en")

    student_function()
    out = capsys.readouterr().out
    assert out.startswith(message("check.title", "en", exercise="01.evens"))
    assert message("check.passed", "en") in out


def test_the_report_keeps_no_reference_to_the_students_objects() -> None:
    answer = torch.arange(0, 20, 2)
    ref = weakref.ref(answer)
    report = assess("01.evens", {"evens": answer}, language="en")
    del answer
    gc.collect()
    assert ref() is None
    assert report.wrong


def test_in_a_real_shell_check_follows_tensormagic_language(shell: Any) -> None:
    shell.run_cell("from tensormagic import check\nevens = torch.arange(0, 20, 2)")
    shell.run_line_magic("config", 'TensorMagic.language = "zh"')
    with capture_output() as zh:
        shell.run_cell('check("01.evens")')
    shell.run_line_magic("config", 'TensorMagic.language = "en"')
    with capture_output() as en:
        shell.run_cell('check("01.evens")')
    with capture_output() as explicit:
        shell.run_cell('check("01.evens", language="zh")')
    shape = {"name": "evens", "actual": "(10,)", "expected": "(11,)"}
    assert message("check.shape_wrong", "zh", **shape) in zh.stdout
    assert message("check.shape_wrong", "en", **shape) in en.stdout
    assert explicit.stdout == zh.stdout


def test_without_the_extension_the_locale_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert assess("01.evens", {}).language == "zh"


def test_the_readme_shows_what_check_really_prints() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```text\nChecking 01.evens:\n", 1)[1].split("```", 1)[0]
    real = assess("01.evens", {"evens": torch.arange(0, 20, 2)}, language="en").text()
    assert "Checking 01.evens:\n" + shown == real + "\n"


def test_counts_agree_with_their_numbers() -> None:
    assert message("check.failed", "en", count=1) == "Not yet: 1 thing to fix."
    assert message("check.failed", "en", count=2) == "Not yet: 2 things to fix."
    one = message("check.values_wrong", "en", name="t", wrong=1, total=1, index="0", value="5")
    assert one.startswith("1 of the 1 value of t is not right")
    many = message("check.values_wrong", "en", name="t", wrong=2, total=12000, index="0", value="5")
    assert many.startswith("2 of the 12,000 values of t are not right")
    assert message("check.length_wrong", "en", name="p", actual=1, expected=2) == (
        "p has 1 element; the exercise asks for 2")


def test_a_fault_of_ours_is_a_line_of_the_report_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    # A bug of ours stands in for a real one (describe has none known): the module, not the function of that name
    module = sys.modules["tensormagic.check"]

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("describe broke")

    monkeypatch.setattr(module, "describe", broken)
    report = assess("01.evens", {"evens": torch.arange(0, 21, 2)}, language="en")
    assert not report.passed
    assert report.findings[-1].text == message("check.fault", "en", name="evens",
                                               error="RuntimeError: describe broke")


def test_answered_says_what_to_fill_in_for_an_own_check(capsys: pytest.CaptureFixture[str]) -> None:
    from tensormagic.check import answered

    assert answered("06.allocating", "allocating", namespace={"allocating": {"a.T"}}, language="en")
    assert capsys.readouterr().out == ""
    assert not answered("06.x", "left", "gone", namespace={"left": ...}, language="zh")
    text = capsys.readouterr().out
    assert text.startswith(message("check.title", "zh", exercise="06.x"))
    assert message("check.placeholder", "zh", name="left") in text
    assert message("check.undefined", "zh", name="gone") in text
    assert message("check.failed", "zh", count=2) in text
    assert message("check.hint", "zh", text="").strip() not in text  # nothing tried yet: no hint
