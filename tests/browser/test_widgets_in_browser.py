"""Widgets in JupyterLab: a control changed in the page reaches the kernel, and the kernel's answer comes back."""

from __future__ import annotations

from tests.browser.conftest import SCREENSHOTS
from tests.browser.lab import NotebookPage


def _labelled(page, kind: str, label: str):
    """The ipywidgets control of class `kind` whose label reads `label`."""
    return page.locator(f".{kind}", has=page.locator(".widget-label", has_text=label)).first


def test_lesson_04_parameter_explorer_round_trip(page, jupyterlab, request):
    notebook = NotebookPage(page, jupyterlab, "04_anthropic_claude.ipynb").open()
    notebook.clear_outputs()
    notebook.run_all()
    history = page.locator(".widget-html", has_text="last runs, newest first").first
    history.scroll_into_view_if_needed()
    rows = history.locator("tr")
    assert rows.count() == 2, "the first run, before any change"
    try:
        # A stop sequence typed in the page: the kernel asks Claude again and the page shows its answer.
        stop = _labelled(page, "widget-text", "stop").locator("input")
        stop.fill(".")
        stop.press("Enter")
        answer = page.locator(".widget-html", has_text="stop_reason").first
        answer.filter(has_text="stop_sequence").wait_for(timeout=30_000)
        assert "stop '.'" in answer.inner_text()
        # The temperature slider's readout, edited as a learner would: another run, another row.
        readout = _labelled(page, "widget-slider", "temperature").locator(".widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("0")
        page.keyboard.press("Enter")
        history.locator("tr").nth(1).filter(has_text="0.0").wait_for(timeout=30_000)
        assert rows.count() >= 3 and "0.0" in rows.nth(1).inner_text()
        code = page.locator(".widget-html pre", has_text="bedrock.invoke_model(").first.inner_text()
        assert '"temperature": 0.0' in code and '"stop_sequences": ["."]' in code
    except Exception:
        print(f"\nscreenshot: {notebook.screenshot(SCREENSHOTS, 'parameter-explorer')}")
        request.node.screenshot_taken = True
        raise
    assert not page.console.errors, page.console.errors
