"""What a learner reads in the committed notebooks: printed lines that don't wrap mid-word, no test markup.

JupyterLab wraps a printed line wider than its output area wherever the edge falls, mid-word (about
110 characters at a common laptop width), so printed lines stay within 100 characters.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LINE_WIDTH = 100

# Lessons whose long lines are another branch's to fix; strict, so the mark goes when they are fixed.
_ARTICLE = "the article's cells print whole answers as printed (print(ask(...)), print(embedding))"
_UNWRAPPED = "Bedrock messages and streamed answers print unwrapped (textwrap.fill, or a new line between chunks)"
LONG_LINES_PENDING: dict[str, str] = {
    "01_first_invoke.ipynb": f"{_ARTICLE} (section 1's print(embedding): 1,536 numbers; the other cells wrap)",
    "05_cohere_command.ipynb": f"{_ARTICLE} (section 1's print(ask(...)); the other cells wrap their text)",
    "06_ai21_jurassic.ipynb": f"{_ARTICLE} (section 1's print(ask(...)); the other cells wrap their text)",
}
NBVAL_COMMENTS_PENDING: dict[str, str] = {}


def _params(pending: dict[str, str]) -> list:
    return [
        pytest.param(p, id=p.stem[:2], marks=[pytest.mark.xfail(strict=True, reason=pending[p.name])])
        if p.name in pending
        else pytest.param(p, id=p.stem[:2])
        for p in NOTEBOOKS
    ]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("path", _params(LONG_LINES_PENDING))
def test_no_printed_line_is_longer_than_100_characters(path):
    long = [
        f"cell {index}: {len(line)} characters: {line[:70]}..."
        for index, cell in enumerate(_cells(path))
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
        if output["output_type"] == "stream"
        for line in "".join(output["text"]).splitlines()
        if len(line) > LINE_WIDTH
    ]
    assert not long, f"{path.name} prints lines JupyterLab wraps mid-word:\n" + "\n".join(long)


@pytest.mark.parametrize("path", _params(NBVAL_COMMENTS_PENDING))
def test_lesson_code_carries_no_nbval_comments(path):
    """Sanitising is done with the `nbval-ignore-output` cell tag, which learners don't see."""
    marked = [i for i, c in enumerate(_cells(path)) if c["cell_type"] == "code" and "# NBVAL_" in "".join(c["source"])]
    assert not marked, f"{path.name}: cells {marked} show '# NBVAL_' comments; tag them nbval-ignore-output instead"
