"""helpers.rag: lesson 11's corpus (the article verbatim, the lessons' snapshot) and its hit-rate plot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import rag

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_d77261e5fabc7683.txt"  # the workshop's seed copy, where present


def test_the_corpus_is_the_article_and_lessons_00_to_08():
    corpus = rag.load_corpus()
    assert [d.name for d in corpus] == ["article", *(f"{n:02d}" for n in range(9))]
    article = corpus[0]
    assert article.title == "入门 Amazon Bedrock 只看这一篇就够了" and article.language == "zh"
    assert article.text.startswith("Amazon Bedrock 简要说") and "layout: post" not in article.text
    assert all(d.language == "en" and d.text.startswith(f"# {d.name} · ") for d in corpus[1:])
    assert corpus[5].title == "Anthropic Claude" and "Messages API" in corpus[5].text


def test_the_article_is_copied_verbatim():
    text = rag.ARTICLE.read_text(encoding="utf-8")
    assert text.startswith("---\nlayout: post\n") and "模型参数：" in text
    if SEED.exists():
        assert text == SEED.read_text(encoding="utf-8")


def test_the_snapshot_holds_markdown_cells_only_and_no_navigation_footer(tmp_path):
    written = rag.snapshot(out=tmp_path / "lessons.json")
    assert json.loads((tmp_path / "lessons.json").read_text(encoding="utf-8")) == written
    assert [x["notebook"][:2] for x in written["lessons"]] == [f"{n:02d}" for n in range(9)]
    for lesson in written["lessons"]:
        assert lesson["cells"][0].startswith("# ") and not any("[Course map]" in c for c in lesson["cells"])
        assert not any("import helpers" in c for c in lesson["cells"]), "code cells are not lesson text"
    committed = json.loads(rag.LESSONS.read_text(encoding="utf-8"))
    assert [x["title"] for x in committed["lessons"]] == [x["title"] for x in written["lessons"]]


def test_plot_hit_rates_draws_one_line_per_retriever():
    fig = rag.plot_hit_rates({"a": [0.5, 0.75, 1.0], "b": [0.25, 0.5, 0.5]})
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3] and list(ax.lines[1].get_ydata()) == [0.25, 0.5, 0.5]


@pytest.mark.parametrize(
    ("rates", "message"),
    [({}, "rates is empty"), ({"a": [0.5, 7]}, "fractions between 0 and 1; 'a' has [0.5, 7.0]")],
)
def test_plot_hit_rates_says_what_it_accepts(rates, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        rag.plot_hit_rates(rates)


def test_wrap_flows_prose_and_keeps_the_lines_of_structured_blocks():
    prose = "A sentence that was wrapped\nat an odd place, twice\nover."
    assert rag.wrap(prose) == "A sentence that was wrapped at an odd place, twice over."
    kept = "Context:\n[1] Source: lesson 05\n\n- one\n- two\n\n## Heading\nbody"
    assert rag.wrap(kept) == kept
    long = " ".join(["word"] * 60)
    assert all(len(line) <= 100 for line in rag.wrap(long).splitlines())
    assert all(len(line) <= 40 for line in rag.wrap(f"| {long} |", width=40).splitlines())
