"""Every exercise's intended answer passes its check, its committed starting point does not, and
typical wrong answers get feedback that names the mistake.

Conventions the lessons follow (CONTRIBUTING.md): the cell a learner edits is tagged `exercise`, the
cell that grades it `exercise-check`; the first markdown cell after the check holds the hints as
`<details>` blocks, the last of which is the answer, a fenced python block. The test puts that
answer in place of the exercise cell, runs the whole notebook offline in a fresh kernel and reads the
verdict the check printed. The committed outputs are the starting point's verdicts (nbval re-runs
them, so they are true).

Lessons 07 and 11 have exercises of their own shape; their tests run the lesson's own cells.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pytest

import helpers
from tests import notebook_run as nr

DETAILS = re.compile(r"<details><summary>(.*?)</summary>(.*?)</details>", re.S)
FENCE = re.compile(r"```python\n(.*?)```", re.S)
VERDICT = re.compile(r"^(\u2705|\u274c|\u23ed) (.+?): (solved|not yet|skipped)\.", re.M)
WITH_EXERCISES = ["00", "01", "02", "03", "04", "05", "06", "08", "09"]


@dataclass
class Exercise:
    edit: int  # index of the cell the learner edits
    check: int  # index of the cell that grades it
    hints: list[tuple[str, str]]  # (summary, body) of each <details>, the answer last

    @property
    def answer(self) -> str:
        (code,) = FENCE.findall(self.hints[-1][1])
        return code.strip("\n")


def exercises(nb) -> list[Exercise]:
    found = []
    for i, cell in enumerate(nb.cells):
        if "exercise" not in nr.tags(cell):
            continue
        check = next(j for j in range(i + 1, len(nb.cells)) if "exercise-check" in nr.tags(nb.cells[j]))
        hint_cell = next(c for c in nb.cells[check + 1 :] if c.cell_type == "markdown" and "<details>" in c.source)
        found.append(Exercise(i, check, DETAILS.findall(hint_cell.source)))
    return found


def verdicts(text: str) -> list[tuple[str, str]]:
    return [(name, state) for _mark, name, state in VERDICT.findall(text)]


@pytest.mark.parametrize("number", WITH_EXERCISES)
def test_each_lesson_has_a_quick_check_and_a_stretch_with_a_hint_ladder(number):
    found = exercises(nr.read(nr.lesson(number)))
    assert len(found) == 2, "a quick check and one stretch exercise"
    quick, stretch = found
    assert [s for s, _ in quick.hints][-1] == "Answer" and len(quick.hints) == 2
    assert [s.split(":")[0] for s, _ in stretch.hints] == ["Hint 1", "Hint 2", "Hint 3"], "nudge, approach, answer"


@pytest.mark.parametrize("number", WITH_EXERCISES)
def test_hints_before_the_answer_do_not_give_it_away(number):
    nb = nr.read(nr.lesson(number))
    for ex in exercises(nb):
        start = set(nb.cells[ex.edit].source.splitlines())
        solution = [line.strip() for line in ex.answer.splitlines() if line not in start and len(line.strip()) > 25]
        for summary, body in ex.hints[:-1]:
            leaked = [line for line in solution if line in body]
            assert not leaked, f"{summary!r} contains the answer's line(s) {leaked}"


@pytest.mark.parametrize("number", WITH_EXERCISES)
def test_committed_starting_points_do_not_pass(number):
    nb = nr.read(nr.lesson(number))
    for ex in exercises(nb):
        said = verdicts(nr.printed(nb.cells[ex.check]))
        assert len(said) == 1 and said[0][1] == "not yet", said


# Wrong answers learners give, and the words the feedback must contain.
WRONG = {
    "00": [
        ('my_policy = least_privilege_policy(["amazon.titan-embed-text-v2:0"], region="us-west-2")', "stream"),
        ('my_policy = least_privilege_policy(["amazon.titan-embed-text-v2:0"], "us-east-1", streaming=False)',
         "us-east-1"),
        ('my_policy = least_privilege_policy(["amazon.titan-embed-text-v1"], region="us-west-2", streaming=False)',
         "V1"),
    ],
    "01": [
        ("answer = None", "still None"),
        ("answer = '13'", "but as text"),
        ("answer = 5", "'Hello world!'"),
        ("answer = 0", "output token count"),
    ],
    "03": [
        ('my_models = [s for s in boto3.client("bedrock", region_name="us-west-2").list_foundation_models()'
         '["modelSummaries"] if "IMAGE" in s["outputModalities"]]', "filtered in Python"),
        ('my_models = boto3.client("bedrock", region_name="us-east-1").list_foundation_models('
         'byOutputModality="IMAGE")["modelSummaries"]', "us-east-1's image models"),
        ('my_models = boto3.client("bedrock", region_name="us-west-2").list_foundation_models()["modelSummaries"]',
         "nothing is filtered yet."),
    ],
    "04": [
        ('exercise_messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""},'
         ' {"role": "user", "content": "More?"}]', "answer is empty"),
        ('exercise_messages = [{"role": "user", "content": "Hi"}, {"role": "Assistant", "content": "Hello"},'
         ' {"role": "user", "content": "More?"}]', "lower-case"),
        ('exercise_messages = [{"role": "user", "content": "Hi"}, {"role": "user", "content": "More?"}]',
         "no assistant turn yet"),
    ],
    "09": [
        ('my_choice = {"tool": {"name": "weather"}}', "one of toolConfig's tools"),
        ('my_choice = "any"', "a dict with one key"),
        ('my_choice = {"none": {}}', "auto, any or tool"),
    ],
}  # fmt: skip
# Wrong stretch answers, made from the intended one by replacing text, and the words the feedback must contain.
WRONG_STRETCH = {
    "09": [
        (("except Exception as err:", "except ZeroDivisionError as err:"), "Catch it"),
        (("for _ in range(max_rounds):", "while True:"), "never stopped"),
        (('"status": status', '"status": "success"'), '"status": "error"'),
        (('"toolUseId": use["toolUseId"]', '"toolUseId": "tooluse_x"'), "toolUseId"),
    ],
}


@pytest.mark.parametrize("number", WITH_EXERCISES)
def test_intended_answers_pass_and_wrong_ones_are_named(number):
    nb = nr.read(nr.lesson(number))
    found = exercises(nb)
    for ex in found:
        nb.cells[ex.edit].source = ex.answer
    with nr.kernel(nb) as kernel:
        kernel.run_all()
        for ex in found:
            said = verdicts(nr.printed(nb.cells[ex.check]))
            assert len(said) == 1 and said[0][1] == "solved", nr.printed(nb.cells[ex.check])
        for wrong, words in WRONG.get(number, []):
            kernel.run(wrong)
            feedback = kernel.run(nb.cells[found[0].check].source)
            assert "not yet" in feedback and words in feedback, (wrong, feedback)
        for (before, after), words in WRONG_STRETCH.get(number, []):
            assert before in found[1].answer, before
            kernel.run(found[1].answer.replace(before, after))
            feedback = kernel.run(nb.cells[found[1].check].source)
            assert "not yet" in feedback and words in feedback, (after, feedback)
    errors = [
        (i, nr.errors(c)) for i, c in enumerate(nb.cells) if nr.errors(c) and "raises-exception" not in nr.tags(c)
    ]
    assert not errors


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
    exec(_code_cell(lesson, "import textwrap\n\ndoc_vectors = "), ns)
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


def _lesson_12_cells() -> tuple[str, str, str]:
    """Lesson 12's committed exercise cell, its check cell, and the answer from its hint ladder."""
    import re
    from pathlib import Path

    nb = json.loads((Path(__file__).parent.parent / "notebooks" / "12_errors_retries_limits.ipynb").read_text())
    sources = ["".join(cell["source"]) for cell in nb["cells"]]
    start = next(s for s in sources if "def with_retries" in s and "# <- replace this line" in s)
    check = next(s for s in sources if 'helpers.exercises.check(\n    "Exercise 12"' in s)
    answer_cell = next(s for s in sources if "<summary>The answer</summary>" in s)
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
    never_waits = """
def with_retries(call, attempts=6, base_delay=0.05, sleep=time.sleep):
    for attempt in range(attempts):
        try:
            return call()
        except ClientError as err:
            if err.response["Error"]["Code"] not in RETRYABLE or attempt == attempts - 1:
                raise
"""
    said = _run_lesson_12(start, retries_everything, check, capsys=capsys)
    assert "sent 6 times: retry only the codes in RETRYABLE" in said
    assert "nothing was retried" in _run_lesson_12(start, check, capsys=capsys)
    assert "some retries came without a pause" in _run_lesson_12(start, never_waits, check, capsys=capsys)
