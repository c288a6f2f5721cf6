"""The package as a user gets it: built with ``python -m build``, installed into a fresh venv, loaded in a real kernel.

The checkout is built into an sdist and a wheel from that sdist (so a file the sdist forgets fails here), the wheel
goes into a new virtual environment that sees no other site-packages, with ``torch==2.13.0`` (this machine's local
CPU build) and ``ipykernel``, and a real ``ipykernel`` started from that environment's Python runs
``%load_ext tensormagic`` and ``%tensor torch.ones(2)``. The kernel works in an empty folder, so the checkout's own
``tensormagic/`` can't stand in for the installed one.

It needs the package registry (build isolation fetches hatchling; pip installs the dependencies; pip's cache keeps
the repeat runs quick). When building or installing fails and pip's index cannot be read at that moment, the test is
skipped and says why; any other failure to build or install is a failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
# The only torch this machine can install without a multi-GB CUDA build (see constraints.txt).
TORCH_REQUIREMENT = "torch==2.13.0"
KERNEL_NAME = "tensormagic-wheel"
# A hang guard, not a speed check: a cold kernel imports torch, and this machine is shared.
CELL_TIMEOUT_S = 600


def _primary_index() -> str:
    """The index pip installs public packages from: ``PIP_INDEX_URL``, else pip's configured index-url, else PyPI."""
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"].split()[0]
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                            check=False).stdout
    configured = re.findall(r"^[\w:.-]*\.index-url='([^']+)'", listed, re.M)
    return configured[-1].split()[0] if configured else "https://pypi.org/simple"


def _unreachable_registry() -> str | None:
    """Why pip's index can't be read right now, or None when it can (then a failed install is a real failure)."""
    url = _primary_index().rstrip("/") + "/hatchling/"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # pip's own index: http(s) or file
            response.read(1)
    except (OSError, ValueError) as error:
        return f"{url}: {error}"
    return None


def _run(command: list[str], what: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``command``; skip when it failed and pip's registry is out of reach, fail for any other reason."""
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        unreachable = _unreachable_registry()
        if unreachable is not None:
            reason = f"{what}: pip cannot reach the package registry ({unreachable[:300]})"
            print(reason)
            pytest.skip(reason)
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}")
    return done


def _clean_environment() -> dict[str, str]:
    """This process's environment without what would let the new venv see the checkout or the test venv."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV", "PYTHONSTARTUP"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``python -m build`` makes from an sdist of this checkout."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], "python -m build", env=_clean_environment())
    wheels = sorted(out.glob("tensormagic-*.whl"))
    assert len(wheels) == 1, sorted(p.name for p in out.iterdir())
    assert sorted(out.glob("tensormagic-*.tar.gz")), "no sdist was built"
    return wheels[0]


@pytest.fixture(scope="module")
def user_python(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A fresh venv (no system site-packages) with torch 2.13.0, the wheel and ipykernel installed by plain pip."""
    home = tmp_path_factory.mktemp("user-venv")
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(home)
    python = home / "bin" / "python"
    # As the README tells a user: torch first (here the local CPU build), then the package from its wheel.
    # --no-compile only saves time: byte-compiling torch's files took 60 of the 90 s its install took here.
    pip = [str(python), "-m", "pip", "install", "--quiet", "--no-compile"]
    _run([*pip, TORCH_REQUIREMENT], "pip install torch", env=_clean_environment())
    _run([*pip, str(wheel), "ipykernel"], "pip install the wheel", env=_clean_environment())
    return python


def test_the_wheel_carries_its_license_and_type_marker(wheel: Path) -> None:
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "tensormagic/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Framework :: Jupyter" in metadata and "Classifier: Framework :: IPython" in metadata
    assert "Project-URL: Source, https://github.com/tensormagic/tensormagic" in metadata


def test_the_installed_wheel_loads_in_a_real_kernel(user_python: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = _run([str(user_python), "-c", "import sys, torch, tensormagic; print(sys.path, torch.__version__, "
                 "tensormagic.__file__)"], "importing the installed package", cwd=tmp_path, env=_clean_environment())
    assert str(ROOT) not in site.stdout  # the fresh venv does not see the checkout
    assert "2.13.0" in site.stdout

    kernels = tmp_path / "kernels"
    (kernels / KERNEL_NAME).mkdir(parents=True)
    spec = {
        "argv": [str(user_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "tensormagic from its wheel",
        "language": "python",
        "env": {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},  # English, whatever this machine's locale says
    }
    (kernels / KERNEL_NAME / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        monkeypatch.delenv(name, raising=False)
    manager = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))

    work = tmp_path / "work"
    work.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import sys, tensormagic\nprint(sys.executable)\nprint(tensormagic.__file__)"),
        nbformat.v4.new_code_cell("%load_ext tensormagic"),
        nbformat.v4.new_code_cell("import torch\n%tensor torch.ones(2)"),
        nbformat.v4.new_code_cell("%%explain\ndoubled = torch.ones(2) * 2"),
    ]
    NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT_S, startup_timeout=CELL_TIMEOUT_S,
                   resources={"metadata": {"path": str(work)}}).execute()

    errors = [o for cell in notebook.cells for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    where = "".join(o.get("text", "") for o in notebook.cells[0].outputs if o.output_type == "stream").splitlines()
    assert where[0] == str(user_python)
    installed = Path(where[1]).resolve()
    assert installed.parts[-3] == "site-packages" and installed.is_relative_to(user_python.parent.parent.resolve())

    annotation = [o for o in notebook.cells[2].outputs if o.output_type in ("display_data", "execute_result")]
    assert len(annotation) == 1, notebook.cells[2].outputs
    text = annotation[0]["data"]["text/plain"]
    assert "(2,)" in text and "float32" in text and "cpu" in text, text
    assert "float32" in annotation[0]["data"]["text/html"]

    explained = "".join(o["data"].get("text/plain", "") for o in notebook.cells[3].outputs if "data" in o)
    assert "ones" in explained and "mul" in explained, explained
