"""The README's promises that code can check: set-up commands first, a current reference, real screenshots."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_the_first_commands_are_make_demo_and_make_test() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", script, re.M)


def test_the_magic_reference_matches_the_code() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "magic_reference.py"), "--check", str(README)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    text = README.read_text(encoding="utf-8")
    for needle in ("### `%tensor`", "### `%explain` / `%%explain`", "--auto", "TensorMagic.language"):
        assert needle in text


def test_every_image_the_readme_shows_exists() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README.read_text(encoding="utf-8"))
    assert images
    for image in images:
        path = ROOT / image
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image


def test_the_note_codes_match_the_registry() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "note_codes.py"), "--check", str(README)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    from tensormagic.notes import CODES

    text = README.read_text(encoding="utf-8")
    assert all(f"| `{code}` |" in text for code in CODES)
