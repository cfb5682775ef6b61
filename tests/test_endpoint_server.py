"""The local endpoint over HTTP: boto3 parses what it sends; front-door refusals; bad HTTP; the CLI entry."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from helpers.simulator import dispatch, server
from helpers.simulator.errors import BedrockError

from .endpoint_support import (
    CLAUDE_V2,
    CLAUDE_V2_BODY,
    TITAN,
    body_json,
    client,
    endpoint_fixture,
    in_process,
    over_http_fixture,
    raw,
    raw_bytes,
    signed_headers,
)

endpoint = endpoint_fixture
over_http = over_http_fixture

ROOT = Path(__file__).resolve().parent.parent


def _invoke_both(endpoint, model_id: str, body: dict) -> tuple[dict, dict]:
    """The same InvokeModel in-process and over HTTP: (in-process response, HTTP response)."""
    local = in_process("bedrock-runtime").invoke_model(modelId=model_id, body=json.dumps(body))
    local_body = body_json(local)
    from helpers import setup

    setup("live", quiet=True)
    try:
        remote = client("bedrock-runtime", endpoint.url).invoke_model(modelId=model_id, body=json.dumps(body))
        remote_body = body_json(remote)
    finally:
        setup("offline", quiet=True)
    return (local | {"parsed": local_body}), (remote | {"parsed": remote_body})


def test_invoke_model_over_http_equals_the_in_process_answer(endpoint):
    local, remote = _invoke_both(endpoint, CLAUDE_V2, CLAUDE_V2_BODY)
    assert remote["parsed"] == local["parsed"]
    headers = remote["ResponseMetadata"]["HTTPHeaders"]
    assert (
        headers["x-amzn-bedrock-output-token-count"]
        == local["ResponseMetadata"]["HTTPHeaders"]["x-amzn-bedrock-output-token-count"]
    )
    assert remote["contentType"] == "application/json"
    assert "server" not in headers  # Bedrock's recorded responses carry no Server header


def test_stream_over_http_has_the_same_events_and_arrives_as_it_is_produced(endpoint, over_http, monkeypatch):
    monkeypatch.setenv("BEDROCK_SIMULATOR_LATENCY_SCALE", "0.5")
    runtime = client("bedrock-runtime", endpoint.url)
    started = time.perf_counter()
    response = runtime.invoke_model_with_response_stream(modelId=CLAUDE_V2, body=json.dumps(CLAUDE_V2_BODY))
    arrivals, chunks = [], []
    for event in response["body"]:
        arrivals.append(time.perf_counter() - started)
        chunks.append(json.loads(event["chunk"]["bytes"]))
    assert response["ResponseMetadata"]["HTTPHeaders"]["transfer-encoding"] == "chunked"
    # Simulated: first byte after 200 ms, then 18 ms per token (60 tokens), scaled by 0.5.
    assert arrivals[0] < 0.35, "the first event waited for the whole stream"
    assert arrivals[-1] - arrivals[0] > 0.3, "events arrived all at once"
    monkeypatch.setenv("BEDROCK_SIMULATOR_LATENCY_SCALE", "0")
    from helpers import setup

    setup("offline", quiet=True)
    local = in_process("bedrock-runtime").invoke_model_with_response_stream(
        modelId=CLAUDE_V2, body=json.dumps(CLAUDE_V2_BODY)
    )
    assert chunks == [json.loads(e["chunk"]["bytes"]) for e in local["body"]]


def test_region_comes_from_the_signature(endpoint, over_http):
    listing = client("bedrock", endpoint.url, region="eu-central-1").list_foundation_models(byProvider="Amazon")
    arns = [m["modelArn"] for m in listing["modelSummaries"]]
    assert arns and all(a.startswith("arn:aws:bedrock:eu-central-1::foundation-model/") for a in arns)


def test_errors_keep_bedrocks_types_over_http(endpoint, over_http):
    runtime = client("bedrock-runtime", endpoint.url)
    with pytest.raises(runtime.exceptions.ValidationException, match="The provided model identifier is invalid."):
        runtime.invoke_model(modelId="anthropic.claude-v9", body="{}")
    with pytest.raises(ClientError) as exc:
        runtime.apply_guardrail(
            guardrailIdentifier="gr-1", guardrailVersion="1", source="INPUT", content=[{"text": {"text": "hi"}}]
        )
    assert exc.value.response["Error"]["Code"] == "OperationNotSimulatedOffline"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_same_settings_and_hooks_as_in_process(endpoint, over_http, monkeypatch):
    runtime = client("bedrock-runtime", endpoint.url)
    monkeypatch.setenv("BEDROCK_SIMULATOR_LIFECYCLE", "current")
    with pytest.raises(runtime.exceptions.ResourceNotFoundException, match="reached the end of its life"):
        runtime.invoke_model(modelId=CLAUDE_V2, body=json.dumps(CLAUDE_V2_BODY))
    monkeypatch.delenv("BEDROCK_SIMULATOR_LIFECYCLE")

    def throttle(call, proceed):
        raise BedrockError("ThrottlingException", "Too many requests, please wait before trying again.")

    with dispatch.hooked(throttle), pytest.raises(runtime.exceptions.ThrottlingException):
        runtime.invoke_model(modelId=TITAN, body=json.dumps({"inputText": "hi"}))


def test_unsigned_calls_are_refused_as_aws_refuses_them(endpoint, over_http):
    unsigned = client(
        "bedrock", endpoint.url, config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1})
    )
    with pytest.raises(ClientError) as exc:
        unsigned.list_foundation_models()
    err = exc.value.response
    assert (err["Error"]["Code"], err["Error"]["Message"]) == (
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403
    status, headers, body = raw(endpoint.url, "GET", "/foundation-models", headers={"Authorization": "Basic abc"})
    assert status == 400 and headers["x-amzn-errortype"] == "IncompleteSignatureException"
    assert json.loads(body)["message"].startswith("Authorization header requires 'Credential' parameter.")


def test_a_bedrock_api_key_is_accepted_as_a_bearer_token(endpoint):
    status, headers, body = raw(
        endpoint.url, "GET", "/foundation-models?byProvider=Meta", headers={"Authorization": "Bearer offline-key"}
    )
    assert status == 200 and headers["content-type"] == "application/json"
    assert {m["providerName"] for m in json.loads(body)["modelSummaries"]} == {"Meta"}


def test_unknown_paths_get_a_json_501(endpoint):
    status, headers, body = raw(endpoint.url, "GET", "/no/such/thing", headers=signed_headers())
    assert status == 501
    assert json.loads(body)["message"].startswith("No Bedrock operation is served at GET /no/such/thing")


def test_malformed_http_gets_a_clean_error_and_the_server_keeps_serving(endpoint):
    answer = raw_bytes(endpoint.url, b"GARBAGE\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") or answer.startswith(b"HTTP/1.0 400")
    assert b'{"message":' in answer
    answer = raw_bytes(endpoint.url, b"POST /model/x/invoke HTTP/1.1\r\nHost: a\r\nContent-Length: lots\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and b"is not a number" in answer
    chunked = b"POST /model/x/invoke HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
    assert raw_bytes(endpoint.url, chunked).startswith(b"HTTP/1.1 400")
    status, _, _ = raw(endpoint.url, "GET", "/foundation-models", headers=signed_headers())
    assert status == 200


def test_a_chunked_request_body_is_read(endpoint, over_http):
    body = json.dumps({"inputText": "hi"}).encode()
    request = (
        b"POST /model/amazon.titan-embed-text-v1/invoke HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in signed_headers().items()).encode()
        + b"Connection: close\r\n\r\n"
        + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    )
    answer = raw_bytes(endpoint.url, request)
    assert answer.startswith(b"HTTP/1.1 200") and b'"embedding":[' in answer


def test_oversized_bodies_are_refused_before_they_are_read(endpoint):
    headers = b"".join(f"{k}: {v}\r\n".encode() for k, v in signed_headers().items())
    head = b"POST /model/amazon.titan-embed-text-v1/invoke HTTP/1.1\r\nHost: a\r\n" + headers
    started = time.perf_counter()
    answer = raw_bytes(endpoint.url, head + b"Content-Length: %d\r\n\r\n" % (server.MAX_BODY + 1))
    assert time.perf_counter() - started < 5
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"25000000 bytes" in answer and b"Connection: close" in answer
    status, _, _ = raw(endpoint.url, "GET", "/foundation-models", headers=signed_headers())
    assert status == 200


def test_one_log_line_per_request_with_operation_model_status_and_time(over_http):
    log = io.StringIO()
    with server.running(log=log) as running:
        client("bedrock-runtime", running.url).invoke_model(modelId=TITAN, body=json.dumps({"inputText": "hi"}))
        raw(running.url, "GET", "/foundation-models")
    # Each request's thread writes its line once its answer is sent, so two lines may come in either order.
    lines = sorted(log.getvalue().splitlines(), key=lambda line: "GET" in line)
    assert len(lines) == 2
    assert re.search(rf"POST /model/{re.escape(TITAN)}/invoke InvokeModel {re.escape(TITAN)} 200 [\d.]+ ms$", lines[0])
    assert re.search(r"GET /foundation-models ListFoundationModels - 403 [\d.]+ ms$", lines[1])


def test_binding_beyond_loopback_needs_the_explicit_flag():
    with pytest.raises(ValueError, match="--allow-remote"):
        server.make_server("0.0.0.0", 0)


def _serve(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), BEDROCK_SIMULATOR_LATENCY_SCALE="0")
    return subprocess.Popen(
        [sys.executable, "-m", "helpers.simulator", "serve", *args],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_command_serves_until_ctrl_c_and_stops_cleanly():
    proc = _serve("--port", "0")
    try:
        first = proc.stderr.readline()
        url = re.search(r"on (http://127\.0\.0\.1:\d+)", first).group(1)
        status, _, body = raw(url, "GET", "/foundation-models", headers=signed_headers())
        assert status == 200 and json.loads(body)["modelSummaries"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        rest = proc.stderr.read()
        assert "stopping" in rest and "Traceback" not in rest
        assert "GET /foundation-models ListFoundationModels - 200" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_command_refuses_a_remote_bind_without_the_flag_and_warns_with_it():
    refused = _serve("--host", "0.0.0.0", "--port", "0")
    _, err = refused.communicate(timeout=20)
    assert refused.returncode == 2 and "--allow-remote" in err
    allowed = _serve("--host", "0.0.0.0", "--port", "0", "--allow-remote")
    try:
        assert allowed.stderr.readline().startswith("WARNING: listening on 0.0.0.0")
        allowed.send_signal(signal.SIGTERM)
        assert allowed.wait(timeout=10) == 0
    finally:
        if allowed.poll() is None:
            allowed.kill()
            allowed.wait()
