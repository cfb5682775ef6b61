"""Record against the local endpoint as if it were live, then replay with the endpoint gone."""

from __future__ import annotations

import json
import socket

import pytest

import helpers
from helpers import recordings
from helpers.simulator import server

from .endpoint_support import CLAUDE_V2, CLAUDE_V2_BODY, DUMMY_KEY, DUMMY_SECRET, GPT_OSS, TITAN, client

SECRET_BITS = (DUMMY_KEY, DUMMY_SECRET, "Signature=", "AWS4-HMAC-SHA256", "X-Amz-Date", "x-amz-date")


def _calls(url: str) -> dict:
    """The exchanges a lesson makes: text, embedding, a stream, the catalog, an error."""
    runtime, bedrock = client("bedrock-runtime", url), client("bedrock", url)
    out = {}
    answer = runtime.invoke_model(modelId=CLAUDE_V2, body=json.dumps(CLAUDE_V2_BODY))
    out["claude"] = answer["body"].read()
    out["claude_tokens"] = answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-bedrock-output-token-count"]
    out["titan"] = runtime.invoke_model(modelId=TITAN, body=json.dumps({"inputText": "对不起"}))["body"].read()
    stream = runtime.invoke_model_with_response_stream(modelId=GPT_OSS, body=json.dumps({
        "messages": [{"role": "user", "content": "Stream, please"}], "max_completion_tokens": 20}))  # fmt: skip
    out["stream"] = [json.loads(e["chunk"]["bytes"]) for e in stream["body"]]
    listing = bedrock.list_foundation_models(byProvider="Anthropic")["modelSummaries"]
    out["listing"] = [(m["modelId"], m["modelArn"], m["modelLifecycle"]["status"]) for m in listing]
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model(modelId="anthropic.claude-v9", body="{}")
    out["error"] = exc.value.response["Error"]
    return out


def _free_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_record_against_the_endpoint_then_replay_without_it(tmp_path, monkeypatch):
    monkeypatch.setenv(recordings.ENV_DIR, str(tmp_path))
    with server.running(log=False) as endpoint:
        helpers.setup("record", quiet=True)
        try:
            recorded = _calls(endpoint.url)
        finally:
            helpers.setup("offline", quiet=True)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    assert len(files) == 5
    assert any(f.startswith(f"bedrock-runtime/InvokeModel/{CLAUDE_V2}/") for f in files)
    assert any(f.startswith("bedrock-runtime/InvokeModelWithResponseStream/openai.gpt-oss-20b-1_0/") for f in files)
    assert any(f.startswith("bedrock/ListFoundationModels/") for f in files)
    for path in tmp_path.rglob("*.json"):
        text = path.read_text()
        assert not any(bit in text for bit in SECRET_BITS), f"{path.name} holds a credential or signature"
        json.loads(text)  # readable JSON
    stream_file = next(tmp_path.rglob("InvokeModelWithResponseStream/*/*.json"))
    events = json.loads(stream_file.read_text())["response"]["events"]
    assert events[0]["headers"][":event-type"] == "chunk" and events[0]["chunk"]["object"] == "chat.completion.chunk"

    # Prove replay reads the files (the simulator would give the same answers): edit one.
    claude_file = next(tmp_path.rglob(f"InvokeModel/{CLAUDE_V2}/*.json"))
    saved = json.loads(claude_file.read_text())
    saved["response"]["body"]["json"]["completion"] = " Edited in the recording."
    claude_file.write_text(json.dumps(saved, ensure_ascii=False, indent=1))
    recorded["claude"] = json.dumps(saved["response"]["body"]["json"], separators=(",", ":")).encode()

    # The endpoint is gone: nothing listens at this URL. Replay answers from the files alone.
    gone = _free_port_url()
    helpers.setup("replay", quiet=True)
    try:
        replayed = _calls(gone)
        with pytest.raises(recordings.RecordingNotFound) as missing:
            client("bedrock-runtime", gone).invoke_model(
                modelId=TITAN, body=json.dumps({"inputText": "never recorded"})
            )
    finally:
        helpers.setup("offline", quiet=True)
    assert replayed == recorded  # identical bodies and headers we read; the same stream events in order
    message = str(missing.value)
    assert f"bedrock-runtime InvokeModel of {TITAN}" in message and '"inputText": "never recorded"' in message
    assert "BEDROCK_WORKSHOP_MODE=record" in message and str(tmp_path) in message


def test_recordings_hold_no_account_ids():
    text = recordings.scrub("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x and 123456789012")
    assert text == "arn:aws:bedrock:us-east-1:000000000000:inference-profile/us.x and 123456789012"
    assert recordings.load_body(recordings.store_body(b'{"a": 1}')) == b'{"a": 1}'  # exact, kept as text
    assert recordings.store_body(b'{"a":1}') == {"json": {"a": 1}}


def test_replay_and_record_need_a_directory(monkeypatch, tmp_path):
    monkeypatch.delenv(recordings.ENV_DIR, raising=False)
    with pytest.raises(ValueError, match="BEDROCK_WORKSHOP_RECORDINGS is not set"):
        helpers.setup("replay", quiet=True)
    monkeypatch.setenv(recordings.ENV_DIR, str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="record first"):
        helpers.setup("replay", quiet=True)
    chosen = helpers.setup("record", quiet=True)
    assert (tmp_path / "missing").is_dir() and chosen.answered_by == "aws" and chosen.mode == "record"
    assert "RECORD" in chosen.describe()
