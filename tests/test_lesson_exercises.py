"""The intended answers of lessons 01-03, 07, 09 and 11 pass their exercise checks (the notebooks commit them
unsolved)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import nbformat
import numpy as np

import helpers
from tests.conftest import NO_RETRIES, stream_chunks

PROMPT = "\n\nHuman:你是谁?请介绍自己，不少于100字\n\nAssistant:"


def test_exercise_01_header_token_count_matches_the_body(runtime):
    sentence = "Amazon Bedrock is a fully managed service."
    reply = runtime.invoke_model(modelId="amazon.titan-embed-text-v1", body=json.dumps({"inputText": sentence}))
    header = int(reply["ResponseMetadata"]["HTTPHeaders"]["x-amzn-bedrock-input-token-count"])
    assert header == json.loads(reply["body"].read())["inputTextTokenCount"] > 0


def test_exercise_02_stop_sequence_ends_before_the_first_full_stop(runtime):
    body = {"prompt": PROMPT, "max_tokens_to_sample": 300, "stop_sequences": ["。"]}
    events = stream_chunks(runtime, "anthropic.claude-v2", body)
    answer = "".join(e["completion"] for e in events)
    last = events[-1]
    assert last["stop_reason"] == "stop_sequence" and last["stop"] == "。" and "。" not in answer
    unsolved = stream_chunks(runtime, "anthropic.claude-v2", {**body, "stop_sequences": []})
    assert unsolved[-1]["stop"] == "\n\nHuman:", "the committed starting point must not already pass"


def test_exercise_03_server_side_filter_for_image_models_in_us_west_2():
    west = boto3.client("bedrock", region_name="us-west-2", config=NO_RETRIES)
    mine = sorted(s["modelId"] for s in west.list_foundation_models(byOutputModality="IMAGE")["modelSummaries"])
    expected = sorted(
        s["modelId"] for s in west.list_foundation_models()["modelSummaries"] if "IMAGE" in s["outputModalities"]
    )
    assert mine == expected and "stability.sd3-5-large-v1:0" in mine
    east = boto3.client("bedrock", region_name="us-east-1", config=NO_RETRIES)
    assert len(east.list_foundation_models()["modelSummaries"]) != len(mine)


def _code_cell(lesson: str, start: str) -> str:
    """The source of the one code cell of `lesson` that starts with `start`."""
    nb = nbformat.read(Path(__file__).parent.parent / "notebooks" / lesson, as_version=4)
    (source,) = [c.source for c in nb.cells if c.cell_type == "code" and c.source.startswith(start)]
    return source


def _hints(lesson: str) -> str:
    nb = nbformat.read(Path(__file__).parent.parent / "notebooks" / lesson, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and "<details>" in c.source)


def test_exercise_07_a_question_sharing_no_word_with_the_images_note_finds_it(runtime, capsys):
    """The lesson's own cells (documents, search, check) judge the last hint's answer and the committed line."""
    lesson = "07_titan_embeddings_similarity.ipynb"
    ns = {"bedrock": runtime, "json": json, "np": np, "helpers": helpers, "v2": "amazon.titan-embed-text-v2:0"}
    exec(_code_cell(lesson, "documents = {"), ns)
    exec(_code_cell(lesson, "doc_vectors = "), ns)
    exec(_code_cell(lesson, "question = "), ns)
    committed = ns["question"]
    answer = "How do I make a picture without dogs in it?"
    assert f'question = "{answer}"' in _hints(lesson), "the last hint must give this answer"
    check = _code_cell(lesson, "import re")
    capsys.readouterr()
    for question, solved in ((answer, True), (committed, False), ("How do negative prompts work?", False)):
        ns["question"] = question
        exec(check, ns)
        out = capsys.readouterr().out
        assert out.startswith("\u2705" if solved else "\u274c"), (question, out)
    # The committed question already finds the images note: it fails only for sharing the note's words.
    assert ns["search"](committed, k=1)[0][1] == "images" and ns["shared"]


# ---------------------------------------------------------------- lesson 09: toolChoice and a tool-use loop

LESSON_09 = "09_converse_and_tool_use.ipynb"
_FENCE = re.compile(r"```python\n(.*?)```", re.S)


def _tagged(nb, tag: str) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if tag in c.get("metadata", {}).get("tags", [])]


def _answer_after(nb, check: int) -> str:
    """The code of the last <details> block (the answer) in the first hint cell after cell `check`."""
    hints = next(c.source for c in nb.cells[check + 1 :] if c.cell_type == "markdown" and "<details>" in c.source)
    return _FENCE.findall(hints.split("<details>")[-1])[0]


def _run_lesson(nb, replace: dict[int, str], capsys) -> tuple[dict[int, str], dict]:
    """Execute the lesson's code cells in one namespace (cells in `replace` swapped): what each printed,
    and the namespace."""
    ns: dict = {}
    printed = {}
    capsys.readouterr()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            exec(replace.get(i, cell.source), ns)
            printed[i] = capsys.readouterr().out
    return printed, ns


def test_exercise_09_answers_pass_starting_points_fail_and_wrong_answers_are_named(capsys):
    nb = nbformat.read(Path(__file__).parent.parent / "notebooks" / LESSON_09, as_version=4)
    edits, checks = _tagged(nb, "exercise"), _tagged(nb, "exercise-check")
    assert len(edits) == len(checks) == 2
    for check in checks:  # the committed verdicts are the starting points' (nbval keeps them true)
        out = "".join(o.get("text", "") for o in nb.cells[check].outputs)
        assert out.startswith("\u274c"), out
    answers = {edit: _answer_after(nb, check) for edit, check in zip(edits, checks, strict=True)}
    printed, ns = _run_lesson(nb, answers, capsys)
    for check in checks:
        assert printed[check].startswith("\u2705"), printed[check]

    def verdict(check: int, source: str) -> str:
        exec(source, ns)
        exec(nb.cells[check].source, ns)
        return capsys.readouterr().out

    quick, stretch = checks
    assert verdict(quick, 'my_choice = {"any": {}}').startswith("\u2705")
    assert "one of toolConfig's tools" in verdict(quick, 'my_choice = {"tool": {"name": "weather"}}')
    assert "refused it" in verdict(quick, 'my_choice = "any"')

    loop = answers[edits[1]]
    no_except = loop.replace("except Exception as err:", "except ZeroDivisionError as err:")
    endless = loop.replace("for _ in range(max_rounds):", "while True:")
    no_status = loop.replace('"status": status', '"status": "success"')
    for wrong, words in ((no_except, "Catch it"), (endless, "never stopped"), (no_status, '"status": "error"')):
        assert wrong != loop
        out = verdict(stretch, wrong)
        assert out.startswith("\u274c") and words in out, out


def test_exercise_11_sections_beat_paragraphs_and_the_committed_chunker_does_not(capsys):
    """Lesson 11's own cells build the index and judge the last hint's chunker line and the committed one."""
    lesson = "11_retrieval_augmented_generation.ipynb"
    ns = {"helpers": helpers}
    for start in (
        "corpus = helpers.rag.load_corpus()",
        "def blocks(text):",
        "def chunk_corpus(",
        "import json",
        "import time",
        "matrix = np.array(vectors)",
        "EVAL = [",
        "def ranks(",
    ):
        exec(_code_cell(lesson, start), ns)
    committed = _code_cell(lesson, "def section_chunks(")
    (marked,) = [line for line in committed.splitlines() if line.endswith("# <- edit this line")]
    answer = '        if current and (block.startswith("#") or len(current) + len(block) + 2 > max_chars):'
    assert f"`{answer.strip()}  # <- edit this line`" in _hints(lesson), "the last hint must give this answer"
    check = _code_cell(lesson, "mine = chunk_corpus(section_chunks)")
    capsys.readouterr()
    for source, solved in ((committed, False), (committed.replace(marked, answer), True)):
        exec(source, ns)
        exec(check, ns)
        out = capsys.readouterr().out
        assert out.startswith("\u2705" if solved else "\u274c"), out
    # Solved, every k is at least as good and the chunks keep the size limit.
    assert all(m >= p for m, p in zip(ns["mine_rates"], ns["paragraph_rates"], strict=True))
    assert ns["longest"] <= 500 and len(ns["mine"]) > len(ns["chunks"])
