"""The version matrix: the whole test suite against the oldest and the newest versions the package admits.

``make matrix`` (or ``.venv/bin/nox``) runs every cell, each in a fresh virtual environment under ``.nox/``:
numpy, IPython and ipywidgets each at the floor ``pyproject.toml`` declares (installed exactly, ``==floor``) or at
the newest release the registry has, with traitlets at its floor where IPython is. Every cell uses the local CPU
build ``torch==2.13.0`` (``constraints.txt``): the only torch this machine can install without a multi-GB CUDA build.

Each cell installs the package (editable) with its ``test`` extra less the browser-only packages (JupyterLab,
Notebook 7, Playwright) and runs ``pytest`` over ``tests/`` except the browser tests (they drive JupyterLab, whose
version the matrix does not vary) and ``tests/test_wheel.py`` (it builds its own fresh environment from the
registry's newest versions, so it would test the same thing in every cell). The ``table`` session, run last,
prints one line per cell from ``artifacts/matrix/``: the versions installed, the test counts and the wall time.

One cell: ``.venv/bin/nox -s "matrix(numpy-floor/ipython-latest/ipywidgets-floor)"``; a few by keyword:
``.venv/bin/nox -k "ipython-floor"``; ``-r`` reuses environments from an earlier run.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import nox
import nox.project
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "artifacts" / "matrix"
VARIED = ("numpy", "ipython", "ipywidgets")
# Installed at its floor together with IPython's: IPython's floor is only meaningful with the traitlets it came with.
COMPANIONS = {"ipython": ("traitlets",)}
# Test requirements only the browser tests use; left out, the rest of the suite runs without them, and JupyterLab's
# server (traitlets>=5.6) would keep traitlets above the floor the package declares.
BROWSER_ONLY = ("jupyterlab", "notebook", "playwright")
REPORTED = ("torch", "numpy", "ipython", "ipywidgets", "traitlets", "ipykernel", "comm", "nbclient")
EXCLUDED = ("tests/browser", "tests/test_wheel.py")

nox.options.sessions = ["matrix", "table"]
nox.options.default_venv_backend = "venv"


PROJECT = nox.project.load_toml(ROOT / "pyproject.toml")["project"]


def declared_floors(project: dict = PROJECT) -> dict[str, str]:
    """The lower bound (``>=X``) of each dependency in ``pyproject.toml``, by normalised name."""
    floors = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        for specifier in requirement.specifier:
            if specifier.operator == ">=":
                floors[requirement.name.lower()] = specifier.version
    return floors


FLOORS = declared_floors()
TEST_REQUIREMENTS = [
    line for line in PROJECT["optional-dependencies"]["test"] if Requirement(line).name.lower() not in BROWSER_ONLY
]


def requirement_for(name: str, end: str) -> str:
    """``name==floor`` at the oldest end; the bare name at the newest, so pip takes the newest release."""
    return f"{name}=={FLOORS[name]}" if end == "floor" else name


CELLS = [
    nox.param(numpy, ipython, ipywidgets, id=f"numpy-{numpy}/ipython-{ipython}/ipywidgets-{ipywidgets}")
    for numpy in ("floor", "latest")
    for ipython in ("floor", "latest")
    for ipywidgets in ("floor", "latest")
]


@nox.session
@nox.parametrize(("numpy", "ipython", "ipywidgets"), CELLS)
def matrix(session: nox.Session, numpy: str, ipython: str, ipywidgets: str) -> None:
    """Install one combination of oldest/newest versions and run the whole suite (browser tests aside)."""
    ends = {"numpy": numpy, "ipython": ipython, "ipywidgets": ipywidgets}
    cell = f"numpy-{numpy}/ipython-{ipython}/ipywidgets-{ipywidgets}"
    started = time.monotonic()
    pins = [requirement_for(name, end) for name, end in ends.items()]
    pins += [requirement_for(c, end) for name, end in ends.items() for c in COMPANIONS.get(name, ())]
    # One resolver run, so the pins and the package's own requirements are satisfied together.
    session.install("--constraint", "constraints.txt", "-e", ".", *TEST_REQUIREMENTS, *pins)
    # The kernelspec the notebook tests ask for, inside this environment (as `make setup` does for .venv).
    session.run("python", "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3", silent=True)
    versions_json = session.run(
        "python",
        "-c",
        "import json, importlib.metadata as m; "
        f"print(json.dumps({{n: m.version(n) for n in {REPORTED!r}}}))",
        silent=True,
    )
    versions = json.loads(str(versions_json).strip().splitlines()[-1])
    session.log("versions: " + ", ".join(f"{name} {version}" for name, version in versions.items()))
    for name, end in ends.items():
        if end == "floor" and Version(versions[name]) != Version(FLOORS[name]):
            session.error(f"{name} {versions[name]} installed where the floor {FLOORS[name]} was asked for")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = cell.replace("/", "_")
    junit = RESULTS / f"{stem}.xml"
    record = RESULTS / f"{stem}.json"
    record.unlink(missing_ok=True)
    ignores = [f"--ignore={path}" for path in EXCLUDED]
    failed: Exception | None = None
    try:
        session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *ignores, f"--junitxml={junit}",
                    *session.posargs)
    except Exception as error:  # noqa: BLE001 - nox raises its own failure type; record the cell, then re-raise
        failed = error
    summary = "no results"
    if junit.is_file():
        suite = ElementTree.parse(junit).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")  # type: ignore[assignment]
        counts = {key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}  # type: ignore[union-attr]
        passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
        summary = (
            f"{passed} passed, {counts['failures']} failed, {counts['errors']} errors, {counts['skipped']} skipped"
        )
    record.write_text(
        json.dumps({"cell": cell, "versions": versions, "summary": summary, "wall_s": time.monotonic() - started}),
        encoding="utf-8",
    )
    if failed is not None:
        raise failed


@nox.session(python=False)
def table(session: nox.Session) -> None:
    """Print the results of the last ``matrix`` run, one Markdown table row per cell."""
    rows = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(RESULTS.glob("*.json"))]
    if not rows:
        session.skip(f"no results in {RESULTS.relative_to(ROOT)}: run the matrix first")
    lines = [
        "| cell | torch | numpy | IPython | ipywidgets | traitlets | ipykernel | result | wall time |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        versions = row["versions"]
        lines.append(
            f"| {row['cell']} | {versions.get('torch')} | {versions.get('numpy')} | {versions.get('ipython')} "
            f"| {versions.get('ipywidgets')} | {versions.get('traitlets')} | {versions.get('ipykernel')} "
            f"| {row['summary']} | {row['wall_s']:.0f} s |"
        )
    print("\n".join(lines))
