"""Every lesson, run in JupyterLab in headless Chromium the way a learner runs it: clear, Run All, read.

Each notebook gets a fresh kernel. After Run All the test saves the notebook through JupyterLab, so
what it checks is what the browser received, and it looks at the page itself for what the learner
sees: pictures the browser could decode, widgets that rendered, no errors in the page.
"""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image

from tests.browser.lab import ROOT, SCREENSHOTS, NotebookPage
from tests.browser.report import TIMINGS

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXPECTED_ERROR_TAG = "raises-exception"

# Decoded-picture check, run in the page: an <img> the browser could not decode has naturalWidth 0.
_PICTURES = """() => [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output img')].map(img => {
  const cell = img.closest('.jp-Cell');
  const index = [...document.querySelectorAll('.jp-Notebook .jp-Cell')].indexOf(cell);
  return {cell: index, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight};
})"""
# Widget outputs that failed to render show an error, or the text stand-in, instead of the widget.
_BROKEN_WIDGETS = """() => [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')]
  .filter(o => /Error displaying widget|Error rendering output|Loading widget\\.\\.\\.|: interactive in Jupyter/
    .test(o.textContent))
  .map(o => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].indexOf(o.closest('.jp-Cell')))"""
# Cells in which a widget is drawn.
_DRAWN_WIDGETS = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]
  .map((cell, index) => cell.querySelector('.jp-OutputArea-output .jupyter-widgets') ? index : -1)
  .filter(index => index >= 0)"""
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _text(output: dict) -> str:
    if output["output_type"] == "stream":
        return "".join(output["text"])
    if output["output_type"] == "error":
        return f"{output['ename']}: {output['evalue']}"
    return "".join(output.get("data", {}).get("text/plain", ""))


def problems_in(saved: dict, original: dict) -> list[tuple[int, str]]:
    """(cell index, what is wrong) for everything the saved notebook shows that a learner should not see."""
    found: list[tuple[int, str]] = []
    code = [(i, c) for i, c in enumerate(saved["cells"]) if c["cell_type"] == "code"]
    if len(saved["cells"]) != len(original["cells"]):
        found.append((0, f"{len(saved['cells'])} cells after the run, {len(original['cells'])} before"))
    first_index, first = code[0]
    first_text = _text(first["outputs"][0]) if first["outputs"] else ""
    if "OFFLINE" not in first_text:
        found.append((first_index, f"the set-up cell does not say OFFLINE: {first_text[:120]!r}"))
    for index, cell in code:
        expected_error = EXPECTED_ERROR_TAG in cell["metadata"].get("tags", [])
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        if not cell.get("execution_count"):
            found.append((index, "did not run"))
        if errors and not expected_error:
            found.append((index, f"unexpected error {_text(errors[0])[:200]}"))
        if expected_error and not errors:
            found.append((index, f"is tagged {EXPECTED_ERROR_TAG} but raised nothing"))
        for output in cell["outputs"]:
            if output["output_type"] == "stream" and output["name"] == "stderr":
                found.append((index, f"printed to stderr: {_text(output)[:200]!r}"))
            for mime in ("image/png", "image/jpeg"):
                if mime in output.get("data", {}):
                    try:
                        picture = Image.open(io.BytesIO(base64.b64decode(output["data"][mime])))
                        picture.load()
                        if not (picture.width and picture.height):
                            found.append((index, f"{mime} output of size {picture.size}"))
                    except Exception as exc:
                        found.append((index, f"{mime} output does not decode: {exc}"))
    return found


@pytest.mark.parametrize("name", NOTEBOOKS, ids=lambda n: n[:2])
def test_lesson_runs_clean_in_jupyterlab(page, jupyterlab, name, request):
    original = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    notebook = NotebookPage(page, jupyterlab, name).open()
    notebook.clear_outputs()
    TIMINGS[name] = seconds = notebook.run_all()
    saved = notebook.save()

    problems = problems_in(saved, original)
    for picture in page.evaluate(_PICTURES):
        if not (picture["complete"] and picture["width"] and picture["height"]):
            problems.append((picture["cell"], f"the browser did not decode a picture: {picture}"))
    problems += [(index, "a widget did not render") for index in page.evaluate(_BROKEN_WIDGETS)]
    drawn = set(page.evaluate(_DRAWN_WIDGETS))
    for index, cell in enumerate(saved["cells"]):
        if any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])) and index not in drawn:
            problems.append((index, "a widget output that the page does not draw"))
    problems += [(0, message) for message in page.console.errors]

    if problems:
        first_cell = min(index for index, _ in problems)
        shot = notebook.screenshot(SCREENSHOTS, f"{name[:2]}-first-problem", cell=first_cell)
        request.node.screenshot_taken = True
        print(f"\nscreenshot of the first problem: {shot}")
    listed = "\n".join(f"  cell {index}: {what}" for index, what in sorted(problems))
    assert not problems, f"{name} in JupyterLab (Run All took {seconds:.1f} s):\n{listed}"
