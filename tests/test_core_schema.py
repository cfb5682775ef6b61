"""`schema.check`: body violations worded as Bedrock's JSON-schema layer (everit) words them."""

from __future__ import annotations

import json

import pytest

from helpers.simulator import schema
from helpers.simulator.errors import BedrockError

SUFFIX = ", please reformat your input and try again."

SCHEMA = {
    "type": "object",
    "required": ["prompt", "max_tokens"],
    "additionalProperties": False,
    "properties": {
        "prompt": {"type": "string", "minLength": 1, "maxLength": 20},
        "max_tokens": {"type": "integer", "minimum": 1, "maximum": 4096},
        "temperature": {"type": "number", "minimum": 0, "maximum": 1},
        "stream": {"type": "boolean"},
        "truncate": {"type": "string", "enum": ["NONE", "START", "END"]},
        "stop": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
        "messages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["role"],
                "properties": {"role": {"type": "string", "enum": ["user", "assistant"]}},
            },
        },
        "penalty": {"type": "object", "properties": {"scale": {"type": "number", "exclusiveMaximum": 5}}},
    },
}
OK = {"prompt": "hi", "max_tokens": 10}


def message(body) -> str:
    with pytest.raises(BedrockError) as exc:
        schema.check(SCHEMA, body)
    err = exc.value
    assert (err.error_type, err.status) == ("ValidationException", 400)
    assert err.message.startswith("Malformed input request: ") and err.message.endswith(SUFFIX)
    return err.message[len("Malformed input request: ") : -len(SUFFIX)]


def test_a_valid_body_passes():
    schema.check(SCHEMA, OK)
    schema.check(SCHEMA, {**OK, "temperature": 0, "stop": [], "messages": [{"role": "user"}]})


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "#: required key [prompt] not found#: required key [max_tokens] not found"),
        (
            {"input": "x"},
            "#: required key [prompt] not found#: required key [max_tokens] not found"
            "#: extraneous key [input] is not permitted",
        ),
        ({**OK, "b": 1, "a": 2}, "#: extraneous key [b] is not permitted#: extraneous key [a] is not permitted"),
        ({**OK, "prompt": 5}, "#/prompt: expected type: String, found: Integer"),
        ({**OK, "prompt": None}, "#/prompt: expected type: String, found: Null"),
        ({**OK, "prompt": ["x"]}, "#/prompt: expected type: String, found: JSONArray"),
        ({**OK, "prompt": {"x": 1}}, "#/prompt: expected type: String, found: JSONObject"),
        ({**OK, "max_tokens": 1.5}, "#/max_tokens: expected type: Integer, found: BigDecimal"),
        ({**OK, "stream": "true"}, "#/stream: expected type: Boolean, found: String"),
        ({**OK, "temperature": "hot"}, "#/temperature: expected type: Number, found: String"),
        ({**OK, "max_tokens": 5000}, "#/max_tokens: 5000 is not less or equal to 4096"),
        ({**OK, "max_tokens": 0}, "#/max_tokens: 0 is not greater or equal to 1"),
        ({**OK, "temperature": 2.0}, "#/temperature: 2.0 is not less or equal to 1"),
        ({**OK, "temperature": -0.5}, "#/temperature: -0.5 is not greater or equal to 0"),
        ({**OK, "truncate": "MIDDLE"}, "#/truncate: MIDDLE is not a valid enum value"),
        ({**OK, "prompt": ""}, "#/prompt: expected minLength: 1, actual: 0"),
        ({**OK, "prompt": "x" * 21}, "#/prompt: expected maxLength: 20, actual: 21"),
        ({**OK, "stop": ["a", "b", "c"]}, "#/stop: expected maximum item count: 2, found: 3"),
        ({**OK, "stop": ["a", 1]}, "#/stop/1: expected type: String, found: Integer"),
        ({**OK, "messages": []}, "#/messages: expected minimum item count: 1, found: 0"),
        ({**OK, "messages": [{"role": "user"}, {}]}, "#/messages/1: required key [role] not found"),
        ({**OK, "messages": [{"role": "system"}]}, "#/messages/0/role: system is not a valid enum value"),
        ({**OK, "penalty": {"scale": 5}}, "#/penalty/scale: 5 is not less than 5"),
    ],
)
def test_each_violation_is_worded_as_everit_words_it(body, expected):
    assert message(body) == expected


