"""Fault injection: Bedrock's failures as botocore sees them, seeded, counted, and undone on exit."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import EventStreamError, ReadTimeoutError

import helpers
from helpers.simulator import faults, settings

from .conftest import NO_RETRIES, error_of, invoke
from .core_support import capture_responses, service_model

TITAN = "amazon.titan-embed-text-v1"
CLAUDE = "anthropic.claude-v2"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


@pytest.fixture
def fast_backoff(monkeypatch):
    """botocore's standard-mode pauses (1 s scale for throttles) cut to 1 ms: the retries stay, the waiting goes."""
    from botocore.retries.standard import ExponentialBackoff

    scales = {"throttling_base_scale": 0.001, "non_throttling_base_scale": 0.001}
    monkeypatch.setattr(ExponentialBackoff, "_DEFAULT_BACKOFF_CONFIG", scales)


def claude_body(i: int = 0) -> dict:
    return {"prompt": f"\n\nHuman: Tell me a story about lighthouse {i}.\n\nAssistant:", "max_tokens_to_sample": 120}


def embed(client, i: int = 0) -> dict:
    return invoke(client, TITAN, {"inputText": f"sentence number {i}"})[0]


# ------------------------------------------------------------------ each fault, as botocore sees it

CASES = [
    ("throttling", "ThrottlingException", 429, "Too many requests, please wait before trying again."),
    ("model_not_ready", "ModelNotReadyException", 429, "Model is not ready to serve inference requests."),
    ("timeout", "ModelTimeoutException", 408, "Model has timed out in processing the request. Try your request again."),
    ("service_unavailable", "ServiceUnavailableException", 503, "Bedrock is unable to process your request."),
]


