"""The README's promises that code can check: set-up commands first, a current reference, real screenshots."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def _declared(key: str) -> str:
    """A ``key = "value"`` line of pyproject.toml (tomllib is 3.11+; the package claims 3.10)."""
    found = re.search(rf'^{key} = "([^"]+)"$', PYPROJECT, re.M)
    assert found is not None, key
    return found.group(1)


def _bash_blocks() -> list[list[str]]:
    """The commands of each ```bash block, comments and blank lines left out."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [[c for c in (line.split("#")[0].strip() for line in block.splitlines()) if c] for block in blocks]


def test_a_user_install_comes_first_then_make_demo_and_make_test() -> None:
    install, development = _bash_blocks()[:2]
    # A CPU-only torch from PyTorch's CPU index first, then the package from a clone or from its wheel.
    assert install[0] == "pip install torch --index-url https://download.pytorch.org/whl/cpu"
    assert f"git clone {_declared('Source')}" in install
    assert "pip install ./tensormagic" in install
    version = _declared("version")
    assert f"pip install tensormagic/dist/tensormagic-{version}-py3-none-any.whl" in install
    assert development == ["make demo", "make test"]


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
    """Images are absolute links (a package page shows them) to files of this repository on ``main``."""
    source = _declared("Source")
    prefix = source.replace("https://github.com/", "https://raw.githubusercontent.com/") + "/main/"
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README.read_text(encoding="utf-8"))
    assert images
    for image in images:
        assert image.startswith(prefix), image
        path = ROOT / image.removeprefix(prefix)
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
