"""IPython's conventions, in real shells: unknown options, cell numbers in tracebacks, settings from config files
and %config, unloading, and the language taken from the locale as POSIX orders it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output


def test_an_unknown_option_is_a_usage_error(shell: InteractiveShell) -> None:
    shell.run_cell("t1 = torch.ones(2)")
    with capture_output() as captured:
        result = shell.run_cell("%tensor --bogus t1")
    text = captured.stdout + captured.stderr
    assert not result.success and "unrecognized arguments: --bogus" in text
    assert "SyntaxError" not in text and "tensormagic/magics" not in text
    with capture_output() as captured:
        result = shell.run_cell("%tensor -- -t1")  # -- ends the options: -t1 is the expression
    assert result.success, captured.stderr


def test_a_name_error_names_the_cell_it_was_typed_in(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_cell("%tensor undefined_name", store_history=True)
    number = shell.execution_count - 1  # the count the failing cell ran under
    text = captured.stdout + captured.stderr
    assert "NameError" in text
    assert f"In[{number}]" in text and f"In[{number + 1}]" not in text


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_one_invalid_setting_keeps_the_others_and_warns_once() -> None:
    result = run_python(
        """
        from traitlets.config import Config
        from IPython.core.interactiveshell import InteractiveShell
        config = Config()
        config.TensorMagic.language = "zh"
        config.TensorMagic.precision = 99
        shell = InteractiveShell.instance(config=config)
        for _ in range(3):
            shell.run_line_magic("load_ext", "tensormagic")
            from tensormagic.magics import loaded_magics
            print("LANGUAGE", loaded_magics(shell).settings.language, loaded_magics(shell).settings.precision)
            shell.run_line_magic("unload_ext", "tensormagic")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("LANGUAGE zh 4") == 3
    assert result.stderr.count("ignoring invalid settings") == 1 and "precision = 99" in result.stderr


def test_a_refused_config_value_is_not_refused_again_at_the_next_load() -> None:
    result = run_python(
        """
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "tensormagic")
        shell.run_line_magic("config", "TensorMagic.precision = 99")
        shell.run_line_magic("unload_ext", "tensormagic")
        shell.run_line_magic("load_ext", "tensormagic")
        from tensormagic.magics import loaded_magics
        print("PRECISION", loaded_magics(shell).settings.precision)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "PRECISION 4" in result.stdout and "ignoring invalid settings" not in result.stderr


def test_unloading_leaves_no_configurable_behind() -> None:
    shell = InteractiveShell.instance()
    before = list(shell.configurables)
    for _ in range(3):
        shell.run_line_magic("load_ext", "tensormagic")
        shell.run_line_magic("unload_ext", "tensormagic")
    assert shell.configurables == before


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LC_ALL": "C", "LANGUAGE": "zh_CN", "LANG": ""}, "en"),
    ],
)
def test_the_language_follows_the_locale_in_posix_order(
    env: dict[str, str], language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tensormagic.i18n import default_language

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    assert default_language() == language
