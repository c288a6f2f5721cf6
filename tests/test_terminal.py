"""Terminal IPython at 80 columns: a real ``ipython`` in a pseudo-terminal of that size.

An explained cell (in full, in brief and in Chinese), an annotation, the namespace overview and a concept card (in
English and Chinese) are captured as the terminal receives them; no line may be wider than the terminal (display
columns: a Chinese character takes two), and no word may be broken: every word of the unwrapped text appears whole
in the capture. The capture is saved as ``artifacts/terminal/ipython-80-columns.txt``.

A second session names variables and layers in Chinese, with a combining mark (``x̄``) and with emoji, and asks a
second real terminal, tmux, where each table cell lands: every cell starts (or, for right-aligned numbers, ends)
under its heading, and no line is wider than 80 columns by tmux's own count. Saved as
``artifacts/terminal/ipython-80-columns-wide-characters.txt``.
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
WIDE_ARTIFACT = ARTIFACT.with_name(f"ipython-{COLUMNS}-columns-wide-characters.txt")
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


def _terminal_session(commands: dict[str, str], code: str = CODE) -> dict[str, str]:
    """Run ``code``, then each command, in ``ipython`` in an 80-column pty; return what each printed, ANSI codes
    removed."""
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
                "from torch import nn",
                f"exec({code!r})",
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


# --- columns line up on a real terminal: Chinese, combining marks, emoji ---------------------------------------------

#: Names a course notebook may well have: Chinese variables, a combining macron (x̄ has no precomposed form, so it
#: stays two code points in one column), layers named with Chinese and emoji (a flag is two code points, two columns).
WIDE_CODE = (
    "from collections import OrderedDict\n"
    "张量 = torch.ones(2, 3)\n"
    "x\u0304 = 张量[0]\n"
    "模型 = nn.Sequential(OrderedDict([('卷积层', nn.Conv2d(1, 8, 3)), ('x\u0304', nn.ReLU()), "
    "('flat😀', nn.Flatten()), ('输出🇨🇳', nn.Linear(8 * 26 * 26, 10))]))"
)
#: Asks the terminal it runs in where the cursor is after each text (DSR, ``ESC [6n``): the terminal's own count of
#: the columns the text takes, independent of tensormagic's ``display_width``.
PROBE = r"""
import json, os, sys, termios, tty
texts = json.load(open(sys.argv[1], encoding="utf-8"))
fd = os.open("/dev/tty", os.O_RDWR)
saved = termios.tcgetattr(fd)
tty.setraw(fd)
columns = []
try:
    for text in texts:
        os.write(fd, ("\x1b[H\x1b[2J" + text + "\x1b[6n").encode())
        reply = b""
        while not reply.endswith(b"R"):
            reply += os.read(fd, 1)
        row, column = reply[reply.rindex(b"[") + 1 : -1].split(b";")
        columns.append(int(column) - 1 if row == b"1" else -1)
finally:
    termios.tcsetattr(fd, termios.TCSADRAIN, saved)
with open(sys.argv[2] + ".part", "w", encoding="utf-8") as out:
    json.dump(columns, out)
os.rename(sys.argv[2] + ".part", sys.argv[2])
"""


def _terminal_columns(texts: list[str]) -> list[int]:
    """How many columns each text takes in tmux (a terminal with its own width tables, 200 columns wide)."""
    import json
    import shutil
    import subprocess
    import time

    tmux = shutil.which("tmux")
    if tmux is None:
        pytest.skip("tmux is not installed (.ci/run installs it)")
    with tempfile.TemporaryDirectory() as folder:
        probe, given, answer = Path(folder, "probe.py"), Path(folder, "texts.json"), Path(folder, "columns.json")
        probe.write_text(PROBE, encoding="utf-8")
        given.write_text(json.dumps(texts), encoding="utf-8")
        socket = f"tensormagic-{os.getpid()}"
        env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm"}
        env.pop("TMUX", None)
        subprocess.run(
            [tmux, "-u", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "5",
             sys.executable, str(probe), str(given), str(answer)],
            env=env, check=True,
        )
        try:
            for _ in range(1200):  # up to two minutes on a busy machine
                if answer.exists():
                    break
                time.sleep(0.1)
            columns: list[int] = json.loads(answer.read_text(encoding="utf-8"))
        finally:
            subprocess.run([tmux, "-L", socket, "kill-server"], env=env, check=False, capture_output=True)
    return columns


def _cells(line: str) -> list[tuple[int, int]]:
    """Where each cell of a table line begins and ends (string indexes); cells are separated by two or more spaces."""
    return [(match.start(), match.end()) for match in re.finditer(r"\S+(?: \S+)*", line)]


def _table(text: str, first_title: str, rows: int) -> list[str]:
    lines = text.splitlines()
    heading = next(k for k, line in enumerate(lines) if line.split()[:1] == [first_title])
    return lines[heading : heading + rows + 1]


def test_tables_line_up_on_a_real_terminal_with_chinese_combining_marks_and_emoji() -> None:
    captured = _terminal_session({
        "overview-zh": "from torch import nn; get_ipython().run_line_magic('tensor', '--lang zh')",
        "model-zh": "get_ipython().run_line_magic('tensor', '--lang zh --input-shape 1,1,28,28 模型')",
        "model": "get_ipython().run_line_magic('tensor', '--input-shape 1,1,28,28 模型')",
    }, code=WIDE_CODE)
    WIDE_ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    WIDE_ARTIFACT.write_text(
        "".join(f"===== {tag} (ipython, {COLUMNS} columns) =====\n{text}\n" for tag, text in captured.items()),
        encoding="utf-8",
    )
    # each table: its heading line (found by its first column's title) and the rows under it
    tables = {
        tag: _table(captured[tag], first, rows)
        for tag, first, rows in [("overview-zh", "变量名", 2), ("model-zh", "层", 5), ("model", "layer", 5)]
    }
    for tag, rows in tables.items():
        assert any(not row.isascii() for row in rows[1:]), (tag, rows)  # the wide names are in the table
    assert "共享内存：x\u0304" in captured["overview-zh"]  # Chinese prose takes its full-width colon
    every_line = [line for text in captured.values() for line in text.splitlines() if line.strip()]
    # ask the terminal for the column of every cell's start and end in every table row, and every line's width
    spans = {tag: [_cells(row) for row in rows] for tag, rows in tables.items()}
    texts = [row[:index] for tag, rows in tables.items() for row, cells in zip(rows, spans[tag], strict=True)
             for cell in cells for index in cell]
    measured = iter(_terminal_columns(texts + every_line))
    for tag, rows in tables.items():
        placed = [[(next(measured), next(measured)) for _ in cells] for cells in spans[tag]]
        header_starts = {start for start, _ in placed[0]}
        header_ends = {end for _, end in placed[0]}
        for row, cells in zip(rows[1:], placed[1:], strict=True):
            # a cell starts under its heading (left-aligned columns) or ends under it (right-aligned numbers)
            assert all(start in header_starts or end in header_ends for start, end in cells), (tag, row, cells)
    widths = [next(measured) for _ in every_line]
    assert all(0 <= width <= COLUMNS for width in widths), [
        (line, width) for line, width in zip(every_line, widths, strict=True) if not 0 <= width <= COLUMNS
    ]
