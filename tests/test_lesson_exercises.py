"""The intended answers of lessons 01-03 and 07's exercises pass their checks (the notebooks commit them unsolved)."""

from __future__ import annotations

import json
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


def _lesson_12_cells() -> tuple[str, str, str]:
    """Lesson 12's committed exercise cell, its check cell, and the answer from its hint ladder."""
    import re
    from pathlib import Path

    nb = json.loads((Path(__file__).parent.parent / "notebooks" / "12_errors_retries_limits.ipynb").read_text())
    sources = ["".join(cell["source"]) for cell in nb["cells"]]
    start = next(s for s in sources if "def with_retries" in s and "# <- replace this line" in s)
    check = next(s for s in sources if 'helpers.exercises.check(\n    "Exercise 12"' in s)
    answer_cell = next(s for s in sources if "<summary>Answer</summary>" in s)
    answer = re.search(r"```python\n(.*?)```", answer_cell, re.S).group(1)
    return start, check, answer


def _run_lesson_12(*sources: str, capsys) -> str:
    import helpers

    namespace = {"helpers": helpers}
    for source in sources:
        exec(compile(source, "<lesson 12>", "exec"), namespace)
    return capsys.readouterr().out


def test_exercise_12_the_answer_in_the_hints_passes_and_the_committed_start_does_not(capsys):
    start, check, answer = _lesson_12_cells()
    assert _run_lesson_12(start, check, capsys=capsys).startswith("\u274c Exercise 12: not yet.")
    assert _run_lesson_12(start, answer, check, capsys=capsys).startswith("\u2705 Exercise 12: solved.")


def test_exercise_12_check_catches_a_wrapper_that_retries_everything_or_never_waits(capsys):
    start, check, _ = _lesson_12_cells()
    retries_everything = '''
def with_retries(call, attempts=6, base_delay=0.05, sleep=time.sleep):
    for attempt in range(attempts):
        try:
            return call()
        except ClientError:
            if attempt == attempts - 1:
                raise
            sleep(0.01)
'''
    never_waits = retries_everything.replace("sleep(0.01)", "pass")
    assert "bad request sent 6x" in _run_lesson_12(start, retries_everything, check, capsys=capsys)
    assert "0 pauses" in _run_lesson_12(start, never_waits, check, capsys=capsys)
