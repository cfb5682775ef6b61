"""JupyterLab and headless Chromium for the browser tests: what a learner sees, driven by Playwright.

The browser is Debian's `chromium` (never a browser that Playwright downloads); JupyterLab runs on a
free loopback port with a random token, on a temporary copy of the notebooks and the `helpers`
package they import, offline, with autosave and news off.

JupyterLab is loaded once and kept in its page: each test opens its notebook from the file browser
and closes it with File > Close and Shut Down Notebook, as a learner going from lesson to lesson does.
Loading the app takes about 3.5 s (2.5 s of Chromium's CPU); opening a notebook in the loaded app
about 1.2 s, most of it its kernel starting (measured on 2 cores, November 2026).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.testing import use_offline_environment

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Headless, and nothing that would reach the network or a GPU (CI has neither).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOTS = Path(tempfile.gettempdir()) / "workshop-browser-screenshots"
REQUIRE_ENV = "WORKSHOP_REQUIRE_BROWSER"  # set by .ci/run: a missing browser fails instead of skipping
CHROMIUM_ENV = "WORKSHOP_CHROMIUM"  # another chromium binary, if it is not where Debian puts it

# JupyterLab user settings (written into a temporary JUPYTERLAB_SETTINGS_DIR): no autosave, so the
# tests save when they mean to; no news or update checks (no network, no pop-up over the notebook);
# every cell in the DOM (no windowing), so the tests see all of them.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def chromium_path() -> str | None:
    """The Chromium binary to drive, or None when this machine has none."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        return chosen if Path(chosen).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements-test.txt)"
    if chromium_path() is None:
        return "no Chromium found (apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lab_environment(home: Path) -> dict[str, str]:
    """The server's (and so every kernel's) environment: offline, no AWS_* from this machine, private dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    use_offline_environment(env)  # the project's one definition of offline: also points AWS files at nothing
    # It also drops BEDROCK_SIMULATOR_LATENCY_SCALE (the root conftest sets 0 for nbval), so the lessons
    # stream at the learner's default pace: about 30 s of the 13 lessons' 72 s of Run All, measured
    # serially in November 2026, but spent sleeping, not computing; under xdist other workers use the
    # cores meanwhile, and streaming widgets (02, 10) are seen as a learner sees them.
    for name in ("JUPYTER_PATH", "JUPYTER_PREFER_ENV_PATH", "IPYTHONDIR"):
        env.pop(name, None)
    env.update(
        PYTHONPATH=str(home),  # the copied helpers, not whatever `helpers` the venv has installed
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def prepare_home(home: Path) -> Path:
    """Copy what the lessons need into `home`; return the notebook directory."""
    shutil.copytree(ROOT / "notebooks", home / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(ROOT / "helpers", home / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for plugin, values in LAB_SETTINGS.items():
        path = home / "lab-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    for name in ("lab-workspaces", "jupyter-config", "jupyter-runtime", "ipython"):
        (home / name).mkdir(exist_ok=True)
    return home / "notebooks"


class Lab:
    """A running JupyterLab server: its URL, token, notebook directory and REST API."""

    def __init__(self, home: Path, port: int, token: str, process: subprocess.Popen, log: Path):
        self.home, self.port, self.token, self.process, self.log = home, port, token, process, log
        self.notebooks = home / "notebooks"
        self.kernels_seen: set[str] = set()  # every kernel a notebook was given: each must get a new one
        self.base = f"http://127.0.0.1:{port}"

    def app_url(self) -> str:
        # `reset` starts from the default, empty workspace: no tab of an earlier page comes back.
        return f"{self.base}/lab?reset&token={self.token}"

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            f"{self.base}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def sessions(self) -> list[dict]:
        return self.api("GET", "sessions")

    def shut_down_kernels(self) -> None:
        """End every session and kernel, so the next notebook opened gets a fresh kernel."""
        for session in self.sessions():
            self.api("DELETE", f"sessions/{session['id']}")
        for kernel in self.api("GET", "kernels"):
            self.api("DELETE", f"kernels/{kernel['id']}")

    def restore_notebooks(self) -> None:
        """Put the committed notebooks back, so that no test opens what an earlier test saved."""
        for path in (ROOT / "notebooks").glob("*.ipynb"):
            shutil.copy2(path, self.notebooks / path.name)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_lab(home: Path, timeout: float = 90) -> Iterator[Lab]:
    """Start JupyterLab on a temporary copy of the lessons; stop it (and its kernels) afterwards."""
    prepare_home(home)
    port, token = free_port(), secrets.token_hex(24)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={home / 'notebooks'}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = home / "jupyterlab.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=home / "notebooks",
            env=lab_environment(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    lab = Lab(home, port, token, process, log)
    try:
        _wait_until_up(lab, timeout)
        yield lab
    finally:
        _stop(process)


def _wait_until_up(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {lab.process.returncode}:\n{lab.tail()}")
        try:
            lab.api("GET", "status")
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{lab.tail()}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM lets Jupyter shut its kernels down; anything left of its process group is killed after."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group we started: kernels the server left behind
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------- the JupyterLab page


class Console:
    """What the page reported (uncaught exceptions, console errors), attributed to one test at a time.

    The handlers stay on the page for its whole life; `begin()` starts a new list, so what an earlier
    test's notebook logged, even late, never lands in a later test's list."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console error: {msg.text}"))

    def begin(self) -> list[str]:
        self.errors = []
        return self.errors


