"""Fixtures for the browser tests: per session (per xdist worker) one JupyterLab server, one Chromium
and one page with JupyterLab loaded; per test a notebook opened in that page with a fresh kernel.

Without Playwright or Chromium the tests skip, unless WORKSHOP_REQUIRE_BROWSER=1 (which `.ci/run`
sets): then they fail, so CI cannot pass by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import lab as lab_module


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


@pytest.fixture(scope="session")
def lab_page(browser, jupyterlab):
    """JupyterLab loaded in one page, kept from test to test (one browser context: its cache is shared)."""
    context = browser.new_context(viewport=lab_module.VIEWPORT)
    context.set_default_timeout(60_000)
    holder = lab_module.LabPage(context, jupyterlab)
    yield holder
    holder.discard()
    context.close()


@pytest.fixture
def page(lab_page, jupyterlab, request):
    """JupyterLab's page, console errors counted from this test on; afterwards the notebook is closed and
    its kernel shut down through the menus, and the committed notebooks are put back.

    After a failure the page is screenshotted and thrown away (the next test loads JupyterLab again)."""
    page = lab_page.ready()
    page.console.begin()
    yield page
    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))
    if failed and not getattr(request.node, "screenshot_taken", False):
        path = lab_module.SCREENSHOTS / f"{request.node.name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(path))
            print(f"\nscreenshot of the failure: {path}")
        except Exception as exc:  # the page may be gone; say so rather than hide the real failure
            print(f"\nno screenshot: {exc}")
    try:
        if failed:
            lab_page.discard()
        else:
            closing = page.console.begin()  # what closing the notebook logs belongs to no later test
            lab_page.close_notebooks()
            if closing:
                pytest.fail(f"the page logged errors while its notebook closed: {closing}", pytrace=False)
    except BaseException:
        lab_page.discard()
        raise
    finally:
        jupyterlab.shut_down_kernels()
        jupyterlab.restore_notebooks()
