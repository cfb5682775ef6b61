"""Fixtures for the browser tests: one JupyterLab for the session, a fresh page and kernel per test.

Without Playwright or Chromium the tests skip, unless WORKSHOP_REQUIRE_BROWSER=1 (which `.ci/run`
sets): then they fail, so CI cannot pass by skipping them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.browser import lab as lab_module

TIMINGS: dict[str, float] = {}  # what each test measured, reported at the end of the session
SCREENSHOTS = Path(tempfile.gettempdir()) / "workshop-browser-screenshots"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter):
    if not TIMINGS:
        return
    terminalreporter.section("browser: Run All times in JupyterLab (headless Chromium)")
    for name, seconds in TIMINGS.items():
        terminalreporter.write_line(f"{name:48} {seconds:6.1f} s")
    terminalreporter.write_line(f"{'total':48} {sum(TIMINGS.values()):6.1f} s")


@pytest.fixture(scope="session")
def chromium_binary():
    why = lab_module.missing_browser()
    if why:
        if os.environ.get(lab_module.REQUIRE_ENV) == "1":
            pytest.fail(f"browser tests are required here ({lab_module.REQUIRE_ENV}=1) but {why}", pytrace=False)
        pytest.skip(f"browser tests skipped: {why}")
    return lab_module.chromium_path()


@pytest.fixture(scope="session")
def browser(chromium_binary):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_binary, args=lab_module.CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def jupyterlab(chromium_binary, tmp_path_factory):
    with lab_module.running_lab(tmp_path_factory.mktemp("lab")) as lab:
        yield lab


class Console:
    """What the page reported: uncaught exceptions and console errors."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console error: {msg.text}"))


@pytest.fixture(scope="session")
def browser_context(browser, jupyterlab):
    """One context for the session: JupyterLab's scripts are cached after the first page, so pages open faster."""
    context = browser.new_context(viewport=lab_module.VIEWPORT)
    context.set_default_timeout(60_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, jupyterlab, request):
    """A new page on a fresh workspace; its kernels are shut down and the notebooks restored afterwards."""
    page = browser_context.new_page()
    page.console = Console(page)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not getattr(request.node, "screenshot_taken", False):
        path = SCREENSHOTS / f"{request.node.name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(path))
            print(f"\nscreenshot of the failure: {path}")
        except Exception as exc:  # the page may be gone; say so rather than hide the real failure
            print(f"\nno screenshot: {exc}")
    page.close()
    jupyterlab.shut_down_kernels()
    jupyterlab.restore_notebooks()
