"""A private Jupyter server (JupyterLab or Notebook 7) driven by headless Debian Chromium, for the browser tests.

Each server binds 127.0.0.1 on a free port with an empty token (loopback only), in temporary runtime, config,
data, settings and workspace folders: the user's own Jupyter settings and notebook signatures are never read or
written. ``expose_app_in_browser`` lets a test run the front end's own commands (change the theme) as a user's
menu click would.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read())


def chinese_fonts() -> list[str]:
    """Fonts fontconfig says cover Chinese (``fc-list :lang=zh``); empty when there is none or no fontconfig."""
    if shutil.which("fc-list") is None:
        return []
    listing = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return [line for line in listing.splitlines() if line.strip()]


@contextmanager
def jupyter_server(app: str, root: Path, base: Path) -> Iterator[str]:
    """``jupyter lab`` or ``jupyter notebook`` serving ``root``; yields its URL; stopped afterwards."""
    env = dict(os.environ)
    for variable, folder in [
        ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ]:
        (base / folder).mkdir(parents=True, exist_ok=True)
        env[variable] = str(base / folder)
    # The kernelspec lives in the venv (make setup): with JUPYTER_DATA_DIR moved, the venv's share/ still counts.
    settings = base / "settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True, exist_ok=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    # Render every cell (no virtual scrolling), so each output's DOM exists while a test looks at it.
    (settings / "notebook-extension").mkdir(parents=True, exist_ok=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    log_path = base / f"{app}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "jupyter"), app, "--no-browser", "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
                "--ServerApp.password=", "--allow-root", f"--ServerApp.root_dir={root}",
                "--LabServerApp.expose_app_in_browser=True", "--LabApp.expose_app_in_browser=True",
                "--LabApp.news_url=None",
            ],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    get_json(f"{url}/api/status")
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"jupyter {app} did not start:\n" + log_path.read_text()) from None
                    time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_idle_kernel(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sessions = get_json(f"{url}/api/sessions")
        if isinstance(sessions, list) and sessions and all(
            s.get("kernel", {}).get("execution_state") == "idle" for s in sessions
        ):
            return
        time.sleep(0.5)
    raise AssertionError("the notebook's kernel never became idle")


def run_all_cells(page: Any) -> None:
    """Run every cell through the front end's own command (the Run menu's "Run All Cells")."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def set_theme(page: Any, theme: str) -> None:
    """Switch the front end's theme as the Settings menu does, and wait until its colours apply."""
    page.evaluate("theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme)
    page.wait_for_function(
        "theme => document.body.dataset.jpThemeName === theme"
        " && getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim() !== ''",
        arg=theme, timeout=30_000,
    )
    page.wait_for_timeout(500)  # the theme's stylesheet has loaded; let the page repaint with it


#: WCAG 2 contrast of every text of the given outputs (except the front end's own chrome inside them, a selector)
#: against what is painted behind it. The colour behind an
#: element is composed down its ancestors: each background over the one above it, each ``opacity`` blending the
#: element's whole rendering (background and text) with what is behind it. Returns the lowest ratios found.
CONTRAST_JS = r"""
([selectors, chrome]) => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {  // top (rgba) painted over an opaque colour
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a));
  };
  const mix = (behind, inner, o) => [0, 1, 2].map(i => inner[i] * o + behind[i] * (1 - o));
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const paint = (chain, i, behind, text) => {
    const node = chain[i], style = getComputedStyle(node);
    const own = over(parse(style.backgroundColor), behind);
    const inner = i === chain.length - 1
      ? (text ? over(parse(style.color), own) : own)
      : paint(chain, i + 1, own, text);
    return mix(behind, inner, Number(style.opacity));
  };
  const results = [];
  for (const root of document.querySelectorAll(selectors)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (el.closest('svg') || el.tagName === 'STYLE' || el.tagName === 'SCRIPT') continue;
      if (chrome && el.closest(chrome)) continue;
      const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      if (!own || !el.getClientRects().length) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const chain = [];
      for (let n = el; n && n.nodeType === 1; n = n.parentElement) chain.unshift(n);
      const white = [255, 255, 255];
      const fg = paint(chain, 0, white, true), bg = paint(chain, 0, white, false);
      const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
      const large = size >= 24 || (size >= 18.66 && bold);
      results.push({text: el.textContent.trim().slice(0, 60), ratio: ratio(fg, bg), need: large ? 3 : 4.5,
                    fg: fg.map(Math.round), bg: bg.map(Math.round), tag: el.tagName});
    }
  }
  return results;
}
"""


#: Every output area whose content is wider than the area (it would scroll or be cut), and every text element
#: that reaches past the right edge of its output area.
OVERFLOW_JS = r"""
(selector) => {
  const problems = [];
  for (const area of document.querySelectorAll(selector)) {
    const box = area.getBoundingClientRect();
    if (area.scrollWidth > area.clientWidth + 1) {
      problems.push({area: area.textContent.slice(0, 60), scroll: area.scrollWidth, client: area.clientWidth});
    }
    for (const el of area.querySelectorAll('*')) {
      const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      for (const r of el.getClientRects()) {
        if (r.right > box.right + 1) {
          problems.push({text: el.textContent.trim().slice(0, 60), right: r.right, edge: box.right});
        }
      }
    }
  }
  return problems;
}
"""
