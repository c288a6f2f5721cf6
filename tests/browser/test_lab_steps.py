"""``%%explain --steps`` in JupyterLab in headless Debian Chromium: the slider walks the §4 example.

Uses the private JupyterLab of ``test_lab_cards.py`` (its ``lab`` fixture: loopback only, temporary settings), puts a
notebook into it through the contents API, runs it, and moves through the steps with the *next* button and the
slider's keyboard handle, checking the drawing at every step: the boxes' values, the written box, the names'
marks, the new memory. Then the two forms without a kernel: the notebook's saved outputs opened untrusted (the
drawing must survive as an image) and the standalone HTML page opened from disk with every network request refused.
Screenshots go to ``artifacts/screenshots/`` (``make screenshots``: ``docs/screenshots/``).
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import torch
from jupyter_pages import CHROMIUM, CHROMIUM_ARGS, wait_for_idle_kernel
from test_lab_cards import SCREENSHOTS, lab, sync_api  # noqa: F401

import tensormagic as tm

WALK = "n1 = np.array([[1, 2, 3], [4, 5, 6]])\nt1 = torch.from_numpy(n1)\nt1[0][0] = 8888\nt2 = torch.tensor(n1)\n"
SETUP = "%load_ext tensormagic\nimport numpy as np\nimport torch"
# What each step must draw: the boxes of each memory row (row id -> texts), the written boxes, the names' marks.
EXPECTED: list[dict[str, Any]] = [
    {"rows": {"s1": ["1", "2", "3", "4", "5", "6"]}, "written": [], "names": {"n1": ""}, "new": True},
    {"rows": {"s1": ["1", "2", "3", "4", "5", "6"]}, "written": [], "names": {"n1": "", "t1": ""}, "new": False},
    {
        "rows": {"s1": ["8888", "2", "3", "4", "5", "6"]}, "written": [("s1", "0")],
        "names": {"n1": "tm-steps-via", "t1": "tm-steps-written"}, "new": False,
    },
    {
        "rows": {"s1": ["8888", "2", "3", "4", "5", "6"], "s2": ["8888", "2", "3", "4", "5", "6"]},
        "written": [], "names": {"n1": "", "t1": "", "t2": ""}, "new": True,
    },
]

_READ_DRAWING = """(root) => {
  const svg = root.querySelector('.tm-steps-drawing svg');
  if (!svg) { return null; }
  const rows = {};
  for (const box of svg.querySelectorAll('g.tm-steps-box')) {
    const id = box.getAttribute('data-storage');
    (rows[id] = rows[id] || []).push(box.querySelector('text').textContent);
  }
  const written = [...svg.querySelectorAll('g.tm-steps-box.tm-steps-written')]
    .map((b) => [b.getAttribute('data-storage'), b.getAttribute('data-box')]);
  const names = {};
  for (const name of svg.querySelectorAll('g.tm-steps-name')) {
    const marks = [...name.classList].filter((c) => c !== 'tm-steps-name');
    names[name.getAttribute('data-name')] = marks.join(' ');
  }
  const covers = {};
  for (const cell of svg.querySelectorAll('.tm-steps-cover')) {
    const block = cell.getAttribute('data-block');
    covers[block] = (covers[block] || 0) + 1;
  }
  const caption = root.querySelector('.tm-steps-caption');
  return {rows, written, names, covers, isNew: svg.querySelectorAll('text.tm-steps-new').length > 0,
          caption: caption ? caption.innerText : ''};
}"""


def _api(lab_url: str, path: str, method: str = "GET", body: Any = None) -> Any:
    """Jupyter's REST API on the private server (empty token on loopback; the XSRF cookie as Lab sends it)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{lab_url}/lab", timeout=10):  # noqa: S310 - sets the _xsrf cookie
        pass
    xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
    request = urllib.request.Request(
        f"{lab_url}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-XSRFToken": xsrf},
    )
    with opener.open(request, timeout=30) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read() or b"null")


def _put_notebook(lab_url: str, name: str, nb: nbformat.NotebookNode) -> None:
    _api(lab_url, f"/api/contents/{name}", "PUT", {"type": "notebook", "format": "json", "content": nb})


def _read(page: Any) -> dict[str, Any]:
    widget = page.locator(".tm-steps").first
    result: dict[str, Any] = widget.evaluate(_READ_DRAWING)
    return result


def _check(step: int, seen: dict[str, Any]) -> None:
    expected = EXPECTED[step - 1]
    assert seen["rows"] == expected["rows"], (step, seen)
    assert [tuple(w) for w in seen["written"]] == expected["written"], (step, seen)
    assert seen["names"] == expected["names"], (step, seen)
    assert seen["isNew"] == expected["new"], (step, seen)
    assert f"step {step} of 4" in seen["caption"], seen["caption"]
    assert all(count == 6 for count in seen["covers"].values()) and len(seen["covers"]) == len(seen["names"]), seen


