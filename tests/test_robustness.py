"""Robustness: random requests to every simulated operation, and many threads at once.

For each route in `dispatch.ROUTES` (so a new operation is covered the day it is added), hypothesis
builds random parameters from botocore's own input shape (random model ids, bodies, headers, enums
in and out of range) and sends them through a real boto3 client; separately it sends raw requests
with random paths, headers and bytes to the dispatcher. Every answer must be a success or a modeled
4xx with a message: never an unhandled exception, never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import string
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.session
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError, EventStreamError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
from helpers.simulator import catalog, dispatch
from helpers.simulator.wire import Request

from .conftest import FUZZ_COUNTS, NO_RETRIES

EXAMPLES = int(os.environ.get("WORKSHOP_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same random inputs on every run: a CI failure reproduces locally
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
MODEL_IDS = sorted(m.model_id for m in catalog.all_models())
# Keys the model families read, so random bodies reach the validators' inner branches.
BODY_KEYS = [
    "prompt", "max_tokens_to_sample", "max_tokens", "temperature", "top_p", "top_k", "stop_sequences",
    "anthropic_version", "messages", "system", "inputText", "textGenerationConfig", "maxTokenCount",
    "dimensions", "normalize", "embeddingTypes", "texts", "input_type", "text_prompts", "height", "width",
    "cfg_scale", "seed", "steps", "style_preset", "maxTokens", "topP", "countPenalty", "presencePenalty",
    "schemaVersion", "inferenceConfig", "max_gen_len", "stream", "p", "k", "num_generations", "message",
    "chat_history", "taskType", "textToImageParams", "imageGenerationConfig", "mode", "aspect_ratio", "role",
    "content", "type", "text",
]  # fmt: skip

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["user", "assistant", "\n\nHuman: hi\n\nAssistant:", "bedrock-2023-05-31", "photographic"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(BODY_KEYS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(BODY_KEYS), json_values, max_size=7).map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.text(max_size=100).map(str.encode),
)
model_ids = st.one_of(
    st.sampled_from(MODEL_IDS),
    st.sampled_from(MODEL_IDS).map(lambda m: "us." + m),
    st.sampled_from(MODEL_IDS).map(lambda m: f"arn:aws:bedrock:us-east-1::foundation-model/{m}"),
    st.text(string.ascii_letters + string.digits + ".:-_/%", min_size=1, max_size=80),
    st.text(min_size=1, max_size=40),
)


def for_shape(shape, name: str = "", depth: int = 0):
    """A hypothesis strategy for values of a botocore shape (sometimes out of its declared range)."""
    kind = shape.type_name
    if name in ("modelId", "modelIdentifier"):
        return model_ids
    if kind == "blob":
        return bodies
    if kind == "structure":
        if shape.metadata.get("union"):
            options = [
                st.fixed_dictionaries({k: for_shape(v, k, depth + 1)}) for k, v in list(shape.members.items())[:6]
            ]
            return st.one_of(options) if depth < 4 and options else st.just({})
        if depth >= 4:
            return st.just({})
        required = set(shape.required_members)
        members = {k: for_shape(v, k, depth + 1) for k, v in shape.members.items()}
        return st.fixed_dictionaries(
            {k: s for k, s in members.items() if k in required},
            optional={k: s for k, s in members.items() if k not in required},
        )
    if kind == "list":
        return st.lists(for_shape(shape.member, name, depth + 1), max_size=3 if depth < 3 else 1)
    if kind == "map":
        return st.dictionaries(st.text(max_size=10), for_shape(shape.value, name, depth + 1), max_size=3)
    if kind == "string":
        choices = [st.text(max_size=30)]
        if shape.enum:
            choices.insert(0, st.sampled_from(shape.enum))
        return st.one_of(choices)
    if kind in ("integer", "long"):
        return st.integers(-(2**31), 2**31 - 1)
    if kind in ("float", "double"):
        return st.floats(allow_nan=True, allow_infinity=True)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1))
    if kind == "document" or shape.metadata.get("document"):
        return json_values
    return st.none()


def _client(service: str):
    if service == "sts":
        return boto3.client("sts", region_name="us-east-1", config=NO_RETRIES)
    return boto3.client(service, region_name="us-east-1", config=NO_RETRIES)


def consume(response: dict) -> None:
    """Read whatever the response streams, so lazily made frames are made (and may fail) too."""
    for value in response.values():
        if hasattr(value, "read"):
            value.read()
        elif hasattr(value, "__iter__") and type(value).__name__ == "EventStream":
            for _ in value:
                pass


ROUTES = [(r.service, r.operation) for r in dispatch.ROUTES]
# Routes botocore models (the others, e.g. the OpenAI-compatible Chat Completions path, get raw requests only).
MODELED = [(s, op) for s, op in ROUTES if op in botocore.session.get_session().get_service_model(s).operation_names]


@pytest.mark.parametrize(("service", "operation"), MODELED, ids=[op for _, op in MODELED])
def test_random_parameters_through_boto3_get_a_success_or_a_modeled_4xx(service, operation):
    client = _client(service)
    input_shape = client.meta.service_model.operation_model(operation).input_shape
    params_strategy = for_shape(input_shape) if input_shape is not None else st.just({})
    method = getattr(client, xform_name(operation))

    @FUZZ
    @given(params=params_strategy)
    def one(params):
        FUZZ_COUNTS[operation] += 1
        try:
            response = method(**params)
            consume(response)
        except ParamValidationError:
            FUZZ_COUNTS["(refused by botocore before sending)"] += 1
        except EventStreamError as err:  # an exception event mid-stream: modeled, with a message
            assert err.response["Error"]["Code"] and err.response["Error"]["Message"]
        except ClientError as err:
            status = err.response["ResponseMetadata"]["HTTPStatusCode"]
            assert 400 <= status < 500, f"{operation} answered {status}: {err}"
            assert err.response["Error"]["Message"], f"{operation}: a {status} without a message"

    one()


raw_headers = st.dictionaries(
    st.text(string.ascii_letters + "-", min_size=1, max_size=20).map(str.lower),
    st.text(string.printable, max_size=40),
    max_size=5,
)
labels = st.one_of(model_ids, st.text(max_size=60))
queries = st.dictionaries(st.text(max_size=15), st.text(max_size=15), max_size=3)


@pytest.mark.parametrize(("service", "operation"), ROUTES, ids=[op for _, op in ROUTES])
def test_random_raw_requests_to_the_dispatcher_never_get_a_500(service, operation):
    route = next(r for r in dispatch.ROUTES if r.operation == operation)
    template = re.sub(r"\(\?:[^)]*\)\?", "", route.pattern.pattern.strip("^$"))  # drop optional groups

    @FUZZ
    @given(
        label=labels,
        headers=raw_headers,
        body=bodies,
        query=st.dictionaries(st.text(max_size=15), st.text(max_size=15), max_size=3),
    )
    def one(label, headers, body, query):
        FUZZ_COUNTS[f"{operation} (raw)"] += 1
        path = re.sub(r"\(\?P<\w+>\.\+\)", lambda _: label, template)
        response = dispatch.handle(Request(route.method, path, query, headers, body), service)
        assert response.status != 500, response.body
        frames = list(response.iter_frames())  # lazily made frames must not raise either
        if response.status >= 400:
            assert response.body and (b'"message"' in response.body or b"<Message>" in response.body)
        else:
            assert response.body is not None or frames

    one()


def test_many_threads_get_the_same_answers_as_one_thread():
    """Forty-eight mixed requests, sequentially and from 16 threads at once: identical results."""
    runtime = _client("bedrock-runtime")
    control = _client("bedrock")
    requests = []
    for i in range(8):
        claude = {"max_tokens_to_sample": 40}
        requests += [
            ("invoke", "amazon.titan-embed-text-v2:0", {"inputText": f"thread test {i}", "dimensions": 256}),
            (
                "invoke",
                "anthropic.claude-v2",
                claude | {"prompt": f"\n\nHuman: count to {i}\n\nAssistant:"},
            ),
            (
                "stream",
                "anthropic.claude-v2",
                claude | {"prompt": f"\n\nHuman: story {i}\n\nAssistant:"},
            ),
            ("invoke", "cohere.command-text-v14", {"prompt": f"Say {i}", "max_tokens": 30}),
            ("invoke", "stability.stable-diffusion-xl-v1", {"text_prompts": [{"text": f"lighthouse {i}"}], "seed": i}),
            ("list", "", {}),
        ]

    def run(item):
        kind, model_id, body = item
        if kind == "list":
            return [s["modelId"] for s in control.list_foundation_models()["modelSummaries"]]
        if kind == "stream":
            response = runtime.invoke_model_with_response_stream(modelId=model_id, body=json.dumps(body))
            return [json.loads(e["chunk"]["bytes"]) for e in response["body"]]
        answer = json.loads(runtime.invoke_model(modelId=model_id, body=json.dumps(body))["body"].read())
        answer.pop("id", None)  # ids are random by design
        for generation in answer.get("generations", []):
            generation.pop("id", None)
        return answer

    sequential = [run(item) for item in requests]
    with ThreadPoolExecutor(16) as pool:
        threaded = list(pool.map(run, requests))
    with ThreadPoolExecutor(16) as pool:
        again = list(pool.map(run, requests))
    assert threaded == sequential == again
    FUZZ_COUNTS["(concurrent requests, 16 threads)"] += 2 * len(requests)


def test_the_fuzzer_would_notice_a_500(monkeypatch):
    """If an operation crashed, the dispatcher's 500 would fail the property: check that it does."""
    broken = [
        dispatch.Route(r.service, r.operation, r.method, r.pattern, lambda request, **_: 1 / 0) for r in dispatch.ROUTES
    ]
    monkeypatch.setattr(dispatch, "ROUTES", broken)
    counted = FUZZ_COUNTS.copy()
    with pytest.raises(AssertionError, match="answered 500"):
        test_random_parameters_through_boto3_get_a_success_or_a_modeled_4xx("bedrock", "ListFoundationModels")
    FUZZ_COUNTS.clear()
    FUZZ_COUNTS.update(counted)  # this check's own inputs are not part of the count


@pytest.fixture(autouse=True)
def _no_latency(monkeypatch):
    monkeypatch.setenv("BEDROCK_SIMULATOR_LATENCY_SCALE", "0")
    helpers.setup("offline", quiet=True)


def test_found_by_fuzzing_wrong_json_types_in_converse_get_a_400_not_a_500():
    body = b'{"messages": [{"role": "user", "content": [{"text": "hi"}]}], "inferenceConfig": 1}'
    model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    for operation in ("converse", "converse-stream"):
        response = dispatch.handle(Request("POST", f"/model/{model}/{operation}", {}, {}, body), "bedrock-runtime")
        assert response.status == 400
        assert json.loads(response.body)["message"] == (
            "1 validation error detected: Value '1' at 'inferenceConfig' failed to satisfy constraint: "
            "Member must be a structure"
        )
