"""Shared helpers for the core fidelity tests (tests/test_core_*.py)."""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path

import botocore
import pytest

from helpers.simulator import families

CLAUDE_OK = {"prompt": "\n\nHuman: What is Amazon Bedrock?\n\nAssistant:", "max_tokens_to_sample": 300}


def capture_responses(client, operation: str) -> list[dict]:
    """Record each raw response dict (status, headers as sent, body bytes) botocore is about to parse."""
    seen: list[dict] = []
    service = client.meta.service_model.service_id.hyphenize()

    def keep(response_dict, **_):
        seen.append(
            {
                "status": response_dict["status_code"],
                "headers": dict(response_dict["headers"].items()),
                "body": response_dict["body"],
            }
        )

    client.meta.events.register(f"before-parse.{service}.{operation}", keep)
    return seen


def capture_requests(client) -> list:
    """Record each prepared request botocore sends (URL, headers, body)."""
    seen: list = []
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-send.{service}", lambda request, **_: seen.append(request))
    return seen


@pytest.fixture
def stub_families(monkeypatch):
    """Answer families that other modules own with a stub, so routing tests don't depend on them.

    Returns the list of (model id, body) pairs the stub was asked for.
    """
    real_load = families.load
    asked: list[tuple[str, dict]] = []

    class Stub(families.Family):
        name = "stub"

        def invoke(self, model, body):
            asked.append((model.model_id, body))
            return families.Reply({"stub": model.model_id}, 3, 2)

    stub = Stub()

    def load(name):
        if name in ("claude_text", "titan_embed"):
            return real_load(name)
        return stub

    monkeypatch.setattr(families, "load", load)
    return asked


@cache
def service_model(service: str) -> dict:
    """botocore's own JSON service model for `bedrock` or `bedrock-runtime`."""
    root = Path(botocore.__file__).parent / "data" / service
    (version,) = [p for p in root.iterdir() if p.is_dir()]
    path = version / "service-2.json.gz"
    if path.exists():
        return json.loads(gzip.decompress(path.read_bytes()))
    return json.loads((version / "service-2.json").read_text())


def shape_problems(value, shape_name: str, shapes: dict, path: str = "$", tolerate=()) -> list[str]:
    """Ways `value` (raw JSON from the wire) departs from a botocore output shape.

    Unknown keys are problems (botocore would silently drop them), as are wrong JSON types,
    missing required members, and enum values outside the model unless listed in `tolerate`
    as (path, value) pairs that real Bedrock is known to send.
    """
    shape = shapes[shape_name]
    kind = shape["type"]
    problems: list[str] = []
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected object, got {type(value).__name__}"]
        members = shape["members"]
        problems += [f"{path}: missing required {k}" for k in shape.get("required", []) if k not in value]
        for key, item in value.items():
            if key not in members:
                problems.append(f"{path}: {key} is not in {shape_name}")
            else:
                problems += shape_problems(item, members[key]["shape"], shapes, f"{path}.{key}", tolerate)
    elif kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected list"]
        for i, item in enumerate(value):
            problems += shape_problems(item, shape["member"]["shape"], shapes, f"{path}[{i}]", tolerate)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected string")
        elif "enum" in shape and value not in shape["enum"] and (re.sub(r"\[\d+\]", "", path), value) not in tolerate:
            problems.append(f"{path}: {value!r} not in {shape['enum']}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected boolean")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected integer")
    elif kind == "timestamp":
        if not isinstance(value, (str, int, float)):
            problems.append(f"{path}: expected timestamp")
    return problems
