"""The simulator's tokenizer regex agrees with the rule stated step by step."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.simulator.generators import tokens

_PIECE = re.compile(r"\s*(?:[A-Za-z\u00c0-\u024f]+(?:'[A-Za-z]+)?|\d|[^\sA-Za-z\d\u00c0-\u024f])|\s+")


def reference(text: str) -> list[str]:
    """The rule, slowly: split into words, digits and characters; cut plain ASCII words of more
    than four letters into four-letter pieces, the first keeping the leading white space."""
    out: list[str] = []
    for piece in _PIECE.findall(text):
        word = piece.lstrip()
        lead = piece[: len(piece) - len(word)]
        if len(word) > 4 and word.isalpha() and word.isascii():
            parts = [word[i : i + 4] for i in range(0, len(word), 4)]
            out += [lead + parts[0], *parts[1:]]
        else:
            out.append(piece)
    return out


EXAMPLES = [
    "Hello world",
    "  Amazon Bedrock's simulated answer, don't panic!",
    "café au lait: naïve résumé",
    "abcdeé and éabcdef and abcd'efgh x'",
    "什么是 Amazon Bedrock？请介绍自己，不少于100字",
    "\n\nHuman: What is 17.5% of 240?\n\nAssistant:",
    "",
]


def test_examples_agree_and_join_back():
    for text in EXAMPLES:
        assert tokens.pieces(text) == reference(text)
        assert "".join(tokens.pieces(text)) == text
        assert tokens.count(text) == len(reference(text))


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdeXYZ éÀüß'中文\n\t12.,!-")), max_size=60))
def test_regex_matches_the_rule_on_random_text(text):
    assert tokens.pieces(text) == reference(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_regex_matches_the_rule_on_any_unicode(text):
    assert tokens.pieces(text) == reference(text)
