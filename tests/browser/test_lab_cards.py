"""JupyterLab in headless Debian Chromium: the cards tour renders, its controls are live.

Starts a private JupyterLab on 127.0.0.1 (free port, temporary config/runtime/settings/workspace folders,
empty token on loopback only), opens ``demos/cards_tour.ipynb`` (a copy, so Lab's autosave never rewrites
the source), runs all cells, checks every card and the inspector are visibly rendered, moves the CNN kernel
slider (and the autograd and training-loop sliders) and checks the text follows, and saves screenshots under
``artifacts/screenshots/`` (``make screenshots`` writes them to ``docs/screenshots/``, the README's copies).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_pages import CHROMIUM, CHROMIUM_ARGS, jupyter_server, wait_for_idle_kernel

if not CHROMIUM.exists():
    print(f"skipping the JupyterLab browser test: {CHROMIUM} is not installed (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "demos" / "cards_tour.ipynb"
# Every run saves its screenshots under artifacts/ (ignored by git); `make screenshots` points this at
# docs/screenshots/, the copies the README shows, so the committed pictures change only when asked to.
SCREENSHOTS = Path(os.environ.get("TENSORMAGIC_SCREENSHOTS", ROOT / "artifacts" / "screenshots"))
# Every cell that shows a card is marked so by demos/build_notebooks.py (the tour is built from the card registry).
CARD_COUNT = sum(
    bool(cell.get("metadata", {}).get("tensormagic", {}).get("card"))
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    with jupyter_server("lab", root, base) as url:
        yield url


def test_cards_render_and_react_in_jupyterlab(lab: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1800})  # a whole card fits the window
        try:
            page.goto(f"{lab}/lab/tree/{NOTEBOOK.name}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            wait_for_idle_kernel(lab)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
            page.wait_for_function(
                f"document.querySelectorAll('.tm-card').length >= {CARD_COUNT}"
                " && document.querySelectorAll('.tm-inspector').length >= 2",
                timeout=120_000,
            )
            wait_for_idle_kernel(lab, timeout=120)

            cards = page.locator(".tm-card")
            assert cards.count() == CARD_COUNT
            for k in range(CARD_COUNT):
                card = cards.nth(k)
                card.scroll_into_view_if_needed()
                assert card.is_visible()
                box = card.bounding_box()
                assert box is not None and box["height"] > 120 and box["width"] > 300
                assert card.locator(".tm-card-output").inner_text().strip()
                if os.environ.get("TM_SCREENSHOT_ALL"):  # for reviewing every card by eye
                    card.screenshot(path=str(Path(os.environ["TM_SCREENSHOT_ALL"]) / f"card-{k:02d}.png"))
            stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert stderr.count() == 0, stderr.all_inner_texts()
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
            assert errors.count() == 0

            cnn = page.locator(".tm-card-cnn").first
            cnn.scroll_into_view_if_needed()
            output = cnn.locator(".tm-card-output")
            assert "(1, 8, 26, 26)" in output.inner_text()
            cnn.screenshot(path=str(SCREENSHOTS / "cnn-card.png"))
            handle = cnn.locator(".tm-cnn-kernel .noUi-handle")
            handle.focus()
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "() => { const o = document.querySelector('.tm-card-cnn .tm-card-output');"
                " return o && o.innerText.includes('(1, 8, 24, 24)'); }",
                timeout=20_000,
            )
            assert "kernel_size=5" in output.inner_text()

            # The autograd and training-loop cards: a slider moved from the keyboard reruns their torch code.
            for topic, slider, before, after, picture in (
                ("autograd", "x", "2 · 2 · 1.5 = 6", "2 · 2.2 · 1.6 = 7.04", "autograd-card.png"),
                ("training-loop", "lr", "with lr = 0.1:", "with lr = 0.126:", "training-loop-card.png"),
            ):
                shown = page.locator(f".tm-card-{topic}").first
                shown.scroll_into_view_if_needed()
                assert before in shown.locator(".tm-card-output").inner_text()
                shown.locator(f".tm-{topic}-{slider} .noUi-handle").focus()
                page.keyboard.press("ArrowRight")  # x 1.5 → 1.6; lr 0.1 → 10^-0.9, one log step up
                page.wait_for_function(
                    f"() => {{ const o = document.querySelector('.tm-card-{topic} .tm-card-output');"
                    f" return o && o.innerText.includes({after!r}); }}",
                    timeout=20_000,
                )
                shown.screenshot(path=str(SCREENSHOTS / picture))

            inspector = page.locator(".tm-inspector").first
            inspector.scroll_into_view_if_needed()
            assert "slice [0, :, :]" in inspector.inner_text()
            inspector.get_by_role("tab", name="memory").click()
            memory = inspector.locator(".tm-inspector-memory")
            memory.wait_for(state="visible")
            assert "storage box 4 + i0·12 + i1·4 + i2·2" in memory.inner_text()
            inspector.screenshot(path=str(SCREENSHOTS / "inspector-memory.png"))

            explained = page.locator(".tensormagic-explanation").first
            explained.scroll_into_view_if_needed()
            assert "from_numpy" in explained.inner_text()
            page.locator(".jp-Cell", has=explained).screenshot(path=str(SCREENSHOTS / "explain-cell.png"))
        except Exception:
            failure = Path(tempfile.gettempdir()) / "tensormagic-browser-failure.png"
            page.screenshot(path=str(failure), full_page=True)
            print(f"page at the failure: {failure}")
            raise
        finally:
            browser.close()
