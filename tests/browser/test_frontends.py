"""What a class sees, in the front ends it opens notebooks in: JupyterLab Light and Dark, an untrusted executed
notebook, Notebook 7; English and Chinese.

One notebook (built here) explains a cell in full and in brief, annotates a tensor, lists the namespace, opens the
inspector and a concept card, then does the same in Chinese. The tests run it live in JupyterLab and check every
text of tensormagic's outputs against its background (WCAG contrast, in both themes); open an executed copy that was
not signed (as a student receives it) and check that drawings are images with a size and that no text runs out of
its output area; run it in Notebook 7; and take screenshots of each (``artifacts/screenshots/frontends/``; the ones
the README shows go to ``TENSORMAGIC_SCREENSHOTS``, which ``make screenshots`` points at ``docs/screenshots/``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_pages import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    CONTRAST_JS,
    OVERFLOW_JS,
    chinese_fonts,
    jupyter_server,
    run_all_cells,
    set_theme,
    wait_for_idle_kernel,
)

if not CHROMIUM.exists():
    print(f"skipping the front-end browser tests: {CHROMIUM} is not installed (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

README_SHOTS = Path(os.environ.get("TENSORMAGIC_SCREENSHOTS", ARTIFACTS))
SHOTS = ARTIFACTS / "frontends"
#: The screenshots the README shows: written to README_SHOTS (docs/screenshots/ under `make screenshots`).
README = {"lab-light-zh-explain.png": "explain-cell-zh.png"}

CODE = """n1 = np.array([[1, 2, 3], [4, 5, 6]])
t1 = torch.from_numpy(n1)
t1[0][0] = 8888
w = torch.ones(3, 4)
y = t1.float() @ w
z = y + torch.arange(4.0)"""

#: The notebook's cells, in order: name -> source.
CELLS = {
    "setup": "%load_ext tensormagic\nimport numpy as np\nimport torch\nimport tensormagic as tm",
    "en-explain": "%%explain\n" + CODE,
    "en-brief": "%%explain --brief\n" + CODE,
    "en-tensor": "%tensor t1",
    "en-overview": "%tensor",
    "en-inspector": "base = torch.arange(24.0).reshape(2, 3, 4)\nview = base[:, 1:, ::2]\n%tensor -w view",
    "en-card": "%explain cnn",
    "zh-explain": "%%explain --lang zh\n" + CODE,
    "zh-brief": "%%explain --brief --lang zh\n" + CODE,
    "zh-tensor": "%tensor --lang zh t1",
    "zh-inspector": "%tensor -w --lang zh view",
    "zh-card": "%explain cnn --lang zh",
}
INDEX = {name: k for k, name in enumerate(CELLS)}
NOTEBOOK = "frontends.ipynb"
#: tensormagic's outputs, live (widgets) or static (an untrusted notebook's sanitized HTML).
OURS = (
    ".tensormagic-explanation, .tensormagic-annotation, .tensormagic-overview, .tm-inspector, .tm-card, "
    ".tensormagic-inspector, .tensormagic-card"
)


def build_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS.values()]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def shot(element: Any, name: str) -> None:
    """Save a screenshot under artifacts/, and (if the README shows it) under README_SHOTS too."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    element.screenshot(path=str(path))
    if name in README:
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, README_SHOTS / README[name])


def cell(page: Any, name: str) -> Any:
    """The notebook's cell ``name`` (in the notebook shown: JupyterLab keeps other open documents hidden)."""
    return page.locator(".jp-NotebookPanel:visible .jp-Cell").nth(INDEX[name])


#: Inside the widgets, text the front end styles itself, not tensormagic: the tab bar's titles (JupyterLab Light
#: draws inactive ones at 4.43:1, its own --jp-ui-font-color2 on --jp-layout-color1).
CHROME = ".lm-TabBar"


def low_contrast(page: Any) -> list[dict[str, Any]]:
    results = page.evaluate(CONTRAST_JS, [OURS, CHROME])
    assert len(results) > 50, f"only {len(results)} texts found in tensormagic's outputs"
    lowest = min(results, key=lambda r: r["ratio"])
    print(f"contrast: {len(results)} texts, lowest {lowest['ratio']:.2f}:1 ({lowest['text']!r} {lowest['tag']})")
    return [r for r in results if r["ratio"] < r["need"]]


