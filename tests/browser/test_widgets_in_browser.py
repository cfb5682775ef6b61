"""Widgets in JupyterLab: a control changed in the page reaches the kernel, and the kernel's answer comes back."""

from __future__ import annotations

import pytest

from tests.browser.lab import SCREENSHOTS, NotebookPage


def _labelled(scope, kind: str, label: str):
    """The ipywidgets control of class `kind` whose label reads `label`, inside `scope` (a page or locator)."""
    page = getattr(scope, "page", scope)
    return scope.locator(f".{kind}", has=page.locator(".widget-label", has_text=label)).first


PLAYGROUND = "10_playground.ipynb"


def test_playground_pick_a_model_change_a_control_send(page, jupyterlab, request):
    if not (jupyterlab.notebooks / PLAYGROUND).exists():
        pytest.skip(f"{PLAYGROUND} is committed with the Converse simulator it runs on (issue 7's merge)")
    notebook = NotebookPage(page, jupyterlab, PLAYGROUND).open()
    notebook.clear_outputs()
    notebook.run_all()
    app = page.locator(".jp-OutputArea-output", has=page.locator(".widget-button", has_text="Send")).first
    app.scroll_into_view_if_needed()
    try:
        # Pick a model the notebook's own cells never send to, change max tokens, press Send.
        model = _labelled(app, "widget-dropdown", "model").locator("select")
        label = model.locator("option", has_text="Nova Lite").first.inner_text()
        model.select_option(label=label)
        readout = _labelled(app, "widget-slider", "max tokens").locator(".widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("40")
        page.keyboard.press("Enter")
        app.locator(".widget-button", has_text="Send").click()
        panel = app.locator(".widget-vbox", has=page.locator(".widget-html", has_text="Nova Lite")).last
        panel.locator(".playground-readout", has_text="40 out").wait_for(timeout=30_000)
        answer = panel.locator(".widget-html pre").first.inner_text()
        assert "Nova Lite" in answer, f"streamed text from the chosen model: {answer[:80]!r}"
        readout_text = panel.locator(".playground-readout").inner_text()
        assert "tokens in, 40 out" in readout_text and "stop reason max_tokens" in readout_text
    except Exception:
        print(f"\nscreenshot: {notebook.screenshot(SCREENSHOTS, 'playground')}")
        request.node.screenshot_taken = True
        raise
    assert not page.console.errors, page.console.errors


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