def _launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def test_slider_walks_the_section_4_example(lab: str) -> None:  # noqa: F811 - the fixture imported above
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell("%%explain --steps\n" + WALK)]
    _put_notebook(lab, "steps.ipynb", nb)
    with sync_api.sync_playwright() as playwright:
        browser = _launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        try:
            page.goto(f"{lab}/lab/tree/steps.ipynb")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            wait_for_idle_kernel(lab)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
            page.wait_for_selector(".tm-steps .tm-steps-drawing svg", timeout=120_000)
            wait_for_idle_kernel(lab, timeout=120)
            widget = page.locator(".tm-steps").first
            widget.scroll_into_view_if_needed()
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert errors.count() == 0, errors.all_inner_texts()

            for step in range(1, 5):
                if step > 1:
                    widget.locator("button.tm-steps-next").click()
                    page.wait_for_function(
                        "(n) => { const c = document.querySelector('.tm-steps .tm-steps-caption');"
                        " return c && c.innerText.includes('step ' + n + ' of 4'); }", arg=step, timeout=20_000,
                    )
                _check(step, _read(page))
                widget.screenshot(path=str(SCREENSHOTS / f"steps-{step}.png"))
            # The slider itself: its keyboard handle goes back one step.
            handle = widget.locator(".tm-steps-slider .noUi-handle")
            handle.focus()
            page.keyboard.press("ArrowLeft")
            page.wait_for_function(
                "() => document.querySelector('.tm-steps .tm-steps-caption').innerText.includes('step 3 of 4')",
                timeout=20_000,
            )
            _check(3, _read(page))
            assert "t1[0][0] = 8888" in widget.locator(".tm-steps-current").inner_text()
        except Exception:
            failure = Path(tempfile.gettempdir()) / "tensormagic-steps-failure.png"
            page.screenshot(path=str(failure), full_page=True)
            print(f"page at the failure: {failure}")
            raise
        finally:
            browser.close()


def test_untrusted_saved_outputs_keep_the_drawing(lab: str) -> None:  # noqa: F811
    """Opened from disk (untrusted), the notebook has no widget and its HTML is sanitized: the image remains."""
    from nbclient import NotebookClient
    from notebooks import KERNEL_NAME

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell("%%explain --steps\n" + WALK)]
    NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=120).execute()
    _put_notebook(lab, "saved.ipynb", nb)
    with sync_api.sync_playwright() as playwright:
        browser = _launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        try:
            page.goto(f"{lab}/lab/tree/saved.ipynb")
            page.wait_for_selector(".tensormagic-steps-static img", timeout=60_000)
            image = page.locator(".tensormagic-steps-static img").first
            image.scroll_into_view_if_needed()
            page.wait_for_function(
                "() => { const i = document.querySelector('.tensormagic-steps-static img');"
                " return i && i.complete && i.naturalWidth > 300 && i.naturalHeight > 300; }", timeout=20_000,
            )
            page.locator(".jp-Cell", has=image).screenshot(path=str(SCREENSHOTS / "steps-untrusted.png"))
        finally:
            browser.close()


def test_standalone_page_works_offline(tmp_path: Path) -> None:
    timeline = tm.steps(WALK, {"np": np, "torch": torch}, language="zh")
    path = timeline.save_html(tmp_path / "steps.html")
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = _launch(playwright)
        page = browser.new_page(viewport={"width": 1100, "height": 800})

        def refuse(route: Any) -> None:
            requests.append(route.request.url)
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                route.abort()

        page.route("**/*", refuse)
        try:
            page.goto(path.as_uri())
            page.wait_for_selector("#tm-steps-drawing svg")
            assert "第 1 步（共 4 步）" in page.locator("#tm-steps-caption").inner_text()
            for _ in range(2):
                page.locator("#tm-steps-next").click()
            assert "第 3 步（共 4 步）" in page.locator("#tm-steps-caption").inner_text()
            boxes = page.locator("#tm-steps-drawing g.tm-steps-box text").all_text_contents()
            assert boxes == ["8888", "2", "3", "4", "5", "6"]
            assert page.locator("#tm-steps-drawing g.tm-steps-box.tm-steps-written").count() == 1
            assert "t1[0][0] = 8888" in page.locator(".tm-steps-current").inner_text()
            page.locator("#tm-steps-slider").evaluate(
                "(s) => { s.value = '3'; s.dispatchEvent(new Event('input')); }"
            )
            assert "第 4 步（共 4 步）" in page.locator("#tm-steps-caption").inner_text()
            page.screenshot(path=str(SCREENSHOTS / "steps-page-zh.png"), full_page=True)
        finally:
            browser.close()
    assert all(url.startswith("file://") for url in requests), requests