@pytest.mark.parametrize(("name", "shape", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_rate_fault_is_the_modeled_exception_with_bedrocks_status_and_text(runtime, name, shape, status, message):
    seen = capture_responses(runtime, "InvokeModel")
    with helpers.faults(**{name: 1}) as injected:
        with pytest.raises(getattr(runtime.exceptions, shape)) as exc:
            embed(runtime)
    assert error_of(exc) == (shape, message, status)
    assert seen[0]["headers"]["x-amzn-ErrorType"] == f"{shape}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    assert json.loads(seen[0]["body"]) == {"message": message}
    assert injected.counts == {name: 1} and injected.requests == 1


@pytest.mark.parametrize(("name", "shape", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_stream_request_fails_before_the_stream_opens_the_same_way(runtime, name, shape, status, message):
    with helpers.faults(**{name: 1}), pytest.raises(getattr(runtime.exceptions, shape)) as exc:
        runtime.invoke_model_with_response_stream(modelId=CLAUDE, body=json.dumps(claude_body()))
    assert error_of(exc) == (shape, message, status)


def test_faults_hit_only_operations_whose_model_lists_the_error(bedrock):
    # ListFoundationModels declares ThrottlingException but not ModelTimeoutException.
    with helpers.faults(timeout=1) as injected:
        assert bedrock.list_foundation_models()["modelSummaries"]
    assert injected.total == 0 and injected.requests == 1
    with helpers.faults(throttling=1), pytest.raises(bedrock.exceptions.ThrottlingException):
        bedrock.list_foundation_models()


def test_sts_identity_check_is_never_faulted():
    sts = boto3.client("sts", region_name="us-east-1", config=NO_RETRIES)
    with helpers.faults(throttling=1, service_unavailable=0) as injected:
        assert sts.get_caller_identity()["Account"] == "123456789012"
    assert injected.requests == 0


# ------------------------------------------------------------------ streams that break midway


def test_a_broken_stream_delivers_some_chunks_then_bedrocks_exception_frame(runtime):
    raw = []
    runtime.meta.events.register(
        "before-parse.bedrock-runtime.InvokeModelWithResponseStream",
        lambda response_dict, **_: raw.append(response_dict),
    )
    codes = set()
    with helpers.faults(stream_error=1) as injected:
        for i in range(12):
            response = runtime.invoke_model_with_response_stream(modelId=CLAUDE, body=json.dumps(claude_body(i)))
            chunks = []
            with pytest.raises(EventStreamError) as exc:
                for event in response["body"]:
                    chunks.append(json.loads(event["chunk"]["bytes"]))
            code = exc.value.response["Error"]["Code"]
            codes.add(code)
            assert chunks, "some chunks arrive before the break"
            assert "amazon-bedrock-invocationMetrics" not in chunks[-1], "the stream never finished"
            expected = {
                "modelStreamErrorException": faults.STREAM_EXCEPTIONS["modelStreamErrorException"]["message"],
                "throttlingException": "Too many requests, please wait before trying again. You have sent too many "
                "requests.  Wait before trying again.",
            }[code]
            assert exc.value.response["Error"]["Message"] == expected
    assert codes == {"modelStreamErrorException", "throttlingException"}, "both mid-stream exceptions occur"
    assert injected.counts == {"stream_error": 12}


def test_the_exception_frame_has_bedrocks_headers_and_the_shapes_members():
    """Decode the frames ourselves: header names and order, and payload keys from botocore's model."""
    from helpers.simulator import dispatch
    from helpers.simulator.wire import Request

    request = Request(
        "POST", f"/model/{CLAUDE}/invoke-with-response-stream", {}, {}, json.dumps(claude_body()).encode()
    )
    shapes = service_model("bedrock-runtime")["shapes"]
    found = {}
    with helpers.faults(stream_error=1, seed=3):
        for n in range(8):
            request.body = json.dumps(claude_body(n)).encode()
            buffer = EventStreamBuffer()
            for _, frame in dispatch.handle(request, "bedrock-runtime").iter_frames():
                buffer.add_data(frame)
            *events, last = list(buffer)
            assert all(e.headers[":message-type"] == "event" for e in events)
            assert list(last.headers) == [":exception-type", ":content-type", ":message-type"]
            assert last.headers[":message-type"] == "exception"
            assert last.headers[":content-type"] == "application/json"
            member = last.headers[":exception-type"]
            found[member] = json.loads(last.payload)
    for member, payload in found.items():
        shape = shapes["ResponseStream"]["members"][member]["shape"]
        assert set(payload) <= set(shapes[shape]["members"]) and payload["message"]


def test_stream_error_rate_breaks_about_that_share_of_streams(runtime):
    broken = 0
    with helpers.faults(stream_error=0.25) as injected:
        for i in range(80):
            response = runtime.invoke_model_with_response_stream(modelId=CLAUDE, body=json.dumps(claude_body(i)))
            try:
                for _ in response["body"]:
                    pass
            except EventStreamError:
                broken += 1
    assert broken == injected.counts["stream_error"]
    assert 8 <= broken <= 32  # 20 expected; a binomial(80, 0.25) lands here with near certainty


# ------------------------------------------------------------------ access denied


def test_access_denied_hits_the_named_models_by_any_name_and_leaves_others_working(runtime, bedrock):
    with helpers.faults(access_denied=f"{CLAUDE}|{HAIKU}") as injected:
        for model_id in (CLAUDE, f"arn:aws:bedrock:us-east-1::foundation-model/{CLAUDE}", f"us.{HAIKU}"):
            with pytest.raises(runtime.exceptions.AccessDeniedException) as exc:
                invoke(runtime, model_id, claude_body())
            assert error_of(exc) == (
                "AccessDeniedException",
                "You don't have access to the model with the specified model ID.",
                403,
            )
        assert embed(runtime)["embedding"]
        # The catalog stays readable: access is about invoking.
        assert bedrock.get_foundation_model(modelIdentifier=CLAUDE)["modelDetails"]["modelId"] == CLAUDE
    assert injected.counts == {"access_denied": 3}


def test_access_denied_takes_a_python_list():
    with helpers.faults(access_denied=[CLAUDE, TITAN]) as injected:
        pass
    assert injected.spec.access_denied == (CLAUDE, TITAN)


# ------------------------------------------------------------------ seeded, counted, undone


def outcomes(client, n: int) -> list[str]:
    found = []
    for i in range(n):
        try:
            embed(client, i)
            found.append("ok")
        except client.exceptions.ClientError as err:
            found.append(err.response["Error"]["Code"])
    return found


def test_same_seed_same_faults_other_seed_other_faults(runtime):
    with helpers.faults(throttling=0.3, service_unavailable=0.1):
        first = outcomes(runtime, 60)
    with helpers.faults(throttling=0.3, service_unavailable=0.1):
        again = outcomes(runtime, 60)
    with helpers.faults(throttling=0.3, service_unavailable=0.1, seed=1):
        other = outcomes(runtime, 60)
    assert first == again
    assert first != other
    assert {"ok", "ThrottlingException", "ServiceUnavailableException"} == set(first)


def test_rates_hold_over_many_calls_and_counts_match_what_the_client_saw(runtime):
    with helpers.faults(throttling=0.3, model_not_ready=0.1, timeout=0.05, seed=11) as injected:
        seen = outcomes(runtime, 400)
    assert injected.requests == 400
    assert injected.counts["throttling"] == seen.count("ThrottlingException")
    assert injected.counts["model_not_ready"] == seen.count("ModelNotReadyException")
    assert injected.counts["timeout"] == seen.count("ModelTimeoutException")
    # binomial(400, p): expected 120, 40, 20; these bounds are ~5 standard deviations wide
    assert 80 <= seen.count("ThrottlingException") <= 160
    assert 15 <= seen.count("ModelNotReadyException") <= 65
    assert 3 <= seen.count("ModelTimeoutException") <= 40
    assert injected.summary().startswith(f"{injected.total} faults injected in 400 requests: model_not_ready")


def test_a_retry_of_the_same_request_gets_a_fresh_draw(runtime, fast_backoff):
    retrying = boto3.client(
        "bedrock-runtime", region_name="us-east-1", config=Config(retries={"mode": "standard", "max_attempts": 10})
    )
    attempts = []
    with helpers.faults(throttling=0.5) as injected:
        for i in range(30):
            response = retrying.invoke_model(modelId=TITAN, body=json.dumps({"inputText": f"retry me {i}"}))
            attempts.append(response["ResponseMetadata"]["RetryAttempts"])
    assert sum(attempts) == injected.counts["throttling"] > 0
    assert injected.requests == 30 + sum(attempts)


def test_the_block_undoes_itself_even_when_it_raises(runtime):
    with pytest.raises(RuntimeError), helpers.faults(throttling=1):
        raise RuntimeError("learner code failed")
    assert helpers.injected_faults() is None
    assert embed(runtime)["embedding"]


def test_the_innermost_block_wins_and_the_outer_one_comes_back(runtime):
    with helpers.faults(throttling=1) as outer:
        with helpers.faults(access_denied=CLAUDE) as inner:
            assert helpers.injected_faults() is inner
            assert embed(runtime)["embedding"]
        assert helpers.injected_faults() is outer
        with pytest.raises(runtime.exceptions.ThrottlingException):
            embed(runtime)


def test_the_environment_variable_works_and_setup_restarts_its_counts(runtime, monkeypatch, capsys):
    monkeypatch.setenv(settings.FAULTS, "throttling=1")
    setup = helpers.setup("offline")
    assert "injected faults: throttling=1" in capsys.readouterr().out and setup.faults == "throttling=1"
    with pytest.raises(runtime.exceptions.ThrottlingException):
        embed(runtime)
    assert helpers.injected_faults().counts == {"throttling": 1}
    helpers.setup("offline", quiet=True)
    assert helpers.injected_faults().counts == {}
    with helpers.faults(throttling=0):  # a block replaces the variable
        assert embed(runtime)["embedding"]


# ------------------------------------------------------------------ latency, timeouts, quotas


def test_latency_ms_delays_the_first_byte_and_paces_stream_events(runtime):
    start = time.perf_counter()
    with helpers.faults(latency_ms=300):
        embed(runtime)
    assert time.perf_counter() - start >= 0.3
    with helpers.faults(latency_ms=400):
        response = runtime.invoke_model_with_response_stream(modelId=CLAUDE, body=json.dumps(claude_body()))
        start = time.perf_counter()
        events = list(response["body"])
        paced = time.perf_counter() - start
    assert paced >= (len(events) - 1) * 0.02 * 0.9


def test_a_read_timeout_shorter_than_the_latency_raises_read_timeout_and_is_retried():
    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        config=Config(read_timeout=0.1, retries={"mode": "standard", "total_max_attempts": 2}),
    )
    with helpers.faults(latency_ms=400) as injected, pytest.raises(ReadTimeoutError) as exc:
        embed(client)
    assert "Read timeout on endpoint URL" in str(exc.value)
    assert injected.requests == 2, "botocore retried the timed-out request: the service saw it twice"
    patient = boto3.client("bedrock-runtime", region_name="us-east-1", config=Config(read_timeout=2))
    with helpers.faults(latency_ms=400):
        assert embed(patient)["embedding"]


def test_a_stall_longer_than_read_timeout_mid_stream_raises_urllib3s_read_timeout():
    from urllib3.exceptions import ReadTimeoutError as URLLib3ReadTimeoutError

    client = boto3.client("bedrock-runtime", region_name="us-east-1", config=Config(read_timeout=0.01))
    with helpers.faults(latency_ms=1000):  # 50 ms between events, more than 10 ms
        # the first byte is late too, so this raises before the stream opens
        with pytest.raises(ReadTimeoutError):
            client.invoke_model_with_response_stream(modelId=CLAUDE, body=json.dumps(claude_body()))
    from helpers.simulator import transport
    from helpers.simulator.wire import Response

    raw = transport.SimulatedRaw(Response(200, {}, frames=[(0, b"a"), (0.05, b"b")]), read_timeout=0.01, url="u")
    chunks = []
    with pytest.raises(URLLib3ReadTimeoutError):
        for chunk in raw.stream():
            chunks.append(chunk)
    assert chunks == [b"a"]


def test_rpm_quota_throttles_requests_beyond_it_within_a_minute(runtime):
    with helpers.faults(rpm=5) as injected:
        seen = outcomes(runtime, 8)
    assert seen == ["ok"] * 5 + ["ThrottlingException"] * 3
    assert injected.counts == {"rpm": 3}


# ------------------------------------------------------------------ bad values say what is allowed


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"throtling": 0.3}, "unknown fault 'throtling' (did you mean throttling?)"),
        ({"throttling": 1.5}, "throttling=1.5 is out of range; a rate is from 0 to 1"),
        ({"throttling": "lots"}, "throttling='lots' is not a number"),
        ({"latency_ms": -5}, "latency_ms=-5 must be 0 or more"),
        ({"latency_ms": 2.5}, "latency_ms=2.5 is not a whole number"),
        ({"rpm": 0}, "rpm=0 must be 1 or more"),
        ({"access_denied": "anthropic.claude-v9"}, "(did you mean anthropic.claude-v2?)"),
        ({"access_denied": ""}, "access_denied names no model id"),
        ({"throttling": 0.8, "timeout": 0.3}, "throttling=0.8 + timeout=0.3 add up to more than 1"),
    ],
)
def test_a_bad_value_names_itself_and_lists_what_is_allowed(kwargs, says):
    with pytest.raises(ValueError) as exc:
        helpers.faults(**kwargs)
    text = str(exc.value)
    assert text.startswith("helpers.faults(): ") and says in text
    assert "Allowed: throttling=<rate from 0 to 1>" in text and "access_denied=<model-id>|<model-id>" in text


