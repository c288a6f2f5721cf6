"""A classroom server: the extension enabled for every kernel of a shared image, speaking the server's locale.

The README's "For a classroom server" section, tested as written, in real ipykernels started by nbclient, with a
notebook that never loads the extension itself (no ``%load_ext``) and uses ``%tensor`` and ``%%explain``:

- the system-wide profile: ``c.InteractiveShellApp.extensions = ["tensormagic"]`` in
  ``$PREFIX/etc/ipython/ipython_config.py`` of the image's Python. The test builds a throwaway environment (a venv
  whose ``sys.prefix`` is a temporary folder, reaching this checkout's packages through a ``.pth`` file), so the
  real ``$PREFIX`` is never written; its kernelspec sets ``LANG=zh_CN.UTF-8`` as an image's would;
- the image's IPython directory: the same line in ``$IPYTHONDIR/profile_default/ipython_config.py``, with the
  kernel's environment saying ``LANG=zh_CN.UTF-8`` (Chinese) or ``LANG=en_US.UTF-8`` (English).

Every kernel runs with ``IPYTHONDIR`` and ``JUPYTER_CONFIG_DIR`` in temporary folders, so no personal configuration
of the machine running the tests takes part.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from notebooks import cell_errors, output_texts

from tensormagic.i18n import message

ENABLE = 'c.InteractiveShellApp.extensions = ["tensormagic"]\n'
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")

# A student's first cells: no %load_ext, no %config.
CELLS = [
    "import numpy as np\nimport torch",
    "n1 = np.array([[1., 2., 3.], [4., 5., 6.]])\n%tensor t1 = torch.from_numpy(n1)",
    "%%explain\nt2 = torch.tensor(data=[[1., 2.], [3., 4.]])\nt3 = t2.sum(dim=0)",
    "from tensormagic.magics import session_language\nprint(session_language())",
    'print(get_ipython().object_inspect_text("%tensor"))',
]


def kernel_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This process's environment without its locale or personal Jupyter/IPython configuration."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    ipython_dir = tmp_path / "ipython"
    ipython_dir.mkdir(exist_ok=True)
    config_dir = tmp_path / "jupyter-config"
    config_dir.mkdir(exist_ok=True)
    env.update(IPYTHONDIR=str(ipython_dir), JUPYTER_CONFIG_DIR=str(config_dir), **extra)
    return env


def run(notebook_dir: Path, env: dict[str, str], km: KernelManager | None = None) -> list[str]:
    """Run ``CELLS`` in a real kernel; the text of each cell's outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = NotebookClient(nb, timeout=300, kernel_name="python3", km=km, allow_errors=True,
                            resources={"metadata": {"path": str(notebook_dir)}})
    client.execute(env=env)
    errors = list(cell_errors(nb))
    assert not errors, [str(e) for e in errors]
    return ["\n".join(output_texts(cell)) for cell in nb.cells]


def assert_speaks(texts: list[str], language: str) -> None:
    annotation, explanation, session, inspected = texts[1], texts[2], texts[3], texts[4]
    assert message("share.ndarray", language, name="n1") in annotation
    assert f">{message('explain.what', language)}</th>" in explanation
    assert message("note.reduce.per_column", language, op="sum", dim=0, shape="(2, 2)", axis=0, result="(2,)",
                   n=2) in explanation
    assert session.strip() == language
    assert message("help.tensor.description", language).splitlines()[0] in inspected


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway Python environment standing for a JupyterHub image: its own ``sys.prefix``, this checkout's
    packages (torch, IPython, ipykernel, tensormagic) reached through a ``.pth`` file."""
    prefix = tmp_path_factory.mktemp("image")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True, timeout=120)
    probe = [str(prefix / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    site_packages = Path(subprocess.run(probe, check=True, capture_output=True, text=True).stdout.strip())
    # addsitedir (not a plain path line) so the checkout's own .pth files run too: the editable tensormagic install
    ours = sysconfig.get_paths()["purelib"]
    (site_packages / "checkout.pth").write_text(f"import site; site.addsitedir({ours!r})\n", encoding="utf-8")
    return prefix


def test_the_readme_gives_this_configuration() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For a classroom server", 1)[1].split("\n## ", 1)[0]
    assert f"echo '{ENABLE.strip()}' >> \"$PREFIX/etc/ipython/ipython_config.py\"" in section
    assert "$IPYTHONDIR/profile_default/ipython_config.py" in section


def test_the_image_stands_apart_from_this_environment(image: Path) -> None:
    probe = "import sys, IPython.core.application as a; print(sys.prefix); print(a.ENV_CONFIG_DIRS[0])"
    done = subprocess.run([str(image / "bin" / "python"), "-c", probe], check=True, capture_output=True, text=True)
    prefix, config_dir = done.stdout.split()
    assert Path(prefix) == image != Path(sys.prefix)
    # IPython reads $PREFIX/etc/ipython for every shell and kernel of that Python: the README's system-wide path
    assert Path(config_dir) == image / "etc" / "ipython"


def test_a_system_wide_profile_enables_the_extension_in_the_servers_language(image: Path, tmp_path: Path) -> None:
    config = image / "etc" / "ipython" / "ipython_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(ENABLE, encoding="utf-8")
    # The image's kernelspec: its Python, and the locale the server gives every kernel
    spec_dir = tmp_path / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [str(image / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (classroom)",
        "language": "python",
        "env": {"LANG": "zh_CN.UTF-8"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    km = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_dir.parent)]))
    try:
        texts = run(tmp_path, kernel_environment(tmp_path), km=km)
    finally:
        config.unlink()
    assert_speaks(texts, "zh")


@pytest.mark.parametrize(("locale", "language"), [("zh_CN.UTF-8", "zh"), ("en_US.UTF-8", "en")])
def test_a_profile_in_ipythondir_follows_the_kernels_locale(tmp_path: Path, locale: str, language: str) -> None:
    env = kernel_environment(tmp_path, LANG=locale)
    profile = Path(env["IPYTHONDIR"]) / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_config.py").write_text(ENABLE, encoding="utf-8")
    assert_speaks(run(tmp_path, env), language)


def test_without_the_profile_nothing_is_loaded(tmp_path: Path) -> None:
    """The control: the same kernel and notebook without the configuration line knows no %tensor."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%tensor 1")]
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=kernel_environment(tmp_path, LANG="zh_CN.UTF-8"))
    errors: list[Any] = list(cell_errors(nb))
    assert [e.ename for e in errors] == ["UsageError"]
