"""Plumbing for lesson 11 (retrieval-augmented generation): the corpus it searches, and a hit-rate plot.

The retrieval itself (embedding calls, cosine, top-k, the prompt, the Converse call) is lesson code
and lives in the notebook. This module only hands the lesson its documents and draws its chart.

The corpus is what this workshop ships, in two languages:

- the 2023 article the course grows from, in Chinese, verbatim (`helpers/data/article_zh.md`);
- the workshop's own lesson texts: the markdown cells of notebooks 00-08, as a dated snapshot
  (`helpers/data/lessons.json`), so that editing a lesson's prose does not change lesson 11's
  committed outputs. `python -m helpers.rag snapshot` refreshes it from the notebooks.

`helpers/data/SOURCES.md` says where each file comes from. matplotlib is imported inside `plot_hit_rates`
only, so `import helpers` stays light.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Document", "load_corpus", "plot_hit_rates", "wrap"]

DATA = Path(__file__).parent / "data"
ARTICLE = DATA / "article_zh.md"
LESSONS = DATA / "lessons.json"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SNAPSHOT_LESSONS = tuple(f"{n:02d}" for n in range(9))  # 00-08: the lessons before this one
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass(frozen=True)
class Document:
    """One document of the corpus: a short name to cite it by, its title, its language and its text."""

    name: str
    title: str
    language: str
    text: str

    def __repr__(self) -> str:
        return f"Document({self.name!r}, {self.title!r}, {self.language}, {len(self.text):,} characters)"


def load_corpus() -> list[Document]:
    """The article (Chinese) and the lesson texts of notebooks 00-08 (English), one `Document` each."""
    raw = ARTICLE.read_text(encoding="utf-8")
    meta = _FRONT_MATTER.match(raw)
    title = re.search(r'^title:\s*"?(.*?)"?\s*$', meta.group(1), re.M).group(1) if meta else "article"
    docs = [Document("article", title, "zh", raw[meta.end() :].strip() if meta else raw)]
    snapshot = json.loads(LESSONS.read_text(encoding="utf-8"))
    for lesson in snapshot["lessons"]:
        docs.append(Document(lesson["notebook"][:2], lesson["title"], "en", "\n\n".join(lesson["cells"])))
    return docs


def _lesson_cells(path: Path) -> tuple[str, list[str]]:
    """(title, markdown cell texts) of one notebook, without the generated navigation footer."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells = [
        c.source.strip()
        for c in nb.cells
        if c.cell_type == "markdown" and "navigation" not in c.get("metadata", {}).get("tags", []) and c.source.strip()
    ]
    first = cells[0].splitlines()[0] if cells else path.stem
    return re.sub(r"^#\s*\d+\s*[·.:-]\s*", "", first).strip(), cells


def snapshot(notebooks: Path = NOTEBOOKS, out: Path = LESSONS) -> dict:
    """Write the markdown cells of lessons 00-08 to `out`, dated; returns what was written."""
    lessons = []
    for number in SNAPSHOT_LESSONS:
        (path,) = sorted(notebooks.glob(f"{number}_*.ipynb"))
        title, cells = _lesson_cells(path)
        lessons.append({"notebook": path.name, "title": title, "cells": cells})
    data = {
        "_about": "Markdown cells of the workshop's lessons 00-08, the corpus of lesson 11; refresh with "
        "`python -m helpers.rag snapshot` (then re-run lesson 11: its outputs depend on this text).",
        "taken": dt.date.today().isoformat(),
        "lessons": lessons,
    }
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return data


_KEEP_LINE = re.compile(r"^\s*(?:```|\||[-*] |#|>|\[\d+\])|^ {4}")  # code, tables, lists, headings, quotes, [n]


def wrap(text: str, width: int = 100) -> str:
    """`text` refilled to `width` columns for printing: prose paragraphs flowed, while a block with code, a table,
    a list, a heading, a quote or a numbered passage (`[1] ...`) keeps its lines, each folded if too long."""
    out = []
    for block in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = block.splitlines()
        if any(_KEEP_LINE.match(line) for line in lines):
            out.append("\n".join(textwrap.fill(line, width) if len(line) > width else line for line in lines))
        else:
            out.append(textwrap.fill(" ".join(block.split()), width))
    return "\n\n".join(out)


def plot_hit_rates(rates: Mapping[str, Sequence[float]], *, title: str = "Retrieval hit rate at k"):
    """A line per retriever: hit rate (0-1) against k = 1, 2, ... Returns the matplotlib figure."""
    import matplotlib

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not rates:
        raise ValueError("rates is empty: give {'name': [hit rate at k=1, at k=2, ...]}")
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, values in rates.items():
        values = [float(v) for v in values]
        if any(not 0 <= v <= 1 for v in values):
            raise ValueError(f"hit rates are fractions between 0 and 1; {name!r} has {values}")
        ks = range(1, len(values) + 1)
        ax.plot(ks, values, marker="o", label=name)
    ax.set_xlabel("k (passages retrieved)")
    ax.set_ylabel("hit rate")
    ax.set_ylim(0, 1.02)
    ax.set_xticks(range(1, max(len(v) for v in rates.values()) + 1))
    ax.grid(alpha=0.3)
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    if sys.argv[1:] != ["snapshot"]:
        print("usage: python -m helpers.rag snapshot   (rewrites helpers/data/lessons.json from notebooks 00-08)")
        sys.exit(2)
    written = snapshot()
    print(f"{LESSONS}: {sum(len(x['cells']) for x in written['lessons'])} cells of {len(written['lessons'])} lessons")
