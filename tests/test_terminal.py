"""Terminal IPython at 80 columns: a real ``ipython`` in a pseudo-terminal of that size.

An explained cell (in full, in brief and in Chinese), an annotation, the namespace overview and a concept card (in
English and Chinese) are captured as the terminal receives them; no line may be wider than the terminal (display
columns: a Chinese character takes two), and no word may be broken: every word of the unwrapped text appears whole
in the capture. The capture is saved as ``artifacts/terminal/ipython-80-columns.txt``.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from tensormagic.render.text import display_width

pexpect = pytest.importorskip("pexpect")  # IPython's own dependency on POSIX systems

COLUMNS = 80
ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "terminal" / f"ipython-{COLUMNS}-columns.txt"
CODE = (
    "n1 = np.array([[1, 2, 3], [4, 5, 6]])\n"
    "t1 = torch.from_numpy(n1)\n"
    "t1[0][0] = 8888\n"
    "y = t1.float() @ torch.ones(3, 4)\n"
    "z = y + torch.arange(4.0)\n"
    "u = y * torch.ones(2, 1)"
)
#: Control sequences prompt_toolkit writes (colours, cursor moves, bracketed paste, window titles).
ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9]|[=>])")
#: A word, for the check that none is broken: a run of characters a line may not break inside (no spaces, no
#: Chinese characters: Chinese text breaks between any two of them).
WORD = re.compile(r"[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+")
LAST = "tensormagic.magics.loaded_magics(get_ipython()).last_explanation"


def _marked(command: str, tag: str) -> str:
    """``command`` between two printed markers; the markers are built at run time, so the echoed input lacks them."""
    return f"print('<' + '{tag}>'); {command}; print('</' + '{tag}>')"


def _terminal_session(commands: dict[str, str]) -> dict[str, str]:
    """Run each command in ``ipython`` in an 80-column pty; return what it printed, ANSI codes removed."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(TERM="xterm", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    with tempfile.TemporaryDirectory() as profile:
        child = pexpect.spawn(
            sys.executable,
            ["-m", "IPython", "--no-banner", "--no-confirm-exit", "--colors=nocolor", f"--ipython-dir={profile}",
             "--HistoryManager.enabled=False"],
            env=env, encoding="utf-8", dimensions=(50, COLUMNS), timeout=180,
        )
        try:
            child.expect(r"In \[1\]:")
            output = ""
            lines = [
                "%load_ext tensormagic",
                "import numpy as np, torch, tensormagic",
                f"exec({CODE!r})",
                *[_marked(command, tag) for tag, command in commands.items()],
            ]
            for number, line in enumerate(lines, start=2):
                child.sendline(line)
                child.expect(rf"In \[{number}\]:")
                output += child.before
            child.sendline("exit")
            child.expect(pexpect.EOF)
        finally:
            child.close(force=True)
    clean = ANSI.sub("", output).replace("\r", "")
    return {tag: clean.split(f"<{tag}>\n", 1)[1].split(f"</{tag}>", 1)[0] for tag in commands}


def test_terminal_ipython_wraps_at_its_width_without_breaking_a_word() -> None:
    shown = {
        "explain": f"get_ipython().run_cell_magic('explain', '', {CODE!r})",
        "explain-brief": f"get_ipython().run_cell_magic('explain', '--brief', {CODE!r})",
        "explain-zh": f"get_ipython().run_cell_magic('explain', '--lang zh', {CODE!r})",
        "tensor": "get_ipython().run_line_magic('tensor', 't1')",
        "tensor-zh": "get_ipython().run_line_magic('tensor', '--lang zh t1')",
        "overview": "get_ipython().run_line_magic('tensor', '')",
        "card": "get_ipython().run_line_magic('explain', 'cnn')",
        "card-zh": "get_ipython().run_line_magic('explain', 'cnn --lang zh')",
    }
    # Each one's text unwrapped (one line per logical line, however long), printed by the same process right after.
    unwrapped = {
        "explain": f"print({LAST}.text(10**6))",
        "explain-brief": f"print({LAST}.text(10**6))",
        "explain-zh": f"print({LAST}.text(10**6))",
        "tensor": "print(tensormagic.annotate(t1, globals(), name='t1').text(10**6))",
        "tensor-zh": "print(tensormagic.annotate(t1, globals(), name='t1', language='zh').text(10**6))",
        "overview": "print(tensormagic.overview({k: v for k, v in globals().items() if not k.startswith('_')})"
        ".text(10**6))",
        "card": "print(tensormagic.card('cnn').text(10**6))",
        "card-zh": "print(tensormagic.card('cnn', 'zh').text(10**6))",
    }
    commands = {}
    for tag, command in shown.items():
        commands[tag] = command
        commands[f"{tag}-unwrapped"] = unwrapped[tag]
    captured = _terminal_session(commands)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(
        "".join(f"===== {tag} (ipython, {COLUMNS} columns) =====\n{captured[tag]}\n" for tag in shown),
        encoding="utf-8",
    )
    for tag in shown:
        text, reference = captured[tag], captured[f"{tag}-unwrapped"]
        assert text.strip() and reference.strip(), tag
        too_wide = [line for line in text.splitlines() if display_width(line) > COLUMNS]
        assert not too_wide, (tag, too_wide)
        missing = Counter(WORD.findall(reference)) - Counter(WORD.findall(text))
        assert not missing, (tag, missing)
        if tag != "overview":  # the check had something to do: these texts have lines longer than the terminal
            assert any(display_width(line) > COLUMNS for line in reference.splitlines()), tag
    assert "Tensor.__" not in captured["explain-brief"] and "Tensor.__getitem__" in captured["explain"]
    assert "共享内存" in captured["explain-zh"] and "共享内存" in captured["tensor-zh"]