def click_menu(page, top: str, command: str) -> None:
    """Click a top-level menu, then the item that runs `command` (JupyterLab's command id)."""
    page.locator(".lm-MenuBar-item", has_text=top).first.click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


class LabPage:
    """One browser page with JupyterLab loaded, reused from test to test while it stays healthy.

    A test that fails, or a notebook that does not close cleanly, leaves the page in a state nobody
    has checked: the page is then thrown away and the next test loads JupyterLab afresh."""

    def __init__(self, context, lab: Lab):
        self.context, self.lab = context, lab
        self.page = None

    def ready(self):
        """The page with JupyterLab's file browser showing; loads the app if there is no healthy page."""
        if self.page is None:
            page = self.context.new_page()
            page.console = Console(page)
            try:
                page.goto(self.lab.app_url())
                page.locator(".jp-DirListing-item").first.wait_for()
            except BaseException:
                page.close()
                raise
            self.page = page
        return self.page

    def discard(self) -> None:
        if self.page is not None:
            page, self.page = self.page, None
            try:
                page.close()
            except Exception:  # the browser may be gone; the next test says so when it opens a page
                pass

    def close_notebooks(self, timeout: float = 30) -> None:
        """File > Close and Shut Down Notebook for each open notebook; wait until the server has no session."""
        page = self.page
        tabs = page.locator("#jp-main-dock-panel .lm-TabBar-tab[data-type='document-title']")
        for left in reversed(range(tabs.count())):
            tabs.first.click()
            click_menu(page, "File", "filemenu:close-and-cleanup")
            dialog = page.locator(
                ".jp-Dialog", has=page.locator(".jp-Dialog-header", has_text="Shut down the notebook?")
            )
            dialog.locator(".jp-Dialog-button.jp-mod-accept").click()  # "Ok"
            page.wait_for_function(
                "([selector, left]) => document.querySelectorAll(selector).length === left",
                arg=["#jp-main-dock-panel .lm-TabBar-tab[data-type='document-title']", left],
                polling=50,
            )
        deadline = time.monotonic() + timeout
        while self.lab.sessions() or self.lab.api("GET", "kernels"):
            if time.monotonic() > deadline:
                raise AssertionError(f"kernels still running {timeout:.0f} s after their notebooks closed")
            time.sleep(0.05)


