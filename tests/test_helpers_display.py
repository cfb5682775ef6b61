"""helpers.display: JSON shortened for reading, and every printed line short enough not to wrap mid-word."""

from __future__ import annotations

import json

from helpers import display


def _printed(capsys, obj, **kwargs) -> list[str]:
    display.show(obj, **kwargs)
    return capsys.readouterr().out.splitlines()


def test_show_keeps_short_values_as_they_are(capsys):
    obj = {"stop_reason": "end_turn", "usage": {"input_tokens": 12}, "stop": "\n\nHuman:"}
    assert json.loads("\n".join(_printed(capsys, obj))) == obj


def test_show_cuts_long_strings_to_fit_their_line_and_says_how_long_they_were(capsys):
    text = "我是Claude 3 Haiku，此刻由本教程的离线模拟器代为回答，并不是真正的 Amazon Bedrock。" * 4
    obj = {"content": [{"type": "text", "text": text, "deep": [["x" * 300]]}], "completion": "y" * 90}
    lines = _printed(capsys, obj)
    assert max(len(line) for line in lines) <= display.LINE_WIDTH
    shown = json.loads("\n".join(lines))
    assert shown["content"][0]["text"].startswith("我是Claude 3 Haiku")
    assert shown["content"][0]["text"].endswith(f"... ({len(text)} characters in all)")
    assert shown["content"][0]["deep"][0][0].endswith("... (300 characters in all)")
    assert shown["completion"].endswith("... (90 characters in all)"), "max_chars still applies"


def test_show_shortens_vectors(capsys):
    shown = json.loads("\n".join(_printed(capsys, {"embedding": [0.5] * 1536})))
    assert shown["embedding"] == [0.5] * 4 + ["... 1532 more numbers (1536 in all)"]


def test_fill_wraps_at_spaces_and_never_splits_an_id():
    arn = "arn:aws:bedrock:us-east-1::foundation-model/stability.stable-diffusion-xl-1024-v1-0" + "-x" * 10
    text = "first line stays\n" + "word " * 30 + arn + " end"
    lines = display.fill(text).splitlines()
    assert lines[0] == "first line stays"
    assert "  " + arn in lines, "a word longer than the line stays whole, on a line of its own"
    assert all(len(line) <= 100 for line in lines if arn not in line)
    assert all(line.startswith("  ") for line in lines[2:]), "continuation lines are indented"