def test_the_string_form_is_checked_the_same_way():
    assert helpers.faults("throttling=0.3, seed=2,,").spec.describe() == "throttling=0.3,seed=2"
    with pytest.raises(ValueError, match="'throttling' is not name=value"):
        helpers.faults("throttling")
    with pytest.raises(ValueError, match="throttling is given twice"):
        helpers.faults("throttling=0.1,throttling=0.2")
    with pytest.raises(ValueError, match="a 'name=value,...' string or keyword arguments, not both"):
        helpers.faults("throttling=0.1", seed=2)


def test_a_bad_variable_stops_setup_by_name(monkeypatch):
    monkeypatch.setenv(settings.FAULTS, "throttling=often")
    with pytest.raises(settings.SettingsError, match="^BEDROCK_SIMULATOR_FAULTS: throttling='often' is not"):
        helpers.setup("offline", quiet=True)


def test_a_bad_variable_set_after_setup_reaches_the_caller_not_a_500(runtime, monkeypatch):
    monkeypatch.setenv(settings.FAULTS, "stream_eror=0.2")
    with pytest.raises(settings.SettingsError, match="did you mean stream_error"):
        embed(runtime)


def test_live_mode_injects_nothing_and_says_so(monkeypatch, capsys):
    from helpers import _setup

    monkeypatch.setattr(_setup, "answered_by", lambda: "aws")
    with helpers.faults(throttling=1) as injected:
        assert helpers.injected_faults() is None
    assert "LIVE mode: helpers.faults() injects nothing" in capsys.readouterr().out
    assert injected.summary().startswith("no faults injected: LIVE mode")