def require_chinese_font() -> None:
    fonts = chinese_fonts()
    if not fonts:
        reason = "no font covers Chinese here (fc-list :lang=zh is empty): install fonts-noto-cjk (.ci/run does)"
        print(f"skipping the Chinese screenshots: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 1700})  # tall enough for a whole card cell
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    return page


def failure_screenshot(page: Any) -> None:
    failure = Path(tempfile.gettempdir()) / "tensormagic-frontends-failure.png"
    page.screenshot(path=str(failure), full_page=True)
    print(f"page at the failure: {failure}")


def run_live(page: Any, url: str) -> None:
    """Run the whole notebook in its kernel and wait until every output of ours is there."""
    wait_for_idle_kernel(url)
    run_all_cells(page)
    page.wait_for_function(
        "document.querySelectorAll('.tensormagic-explanation').length >= 4"
        " && document.querySelectorAll('.tm-inspector').length >= 2"
        " && document.querySelectorAll('.tm-card').length >= 2",
        timeout=180_000,
    )
    wait_for_idle_kernel(url, timeout=180)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, errors.all_inner_texts()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notebook to run live, and an executed copy of it that nobody signed (as a student receives one)."""
    from notebooks import execute  # tools/notebooks.py: nbclient in a real ipykernel, as `make demo` runs it

    root = tmp_path_factory.mktemp("notebooks")
    nbformat.write(build_notebook(), root / NOTEBOOK)
    source = root / "source" / NOTEBOOK
    source.parent.mkdir()
    nbformat.write(build_notebook(), source)
    executed = execute(source)
    assert executed.ok, executed.errors or executed.crash
    nbformat.write(executed.notebook, root / "untrusted.ipynb")  # not signed: JupyterLab sanitizes its outputs
    return root


@pytest.fixture(scope="module")
def lab(served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with jupyter_server("lab", served, tmp_path_factory.mktemp("lab")) as url:
        yield url


@pytest.fixture(scope="module")
def live_lab(browser: Any, lab: str) -> Iterator[Any]:
    page = open_page(browser, f"{lab}/lab/tree/{NOTEBOOK}")
    try:
        run_live(page, lab)
    except Exception:
        failure_screenshot(page)
        raise
    yield page
    page.close()


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_every_text_reads_against_its_background_in_jupyterlab(live_lab: Any, theme: str) -> None:
    page = live_lab
    set_theme(page, theme)
    front = "lab-light" if theme.endswith("Light") else "lab-dark"
    try:
        for name in ("en-explain", "en-brief", "en-tensor", "en-overview", "en-inspector", "en-card"):
            shot(cell(page, name), f"{front}-{name}.png")
        failing = low_contrast(page)
        assert not failing, failing[:10]
        inspector = cell(page, "en-inspector")
        inspector.get_by_role("tab", name="memory").click()
        inspector.locator(".tm-inspector-memory").wait_for(state="visible")
        failing = low_contrast(page)  # the storage drawing and its legend, now on screen
        assert not failing, failing[:10]
        shot(inspector, f"{front}-en-inspector-memory.png")
        inspector.get_by_role("tab", name="values").click()
    except Exception:
        failure_screenshot(page)
        raise


def test_explanations_say_it_in_full_and_in_brief(live_lab: Any) -> None:
    full = cell(live_lab, "en-explain").locator(".tensormagic-explanation").inner_text()
    brief = cell(live_lab, "en-brief").locator(".tensormagic-explanation").inner_text()
    assert "Tensor.__getitem__" in full and "broadcast" in full
    assert "Tensor.__" not in brief and "t1[0]" in brief and "t1.float() @ w" in brief
    assert brief.count("broadcasting rule") == 1
    assert "exact, over all" in cell(live_lab, "en-tensor").inner_text()


def test_a_focused_slider_follows_the_arrow_keys_in_jupyterlab(live_lab: Any) -> None:
    card = cell(live_lab, "en-card").locator(".tm-card").first
    card.scroll_into_view_if_needed()
    output = card.locator(".tm-card-output")
    before = output.inner_text()
    card.locator(".noUi-handle").first.focus()
    live_lab.keyboard.press("ArrowRight")
    sync_api.expect(output).not_to_have_text(before, timeout=30_000)


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_chinese_in_jupyterlab(live_lab: Any, theme: str) -> None:
    require_chinese_font()
    page = live_lab
    set_theme(page, theme)
    front = "lab-light" if theme.endswith("Light") else "lab-dark"
    explained = cell(page, "zh-explain").locator(".tensormagic-explanation").inner_text()
    assert "共享内存" in explained and "从右往左对齐" in explained
    for name in ("zh-explain", "zh-brief", "zh-tensor", "zh-inspector", "zh-card"):
        shot(cell(page, name), f"{front}-{name}.png")


@pytest.fixture(scope="module")
def untrusted_lab(browser: Any, lab: str) -> Iterator[Any]:
    page = open_page(browser, f"{lab}/lab/workspaces/untrusted/tree/untrusted.ipynb")  # a workspace of its own
    page.wait_for_selector(".tensormagic-inspector", timeout=60_000)
    yield page
    page.close()


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_an_untrusted_notebook_reads_well_sanitized(untrusted_lab: Any, theme: str) -> None:
    page = untrusted_lab
    set_theme(page, theme)
    front = "lab-untrusted-light" if theme.endswith("Light") else "lab-untrusted-dark"
    try:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-OutputArea-output img')].every(i => i.complete)", timeout=30_000
        )
        assert page.locator(".tm-inspector, .tm-card").count() == 0  # no widget views: the static HTML shows
        assert page.locator(".jp-OutputArea-output svg").count() == 0  # the sanitizer removed every inline <svg>
        images = page.evaluate(
            "() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
            ".map(i => [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width, i.alt])"
        )
        drawn = [image for image in images if image[0] > 0 and image[1] > 0 and image[2] > 0]
        assert len(drawn) == len(images), images
        for name, count in (("en-inspector", 2), ("zh-inspector", 2), ("en-card", 3), ("zh-card", 3)):
            assert cell(page, name).locator("img").count() == count, name  # histogram and memory; the CNN's three
        overflowing = page.evaluate(OVERFLOW_JS, ".jp-OutputArea-output")
        assert not overflowing, overflowing[:10]
        failing = low_contrast(page)
        assert not failing, failing[:10]
        for name in ("en-explain", "en-brief", "en-inspector", "en-card"):
            shot(cell(page, name), f"{front}-{name}.png")
        if chinese_fonts():
            for name in ("zh-explain", "zh-inspector", "zh-card"):
                shot(cell(page, name), f"{front}-{name}.png")
    except Exception:
        failure_screenshot(page)
        raise


@pytest.fixture(scope="module")
def live_notebook7(browser: Any, served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with jupyter_server("notebook", served, tmp_path_factory.mktemp("notebook7")) as url:
        page = open_page(browser, f"{url}/notebooks/{NOTEBOOK}")
        try:
            run_live(page, url)
        except Exception:
            failure_screenshot(page)
            raise
        yield page
        page.close()


def test_notebook7_shows_explanations_inspector_and_cards(live_notebook7: Any) -> None:
    page = live_notebook7
    assert "from_numpy" in cell(page, "en-explain").inner_text()
    assert "slice [0, :, :]" in cell(page, "en-inspector").inner_text()
    failing = low_contrast(page)
    assert not failing, failing[:10]
    for name in ("en-explain", "en-inspector", "en-card"):
        shot(cell(page, name), f"notebook7-{name}.png")
    if chinese_fonts():
        for name in ("zh-explain", "zh-card"):
            shot(cell(page, name), f"notebook7-{name}.png")


def test_notebook7_card_takes_a_typed_value(live_notebook7: Any) -> None:
    """Arrow keys on a focused slider move the notebook's cursor in Notebook 7 (see the README); typing works.

    Notebook 7 starts its application without ``bubblingKeydown`` (JupyterLab passes it), so the notebook's
    command-mode shortcuts ArrowLeft/ArrowRight/ArrowUp/ArrowDown match the focused slider handle in the capture
    phase and stop the key before the slider sees it. Page Up/Down and Home/End, and a value typed into the
    slider's number, still reach the widget: the two ways the README gives.
    """
    page = live_notebook7
    card = cell(page, "en-card").locator(".tm-card").first
    card.scroll_into_view_if_needed()
    output = card.locator(".tm-card-output")
    before = output.inner_text()
    handle = card.locator(".noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(1000)
    moved = "changed" if output.inner_text() != before else "unchanged"
    print(f"Notebook 7, ArrowRight on a focused slider: the card is {moved}")
    before = output.inner_text()
    handle.focus()
    page.keyboard.press("PageUp")
    sync_api.expect(output).not_to_have_text(before, timeout=30_000)
    readout = card.locator(".widget-readout").first
    value = int(re.sub(r"\D", "", readout.inner_text()) or 0)
    before = output.inner_text()
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value + 1))
    page.keyboard.press("Enter")
    sync_api.expect(output).not_to_have_text(before, timeout=30_000)


#: VS Code's notebook outputs, as far as tensormagic's HTML meets them. VS Code itself does not run here; what the
#: test reproduces is what our HTML depends on there: each output's ``text/html`` is placed in a page whose body takes
#: the theme's ``--vscode-*`` colours and font (the default colours of VS Code's built-in Dark Modern, Light Modern
#: and High Contrast themes), with JavaScript switched off (our outputs must not need it). A widget output shows its
#: static ``text/html`` here: VS Code draws live widgets through its own widget manager, which is not tested.
VSCODE_THEMES = {
    "dark": {"background": "#1f1f1f", "foreground": "#cccccc", "focus": "#0078d4"},
    "light": {"background": "#ffffff", "foreground": "#3b3b3b", "focus": "#005fb8"},
    "high-contrast": {"background": "#000000", "foreground": "#ffffff", "focus": "#f38518"},
}


def vscode_page(outputs: dict[str, list[str]], theme: dict[str, str]) -> str:
    variables = (
        f"--vscode-editor-background:{theme['background']};--vscode-editor-foreground:{theme['foreground']};"
        f"--vscode-foreground:{theme['foreground']};--vscode-focusBorder:{theme['focus']};"
        "--vscode-editor-font-family:'Droid Sans Mono','monospace',monospace;--vscode-editor-font-size:14px"
    )
    cells = "".join(
        f'<div class="vscode-output" id="{name}" style="width:860px;padding:4px 0;margin-bottom:12px">{html}</div>'
        for name, htmls in outputs.items() for html in htmls
    )
    return (
        f'<!doctype html><html><head><meta charset="utf-8"></head><body style="{variables};margin:8px;'
        f'background:var(--vscode-editor-background);color:var(--vscode-editor-foreground);'
        f'font-family:system-ui,sans-serif">{cells}</body></html>'
    )


@pytest.mark.parametrize("theme", list(VSCODE_THEMES))
def test_vscode_themes_read_every_static_output_without_javascript(browser: Any, served: Path, theme: str) -> None:
    executed = nbformat.read(served / "untrusted.ipynb", as_version=4)
    outputs = {
        name: [output["data"]["text/html"] for output in notebook_cell.outputs if "text/html" in output.get("data", {})]
        for name, notebook_cell in zip(CELLS, executed.cells, strict=True)
    }
    everything = "".join(html for htmls in outputs.values() for html in htmls)
    assert "<script" not in everything.lower()  # nothing to run: VS Code may not trust the notebook's scripts
    assert all(outputs[name] for name in CELLS if name != "setup"), {k: len(v) for k, v in outputs.items()}
    context = browser.new_context(java_script_enabled=False, viewport={"width": 900, "height": 1200})
    page = context.new_page()
    try:
        page.set_content(vscode_page(outputs, VSCODE_THEMES[theme]))
        page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=30_000)
        images = page.evaluate("() => [...document.images].map(i => [i.naturalWidth, i.naturalHeight])")
        assert images and all(width > 0 and height > 0 for width, height in images), images
        overflowing = page.evaluate(OVERFLOW_JS, ".vscode-output")
        assert not overflowing, overflowing[:10]
        failing = low_contrast(page)
        assert not failing, failing[:10]
        for name in ("en-explain", "en-card", "en-inspector"):
            shot(page.locator(f"#{name}").first, f"vscode-{theme}-{name}.png")
        if chinese_fonts():
            for name in ("zh-explain", "zh-card"):
                shot(page.locator(f"#{name}").first, f"vscode-{theme}-{name}.png")
    except Exception:
        failure_screenshot(page)
        raise
    finally:
        context.close()
