"""Fixtures: real boto3 clients answered by the simulator, fast and without retries."""

from __future__ import annotations

import json
from collections import Counter

import boto3
import pytest
from botocore.config import Config

import helpers
from helpers.simulator import schema

NO_RETRIES = Config(retries={"total_max_attempts": 1})
FUZZ_COUNTS: Counter[str] = Counter()  # random inputs tests/test_robustness.py sent, per operation
# Every body any test sends is judged by both validators, which must agree (see helpers/simulator/schema.py).
schema.CROSSCHECK = True


def pytest_sessionfinish(session):
    """Under pytest-xdist each worker counts its own random inputs: hand them to the controller."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["fuzz_counts"] = dict(FUZZ_COUNTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Controller (pytest-xdist): add up what each worker counted."""
    FUZZ_COUNTS.update(getattr(node, "workeroutput", {}).get("fuzz_counts", {}))


def pytest_terminal_summary(terminalreporter):
    """Say how many random inputs the robustness tests tried (the number CI reports)."""
    if FUZZ_COUNTS:
        total = sum(n for name, n in FUZZ_COUNTS.items() if not name.startswith("("))
        parts = ", ".join(f"{name} {n}" for name, n in sorted(FUZZ_COUNTS.items()))
        terminalreporter.write_line(f"robustness: {total} random requests tried ({parts})")


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Offline mode with no simulated waiting; each test may set its own simulator variables."""
    monkeypatch.setenv("BEDROCK_SIMULATOR_LATENCY_SCALE", "0")
    helpers.setup("offline", quiet=True)
    yield


@pytest.fixture
def runtime():
    """A bedrock-runtime client in us-east-1 with retries off, so errors surface at once."""
    return boto3.client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES)


@pytest.fixture
def bedrock():
    """A bedrock (control plane) client in us-east-1."""
    return boto3.client("bedrock", region_name="us-east-1", config=NO_RETRIES)


def invoke(client, model_id: str, body: dict, **kwargs) -> tuple[dict, dict]:
    """InvokeModel with a JSON body; returns (parsed body, lower-cased HTTP headers)."""
    response = client.invoke_model(modelId=model_id, body=json.dumps(body), **kwargs)
    return json.loads(response["body"].read()), response["ResponseMetadata"]["HTTPHeaders"]


def stream_chunks(client, model_id: str, body: dict, **kwargs) -> list[dict]:
    """InvokeModelWithResponseStream; returns the decoded native JSON chunks in order."""
    response = client.invoke_model_with_response_stream(modelId=model_id, body=json.dumps(body), **kwargs)
    return [json.loads(event["chunk"]["bytes"]) for event in response["body"]]


def error_of(excinfo) -> tuple[str, str, int]:
    """(error code, message, HTTP status) of a botocore ClientError."""
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def malformed(*reasons: str) -> str:
    """The full text of Bedrock's schema-layer refusal for these reasons."""
    return "Malformed input request: " + "".join(reasons) + ", please reformat your input and try again."


def rejected(client, model_id: str, body: dict) -> tuple[str, str, int]:
    """(code, message, status) of the ValidationException an InvokeModel with `body` raises."""
    with pytest.raises(client.exceptions.ValidationException) as exc:
        invoke(client, model_id, body)
    return error_of(exc)
