"""helpers.retired.skip swallows only what a retired model causes, and says so."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import _setup, retired


def client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "InvokeModel")


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch):
    monkeypatch.setattr(retired._Memory, "skipped", 0)


def test_offline_preserved_the_body_runs_and_nothing_is_printed(runtime, capsys):
    with helpers.retired.skip("Today's way: x."):
        reply = runtime.invoke_model(modelId="anthropic.claude-v2", body=json.dumps(
            {"prompt": "\n\nHuman: Hi\n\nAssistant:", "max_tokens_to_sample": 5}))  # fmt: skip
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200 and capsys.readouterr().out == ""


def test_end_of_life_is_explained_and_the_rest_of_the_cell_skipped(runtime, capsys, monkeypatch):
    monkeypatch.setenv("BEDROCK_SIMULATOR_LIFECYCLE", "current")
    ran_on = False
    with helpers.retired.skip("Today's way: section 4."):
        runtime.invoke_model(modelId="anthropic.claude-v2", body="{}")
        ran_on = True
    out = capsys.readouterr().out
    assert not ran_on and out.startswith("\u23ed Skipped the rest of this cell: ResourceNotFoundException: ")
    assert "retired on Amazon Bedrock" in out and "Today's way: section 4." in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_a_name_the_skipped_cell_would_have_set_is_explained_only_after_a_skip(capsys):
    with pytest.raises(NameError):
        with helpers.retired.skip("x"):
            raise NameError("name 'chunks' is not defined", name="chunks")
    retired._Memory.skipped = 1
    with helpers.retired.skip("x"):
        raise NameError("name 'chunks' is not defined", name="chunks")
    assert "it needs `chunks`, which a cell above could not compute" in capsys.readouterr().out


@pytest.mark.parametrize(
    "err",
    [
        client_error("ValidationException", "Malformed input request: #: required key [prompt] not found"),
        client_error("AccessDeniedException", "You don't have access to the model with the specified model ID."),
        client_error("ValidationException", "The provided model identifier is invalid."),  # offline: a typo
        KeyError("completion"),
    ],
)
def test_other_errors_propagate(err):
    with pytest.raises(type(err)):
        with helpers.retired.skip("x"):
            raise err


def test_live_an_invalid_model_id_means_the_region_does_not_offer_it(monkeypatch, capsys):
    live = _setup.Setup("live", "eu-west-1", "auto", "test")
    monkeypatch.setattr(_setup._STATE, "current", live)
    with helpers.retired.skip("x"):
        raise client_error("ValidationException", "The provided model identifier is invalid.")
    assert "This region does not offer the model" in capsys.readouterr().out
