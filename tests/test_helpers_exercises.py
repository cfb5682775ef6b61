"""helpers.exercises: the first diagnosis that holds names the mistake; lines stay within 100 columns."""

from __future__ import annotations

from helpers import exercises


def test_passed_wins_and_diagnoses_are_tried_in_order():
    diagnoses = [(False, "not this"), (lambda: True, "this one"), (True, "too late")]
    assert exercises.verdict(True, solved="yes", not_yet="no", diagnoses=diagnoses) == (True, "yes")
    assert exercises.verdict(False, solved="yes", not_yet="no", diagnoses=diagnoses) == (False, "this one")
    assert exercises.verdict(False, solved="yes", not_yet="no", diagnoses=[(False, "x")]) == (False, "no")


def test_a_diagnosis_that_cannot_look_at_the_answer_does_not_apply():
    answer = None
    diagnoses = [(lambda: answer["role"] == "user", "looks inside"), (answer is None, "still None")]
    assert exercises.verdict(False, solved="", not_yet="", diagnoses=diagnoses) == (False, "still None")


def test_check_prints_one_verdict_wrapped_at_100_columns(capsys):
    exercises.check("Exercise 99", False, solved="", not_yet="amazon.titan-embed-text-v2:0 " * 8)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("\u274c Exercise 99: not yet. ") and all(len(line) <= 100 for line in lines)
    assert all("amazon.titan-embed-text-v2:0" in line for line in lines), "ids are never split at a hyphen"


def test_attempt_keeps_the_exception_for_the_diagnosis():
    got = exercises.attempt(int, "x")
    assert not got.ok and got.describe_error().startswith("ValueError: invalid literal")
    assert exercises.attempt(int, "7").value == 7


def test_assigned_in_finds_the_latest_cell_that_sets_a_name():
    history = ["x = 1", "my_models = [s for s in all if ok(s)]", "print(my_models)", "my_models += []", "def f(:"]
    assert exercises.assigned_in("my_models", history) == "my_models += []"
    assert exercises.assigned_in("nothing", history) == ""