# ------------------------------------------------------------------ threads


def test_threads_meet_the_same_faults_as_a_sequential_run(runtime, fast_backoff):
    retrying = boto3.client(
        "bedrock-runtime", region_name="us-east-1", config=Config(retries={"mode": "standard", "max_attempts": 10})
    )

    def call(i: int) -> tuple[int, list[float]]:
        response = retrying.invoke_model(modelId=TITAN, body=json.dumps({"inputText": f"thread call {i}"}))
        return response["ResponseMetadata"]["RetryAttempts"], json.loads(response["body"].read())["embedding"][:3]

    with helpers.faults(throttling=0.3) as sequential:
        expected = [call(i) for i in range(48)]
    with helpers.faults(throttling=0.3) as threaded, ThreadPoolExecutor(16) as pool:
        got = list(pool.map(call, range(48)))
    assert got == expected
    assert threaded.counts == sequential.counts and threaded.requests == sequential.requests


def test_faults_stay_out_of_replayed_recordings(monkeypatch, capsys):
    from helpers import _setup

    monkeypatch.setattr(_setup, "answered_by", lambda: "recordings")
    with helpers.faults(throttling=1) as injected:
        assert helpers.injected_faults() is None
    assert "only when the simulator answers, not the recordings" in capsys.readouterr().out
    assert injected.total == 0


def test_an_operation_botocore_does_not_model_passes_through_untouched():
    assert faults.declared_errors("bedrock-runtime", "CreateChatCompletion") == frozenset()
    assert faults.stream_exception_members("bedrock-runtime", "CreateChatCompletion") == ()


def test_fast_backoff_checks_its_factor():
    for bad in (0, 2, "fast", True):
        with pytest.raises(ValueError, match="factor must be a number above 0 and at most 1"):
            helpers.fast_backoff(bad)


# ------------------------------------------------------------------ Converse and ConverseStream, through the same hook

HAIKU_45 = "us.anthropic.claude-haiku-4-5-20251001-v1:0"


def converse_kwargs(i: int = 0) -> dict:
    return {
        "modelId": HAIKU_45,
        "messages": [{"role": "user", "content": [{"text": f"Tell me about lighthouse number {i}."}]}],
        "inferenceConfig": {"maxTokens": 120},
    }


@pytest.mark.parametrize(("name", "shape", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_converse_meets_each_fault_as_its_modeled_exception(runtime, name, shape, status, message):
    with helpers.faults(**{name: 1}), pytest.raises(getattr(runtime.exceptions, shape)) as exc:
        runtime.converse(**converse_kwargs())
    assert error_of(exc) == (shape, message, status)


def test_converse_stream_breaks_midway_with_bedrocks_exception_events(runtime):
    codes = set()
    with helpers.faults(stream_error=1) as injected:
        for i in range(10):
            stream = runtime.converse_stream(**converse_kwargs(i))["stream"]
            seen = []
            with pytest.raises(EventStreamError) as exc:
                for event in stream:
                    seen.append(next(iter(event)))
            codes.add(exc.value.response["Error"]["Code"])
            assert seen and seen[0] == "messageStart", "the stream had started"
            assert "metadata" not in seen, "and never finished"
    assert codes == {"modelStreamErrorException", "throttlingException"}
    assert injected.counts == {"stream_error": 10}


def test_access_denied_and_latency_apply_to_converse_too(runtime):
    with helpers.faults(access_denied="anthropic.claude-haiku-4-5-20251001-v1:0"):
        with pytest.raises(runtime.exceptions.AccessDeniedException):
            runtime.converse(**converse_kwargs())
    start = time.perf_counter()
    with helpers.faults(latency_ms=200):
        runtime.converse(**converse_kwargs())
    assert time.perf_counter() - start >= 0.2


def test_count_tokens_meets_only_the_errors_its_model_lists(runtime):
    body = {"input": {"converse": {"messages": converse_kwargs()["messages"]}}}
    # CountTokens lists ThrottlingException but not ModelTimeoutException (botocore's model).
    with helpers.faults(timeout=1) as injected:
        assert runtime.count_tokens(modelId="anthropic.claude-haiku-4-5-20251001-v1:0", **body)["inputTokens"] > 0
    assert injected.total == 0
