"""The wire as botocore sees it: headers, event-stream frames, error format, retries, speed.

botocore's own parsers judge every response; where a test needs the raw bytes it takes them
from the response botocore received, before parsing.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import EventStreamError

from helpers.simulator import errors, eventstream, operations, transport
from helpers.simulator.errors import BedrockError
from helpers.simulator.wire import Response
from tests.conftest import error_of, invoke, stream_chunks
from tests.core_support import CLAUDE_OK, capture_requests, capture_responses, service_model, shape_problems

TITAN = "amazon.titan-embed-text-v1"
CODERAL = ":http://internal.amazon.com/coral/com.amazon.bedrock/"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


# ------------------------------------------------------------------ InvokeModel


def test_invoke_model_headers_are_the_ones_bedrock_sends(runtime):
    seen = capture_responses(runtime, "InvokeModel")
    response = runtime.invoke_model(modelId="anthropic.claude-v2", body=json.dumps(CLAUDE_OK))
    raw = seen[0]
    names = set(raw["headers"])
    # Names and case as in a recorded Bedrock response (wire-format reference, section 1.3).
    assert names == {
        "x-amzn-RequestId",
        "Date",
        "Content-Type",
        "Content-Length",
        "X-Amzn-Bedrock-Invocation-Latency",
        "X-Amzn-Bedrock-Output-Token-Count",
        "X-Amzn-Bedrock-Input-Token-Count",
    }
    body = response["body"].read()
    assert int(raw["headers"]["Content-Length"]) == len(body)
    assert response["contentType"] == "application/json"  # the modeled member parses
    meta = response["ResponseMetadata"]
    assert UUID.match(meta["RequestId"]) and meta["RequestId"] == raw["headers"]["x-amzn-RequestId"]
    assert meta["HTTPStatusCode"] == 200
    assert re.match(r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$", raw["headers"]["Date"])
    for name in ("invocation-latency", "output-token-count", "input-token-count"):
        assert meta["HTTPHeaders"][f"x-amzn-bedrock-{name}"].isdigit()


def test_token_headers_agree_with_the_body(runtime):
    body, headers = invoke(runtime, TITAN, {"inputText": "Hello world!"})
    assert int(headers["x-amzn-bedrock-input-token-count"]) == body["inputTextTokenCount"]
    assert headers["x-amzn-bedrock-output-token-count"] == "0"


def test_request_ids_differ_per_call(runtime):
    ids = {
        runtime.invoke_model(modelId=TITAN, body=b'{"inputText":"a"}')["ResponseMetadata"]["RequestId"]
        for _ in range(3)
    }
    assert len(ids) == 3


def test_body_is_a_streaming_body_that_reads_in_parts_once(runtime):
    response = runtime.invoke_model(modelId=TITAN, body=b'{"inputText":"Hello"}')
    stream = response["body"]
    first = stream.read(10)
    rest = stream.read()
    assert json.loads(first + rest)["embedding"]
    assert stream.read() == b""


def test_body_may_be_bytes_str_or_a_file(runtime, tmp_path):
    path = tmp_path / "body.json"
    path.write_text('{"inputText": "Hello"}')
    with path.open("rb") as fh:
        from_file = json.loads(runtime.invoke_model(modelId=TITAN, body=fh)["body"].read())
    from_str = json.loads(runtime.invoke_model(modelId=TITAN, body='{"inputText": "Hello"}')["body"].read())
    assert from_file == from_str


def test_accept_star_still_answers_json(runtime):
    response = runtime.invoke_model(
        modelId=TITAN, body=b'{"inputText":"x"}', accept="*/*", contentType="application/json"
    )
    assert response["contentType"] == "application/json"


# ------------------------------------------------------------------ event streams


def raw_frames(response) -> bytes:
    """The event-stream bytes botocore was handed (read before its own parser consumes them)."""
    return b"".join(response["body"]._raw_stream.stream())


def decode_frames(data: bytes) -> list[tuple[list[tuple[str, int, str]], bytes]]:
    """Split frames by hand, checking both CRCs, and return (headers with type codes, payload)."""
    out = []
    while data:
        total, headers_len, prelude_crc = struct.unpack("!III", data[:12])
        assert prelude_crc == binascii.crc32(data[:8]), "prelude CRC"
        message = data[:total]
        (message_crc,) = struct.unpack("!I", message[-4:])
        assert message_crc == binascii.crc32(message[:-4]), "message CRC"
        block, headers = message[12 : 12 + headers_len], []
        while block:
            n = block[0]
            name, kind = block[1 : 1 + n].decode(), block[1 + n]
            assert kind == 7, f"header {name} is not a string"
            (size,) = struct.unpack("!H", block[2 + n : 4 + n])
            headers.append((name, kind, block[4 + n : 4 + n + size].decode()))
            block = block[4 + n + size :]
        out.append((headers, message[12 + headers_len : -4]))
        data = data[total:]
    return out


def open_stream(runtime, model="anthropic.claude-v2", body=None):
    return runtime.invoke_model_with_response_stream(modelId=model, body=json.dumps(body or CLAUDE_OK))


def test_stream_response_headers(runtime):
    seen = capture_responses(runtime, "InvokeModelWithResponseStream")
    response = open_stream(runtime)
    headers = seen[0]["headers"]
    assert headers["Content-Type"] == "application/vnd.amazon.eventstream"
    assert headers["X-Amzn-Bedrock-Content-Type"] == "application/json"
    assert response["contentType"] == "application/json"  # modeled from X-Amzn-Bedrock-Content-Type
    assert UUID.match(response["ResponseMetadata"]["RequestId"])
    # Recorded streams carry no token-count headers: the counts arrive in the last chunk.
    assert not [h for h in headers if "token-count" in h.lower() or "latency" in h.lower()]
    list(response["body"])


def test_frames_have_valid_crcs_and_bedrock_header_order(runtime):
    data = raw_frames(open_stream(runtime))
    frames = decode_frames(data)
    assert len(frames) > 2
    for headers, payload in frames:
        assert headers == [
            (":event-type", 7, "chunk"),
            (":content-type", 7, "application/json"),
            (":message-type", 7, "event"),
        ]
        outer = json.loads(payload)
        assert set(outer) == {"bytes", "p"}
        assert "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".startswith(outer["p"])
        assert outer["p"]
        json.loads(base64.b64decode(outer["bytes"]))


def test_botocore_decoder_agrees_with_the_hand_decoder(runtime):
    data = raw_frames(open_stream(runtime))
    buffer = EventStreamBuffer()
    buffer.add_data(data)  # validates both CRCs and raises on a mismatch
    decoded = list(buffer)
    mine = decode_frames(data)
    assert [m.payload for m in decoded] == [p for _, p in mine]
    assert all(list(m.headers) == [":event-type", ":content-type", ":message-type"] for m in decoded)


def test_frames_decode_when_botocore_reads_them_in_small_pieces():
    frame = eventstream.chunk_event({"completion": " hi", "stop_reason": None, "stop": None}, 0)
    buffer = EventStreamBuffer()
    messages = []
    for i in range(0, len(frame), 7):
        buffer.add_data(frame[i : i + 7])
        messages += list(buffer)
    assert len(messages) == 1 and json.loads(messages[0].payload)["bytes"]


def test_invocation_metrics_ride_on_the_last_chunk_only(runtime):
    chunks = stream_chunks(runtime, "anthropic.claude-v2", CLAUDE_OK)
    with_metrics = [i for i, c in enumerate(chunks) if "amazon-bedrock-invocationMetrics" in c]
    assert with_metrics == [len(chunks) - 1]
    metrics = chunks[-1]["amazon-bedrock-invocationMetrics"]
    assert set(metrics) == {"inputTokenCount", "outputTokenCount", "invocationLatency", "firstByteLatency"}
    assert all(isinstance(v, int) and v >= 0 for v in metrics.values())
    assert metrics["firstByteLatency"] <= metrics["invocationLatency"]
    _, headers = invoke(runtime, "anthropic.claude-v2", CLAUDE_OK)
    assert metrics["inputTokenCount"] == int(headers["x-amzn-bedrock-input-token-count"])
    assert metrics["outputTokenCount"] == int(headers["x-amzn-bedrock-output-token-count"])


def test_mid_stream_exception_frames_raise_event_stream_error(runtime):
    """The encoder's exception frames parse as Bedrock's do: EventStreamError, lowerCamel code."""
    good = eventstream.chunk_event({"completion": " Hi", "stop_reason": None, "stop": None}, 0)
    bad = eventstream.exception_event(
        "throttlingException", {"message": "Too many tokens, please wait before trying again."}
    )

    def answer(request, **_):
        headers = {
            "Content-Type": "application/vnd.amazon.eventstream",
            "X-Amzn-Bedrock-Content-Type": "application/json",
            "x-amzn-RequestId": str(uuid.uuid4()),
        }
        return transport.to_aws_response(request, Response(200, headers, frames=[(0, good), (0, bad)]))

    runtime.meta.events.register_first("before-send.bedrock-runtime.InvokeModelWithResponseStream", answer)
    events = iter(open_stream(runtime)["body"])
    assert json.loads(next(events)["chunk"]["bytes"])["completion"] == " Hi"
    with pytest.raises(EventStreamError) as exc:
        next(events)
    error = exc.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "throttlingException",
        "Too many tokens, please wait before trying again.",
    )


# ------------------------------------------------------------------ errors


def test_error_wire_format(runtime):
    seen = capture_responses(runtime, "InvokeModel")
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model(modelId="anthropic.claude-v9", body=b"{}")
    raw = seen[0]
    assert raw["status"] == 400
    assert raw["headers"]["x-amzn-ErrorType"] == "ValidationException" + CODERAL
    assert raw["headers"]["Content-Type"] == "application/json"
    assert raw["body"] == b'{"message":"The provided model identifier is invalid."}'
    assert int(raw["headers"]["Content-Length"]) == len(raw["body"])
    assert UUID.match(exc.value.response["ResponseMetadata"]["RequestId"])


@pytest.mark.parametrize("service", ["bedrock-runtime", "bedrock"])
def test_error_statuses_match_the_service_models(service):
    shapes = service_model(service)["shapes"]
    modeled = {name: s["error"]["httpStatusCode"] for name, s in shapes.items() if s.get("exception")}
    for name, status in modeled.items():
        if name in errors.STATUS:
            assert errors.STATUS[name] == status, name
    if service == "bedrock-runtime":
        assert set(errors.STATUS) <= set(modeled)


@pytest.mark.parametrize("error_type", sorted(errors.STATUS))
def test_every_error_type_becomes_its_modeled_exception(runtime, error_type):
    err = BedrockError(error_type, f"simulated {error_type}")
    runtime.meta.events.register_first(
        "before-send.bedrock-runtime.InvokeModel",
        lambda request, **_: transport.to_aws_response(request, operations.error_response(err)),
    )
    with pytest.raises(getattr(runtime.exceptions, error_type)) as exc:
        runtime.invoke_model(modelId=TITAN, body=b"{}")
    assert error_of(exc) == (error_type, f"simulated {error_type}", errors.STATUS[error_type])


def test_unknown_error_type_is_refused():
    with pytest.raises(ValueError):
        BedrockError("NoSuchException", "x")


def test_errors_before_a_stream_raise_at_the_call(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model_with_response_stream(modelId=TITAN, body=b'{"inputText":"x"}')
    assert error_of(exc) == ("ValidationException", "The model is unsupported for streaming.", 400)


def test_non_json_bodies_are_malformed(runtime):
    for body, found in ((b"hello", "String"), (b"[1, 2]", "JSONArray"), (b"", "Null"), (b"42", "Number")):
        with pytest.raises(runtime.exceptions.ValidationException) as exc:
            runtime.invoke_model(modelId=TITAN, body=body)
        assert error_of(exc)[1] == (
            f"Malformed input request: #: expected type: JSONObject, found: {found}, "
            "please reformat your input and try again."
        )


# ------------------------------------------------------------------ identifiers on the wire


def test_arn_model_ids_are_percent_encoded_by_botocore_and_understood(runtime):
    sent = capture_requests(runtime)
    arn = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2"
    body, _ = invoke(runtime, arn, CLAUDE_OK)
    assert body["stop_reason"] in ("stop_sequence", "max_tokens")
    url = sent[0].url
    assert "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fanthropic.claude-v2/invoke" in url
    assert "/model/anthropic.claude-v2%3A1/invoke" in _url_for(runtime, "anthropic.claude-v2:1")


def _url_for(runtime, model_id):
    sent = capture_requests(runtime)
    invoke(runtime, model_id, CLAUDE_OK)
    return sent[-1].url


def test_get_foundation_model_by_arn(bedrock):
    sent = capture_requests(bedrock)
    arn = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1"
    details = bedrock.get_foundation_model(modelIdentifier=arn)["modelDetails"]
    assert details["modelId"] == "anthropic.claude-v2:1" and details["modelArn"] == arn
    assert "%3A%3Afoundation-model%2Fanthropic.claude-v2%3A1" in sent[0].url


# ------------------------------------------------------------------ shapes against botocore's models


def test_control_plane_json_fits_the_service_model(bedrock):
    shapes = service_model("bedrock")["shapes"]
    # Real listings say INFERENCE_PROFILE for profile-only models although the enum lacks it
    # (captured in aws-samples/aws-genai-llm-chatbot#651).
    tolerate = {
        ("$.modelSummaries.inferenceTypesSupported", "INFERENCE_PROFILE"),
        ("$.modelDetails.inferenceTypesSupported", "INFERENCE_PROFILE"),
    }
    seen = capture_responses(bedrock, "ListFoundationModels")
    bedrock.list_foundation_models()
    listing = json.loads(seen[0]["body"])
    problems = shape_problems(listing, "ListFoundationModelsResponse", shapes, tolerate=tolerate)
    assert not problems, problems[:5]
    seen = capture_responses(bedrock, "GetFoundationModel")
    for summary in listing["modelSummaries"]:
        bedrock.get_foundation_model(modelIdentifier=summary["modelId"])
        details = json.loads(seen[-1]["body"])
        assert not shape_problems(details, "GetFoundationModelResponse", shapes, tolerate=tolerate)
        assert details["modelDetails"] == summary


def test_parsed_listing_keeps_every_field_sent(bedrock):
    """botocore drops unknown keys silently; nothing the simulator sends may be lost that way."""
    seen = capture_responses(bedrock, "ListFoundationModels")
    parsed = bedrock.list_foundation_models()["modelSummaries"]
    raw = json.loads(seen[0]["body"])["modelSummaries"]
    assert [set(p) for p in parsed] == [set(r) for r in raw]
    assert [set(p["modelLifecycle"]) for p in parsed] == [set(r["modelLifecycle"]) for r in raw]


def test_error_shapes_carry_only_modeled_members():
    shapes = service_model("bedrock-runtime")["shapes"]
    for name in errors.STATUS:
        assert set(BedrockError(name, "m").body()) <= set(shapes[name]["members"]), name


# ------------------------------------------------------------------ retries


@pytest.fixture
def no_backoff(monkeypatch):
    import botocore.retries.standard

    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


def throttle_first(client, operation: str, times: int, error_type="ThrottlingException") -> list[int]:
    """Answer the first `times` attempts with an error; then let the simulator answer."""
    attempts: list[int] = []

    def maybe_throttle(request, **_):
        attempts.append(1)
        if len(attempts) <= times:
            err = BedrockError(error_type, "Too many tokens, please wait before trying again.")
            return transport.to_aws_response(request, operations.error_response(err))
        return None

    client.meta.events.register_first(f"before-send.bedrock-runtime.{operation}", maybe_throttle)
    return attempts


def standard_client(attempts=3):
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
    return boto3.client("bedrock-runtime", region_name="us-east-1", config=config)


def test_throttling_is_retried_by_botocore_then_succeeds(no_backoff):
    client = standard_client()
    attempts = throttle_first(client, "InvokeModel", times=2)
    response = client.invoke_model(modelId=TITAN, body=b'{"inputText":"x"}')
    assert len(attempts) == 3
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert json.loads(response["body"].read())["embedding"]


def test_throttling_gives_up_after_max_attempts(no_backoff):
    client = standard_client()
    attempts = throttle_first(client, "InvokeModel", times=10)
    with pytest.raises(client.exceptions.ThrottlingException) as exc:
        client.invoke_model(modelId=TITAN, body=b'{"inputText":"x"}')
    assert len(attempts) == 3
    assert "(reached max retries: 2)" in str(exc.value)
    assert error_of(exc)[2] == 429


def test_stream_throttling_before_the_stream_is_retried(no_backoff):
    client = standard_client()
    attempts = throttle_first(client, "InvokeModelWithResponseStream", times=1)
    assert stream_chunks(client, "anthropic.claude-v2", CLAUDE_OK)[-1]["stop_reason"]
    assert len(attempts) == 2


def test_model_timeout_is_not_retried(no_backoff):
    client = standard_client()
    attempts = throttle_first(client, "InvokeModel", times=10, error_type="ModelTimeoutException")
    with pytest.raises(client.exceptions.ModelTimeoutException):
        client.invoke_model(modelId=TITAN, body=b'{"inputText":"x"}')
    assert len(attempts) == 1


# ------------------------------------------------------------------ speed


def test_two_hundred_invocations_take_under_two_seconds(runtime):
    body = json.dumps(CLAUDE_OK)
    runtime.invoke_model(modelId="anthropic.claude-v2", body=body)["body"].read()  # warm caches
    start = time.perf_counter()
    for _ in range(200):
        runtime.invoke_model(modelId="anthropic.claude-v2", body=body)["body"].read()
    assert time.perf_counter() - start < 2.0


def test_latency_scale_zero_does_not_sleep(runtime, monkeypatch):
    slept = []
    monkeypatch.setattr(transport.time, "sleep", lambda s: slept.append(s))
    stream_chunks(runtime, "anthropic.claude-v2", CLAUDE_OK)
    invoke(runtime, TITAN, {"inputText": "x"})
    assert not slept


def test_latency_scale_sleeps_in_proportion_to_the_reported_latency(runtime, monkeypatch):
    slept = []
    monkeypatch.setattr(transport.time, "sleep", lambda s: slept.append(s))
    monkeypatch.setenv("BEDROCK_SIMULATOR_LATENCY_SCALE", "0.5")
    _, headers = invoke(runtime, TITAN, {"inputText": "x"})
    assert slept == [pytest.approx(int(headers["x-amzn-bedrock-invocation-latency"]) / 1000 * 0.5)]
    slept.clear()
    metrics = stream_chunks(runtime, "anthropic.claude-v2", CLAUDE_OK)[-1]["amazon-bedrock-invocationMetrics"]
    assert slept[0] == pytest.approx(metrics["firstByteLatency"] / 1000 * 0.5)
    assert sum(slept) == pytest.approx(metrics["invocationLatency"] / 1000 * 0.5)


def test_latency_scale_must_be_a_number(runtime, monkeypatch):
    monkeypatch.setenv("BEDROCK_SIMULATOR_LATENCY_SCALE", "fast")
    with pytest.raises(ValueError, match="BEDROCK_SIMULATOR_LATENCY_SCALE"):
        invoke(runtime, TITAN, {"inputText": "x"})