# Every code cell's prompt, and the kernel status JupyterLab shows in the notebook's toolbar.
_ALL_CELLS_DONE = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')];
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status;
  return status === 'idle' && prompts.length > 0 && !prompts.some(p => p.textContent.includes('*'));
}"""


# The notebook is the current tab, and the status bar reads "Python 3 (ipykernel) | Idle" (it reads
# "No Kernel | Initializing" until the kernel has started). Only visible status items count, and only
# once this notebook's tab is current, so nothing the previous notebook left on the page is read.
_KERNEL_IDLE = """(name) => {
  const tab = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current');
  if (!tab || !tab.title.startsWith(`Name: ${name}\\n`)) return false;
  const items = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .filter(e => e.checkVisibility()).map(e => e.textContent.trim());
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status;
  return status === 'idle' && items.some(t => / \\| Idle$/.test(t) && !t.startsWith('No Kernel'));
}"""


class NotebookPage:
    """One notebook open in JupyterLab, worked through the menus as a learner would."""

    def __init__(self, page, lab: Lab, name: str):
        self.page, self.lab, self.name = page, lab, name

    def open(self, timeout: float = 90) -> NotebookPage:
        """Double-click the notebook in the file browser; wait until its new kernel is idle."""
        item = self.page.locator(
            ".jp-DirListing-item[data-file-type='notebook']",
            has=self.page.locator(".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(self.name)}$")),
        )
        item.dblclick()
        self.wait_idle(timeout)
        sessions = [s for s in self.lab.sessions() if s["path"] == self.name]
        kernels = {s["kernel"]["id"] for s in sessions}
        assert len(kernels) == 1, f"{self.name} should have one kernel, the server lists {sessions}"
        assert not kernels & self.lab.kernels_seen, f"{self.name} got a kernel an earlier notebook used: {kernels}"
        self.lab.kernels_seen |= kernels
        return self

    def wait_idle(self, timeout: float = 90) -> None:
        """Wait until the notebook's kernel has started and is idle (the toolbar alone says idle before that)."""
        self.page.wait_for_function(_KERNEL_IDLE, arg=self.name, timeout=timeout * 1000, polling=100)

    def menu(self, top: str, command: str) -> None:
        click_menu(self.page, top, command)

    def clear_outputs(self) -> None:
        self.menu("Edit", "editmenu:clear-all")
        self.page.wait_for_function("() => !document.querySelector('.jp-Notebook .jp-OutputArea-output')", polling=50)

    def run_all(self, timeout: float = 300) -> float:
        """Run > Run All Cells; wait until no cell is queued and the kernel is idle. Returns seconds taken."""
        start = time.perf_counter()
        self.menu("Run", "runmenu:run-all")
        # The first cell's prompt turns to [*] at once; wait for it so an idle kernel before the run
        # is not taken for the end of it.
        self.page.wait_for_function(
            "() => !document.querySelector('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')"
            "?.textContent.includes('[ ]')",
            polling=50,
        )
        self.page.wait_for_function(_ALL_CELLS_DONE, timeout=timeout * 1000, polling=100)
        return time.perf_counter() - start

    def save(self) -> dict:
        """File > Save Notebook; return the notebook as JupyterLab wrote it."""
        path = self.lab.notebooks / self.name
        before = path.stat().st_mtime_ns
        self.menu("File", "docmanager:save")
        # The tab loses its "unsaved" mark once JupyterLab has finished writing.
        self.page.wait_for_function("() => !document.querySelector('.jp-mod-current.jp-mod-dirty')", polling=50)
        deadline = time.monotonic() + 30
        while path.stat().st_mtime_ns == before:
            if time.monotonic() > deadline:
                raise AssertionError(f"JupyterLab did not save {self.name} within 30 s")
            time.sleep(0.05)
        return json.loads(path.read_text(encoding="utf-8"))

    def cell(self, index: int):
        """The DOM element of cell `index` (same order as the notebook's cells)."""
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def screenshot(self, directory: Path, label: str, cell: int | None = None) -> Path:
        """Save a screenshot, scrolled to `cell` when given; return its path."""
        if cell is not None:
            try:
                self.cell(cell).evaluate("el => el.scrollIntoView({block: 'start'})", timeout=5000)
            except Exception:  # a screenshot of wherever the page is beats none
                pass
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{label}.png"
        self.page.screenshot(path=str(path))
        return path