def test_violations_are_ordered_shallow_first_then_required_then_extraneous_then_body_order():
    body = {"max_tokens": "many", "extra": 1, "temperature": 9, "messages": [{}]}
    assert message(body) == (
        "#: required key [prompt] not found"
        "#: extraneous key [extra] is not permitted"
        "#/max_tokens: expected type: Integer, found: String"
        "#/temperature: 9 is not less or equal to 1"
        "#/messages/0: required key [role] not found"
    )


def test_the_body_itself_must_be_an_object():
    assert message([1]) == "#: expected type: JSONObject, found: JSONArray"
    assert message("x") == "#: expected type: JSONObject, found: String"


def test_violations_lists_without_raising():
    assert schema.violations(SCHEMA, OK) == []
    assert schema.violations(SCHEMA, {"prompt": "x"}) == ["#: required key [max_tokens] not found"]


def test_the_same_schema_object_is_compiled_once():
    schema._by_text.cache_clear()
    schema._BY_ID.clear()
    for _ in range(3):
        schema.check(SCHEMA, OK)
        schema.check(json.loads(json.dumps(SCHEMA)), OK)  # an equal copy: found by its text
    assert schema._by_text.cache_info().misses == 1
    assert schema.compiled(SCHEMA) is schema.compiled(json.loads(json.dumps(SCHEMA)))


def test_a_schema_built_per_model_is_built_once_per_model():
    built = []

    @schema.per_model
    def build(model):
        built.append(model)
        return {"type": "object", "properties": {"limit": {"maximum": model.limit}}}

    class M:
        def __init__(self, limit):
            self.limit = limit

    a, b = M(1), M(2)
    assert build(a) is build(a) and build(b) is not build(a)
    assert built == [a, b]


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "x"},
        {"prompt": 1},
        {"prompt": "x", "n": 1.0},
        {"prompt": "x", "n": True},
        {"prompt": "x", "n": 2**70},
        {"prompt": "x", "n": -1},
        {"prompt": "x", "t": float("nan")},
        {"prompt": "x", "extra": 1},
        [],
        "x",
        None,
    ],
)
def test_the_fast_check_and_jsonschema_agree(body):
    """fastjsonschema answers "valid?"; jsonschema is the authority and words the errors."""
    both = schema.compiled(
        {
            "type": "object",
            "required": ["prompt"],
            "additionalProperties": False,
            "properties": {
                "prompt": {"type": "string", "minLength": 1},
                "n": {"type": "integer", "minimum": 0, "maximum": 2**63},
                "t": {"type": "number"},
            },
        }
    )
    assert both.valid(body) == both.validator.is_valid(body)


def test_check_summarised_drops_the_pointer_or_counts():
    with pytest.raises(BedrockError) as exc:
        schema.check_summarised(SCHEMA, {**OK, "extra": 1})
    assert exc.value.message == f"Malformed input request: extraneous key [extra] is not permitted{SUFFIX}"
    with pytest.raises(BedrockError) as exc:
        schema.check_summarised(SCHEMA, {"extra": 1})
    assert exc.value.message == f"Malformed input request: 3 schema violations found{SUFFIX}"


def test_first_offline_call_skips_the_slow_optional_format_grammar():
    """rfc3987_syntax builds a grammar at import (~1 s); the simulator's first call must not pay it,
    and the module stays importable afterwards for anyone who wants it."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import importlib.util, json, sys
        import boto3, helpers
        helpers.setup("offline", quiet=True)
        c = boto3.client("bedrock-runtime", region_name="us-east-1")
        c.invoke_model(modelId="amazon.titan-embed-text-v1", body=json.dumps({"inputText": "x"}))["body"].read()
        assert "jsonschema" not in sys.modules, "a valid body needs only the fast check"
        try:
            c.invoke_model(modelId="amazon.titan-embed-text-v1", body=json.dumps({"inputText": 1}))
        except c.exceptions.ValidationException as err:
            assert "expected type: String" in str(err)
        assert "jsonschema" in sys.modules
        assert "rfc3987_syntax" not in sys.modules, "the slow grammar was imported"
        if importlib.util.find_spec("rfc3987_syntax"):
            import rfc3987_syntax  # still importable afterwards
        print("ok")
        """
    )
    env = {**__import__("os").environ, "BEDROCK_SIMULATOR_LATENCY_SCALE": "0"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr
