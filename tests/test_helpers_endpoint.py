"""helpers.endpoint: a local simulator endpoint for code in the kernel that sends HTTP itself."""

from __future__ import annotations

import json
import os
import urllib.request

import helpers


def test_a_quiet_endpoint_prints_nothing_answers_http_and_restores_the_environment(capsys, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", raising=False)
    with helpers.endpoint.start(quiet=True) as endpoint:
        assert os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] == endpoint.url
        body = json.dumps({"model": "openai.gpt-oss-20b-1:0", "messages": [{"role": "user", "content": "Hi"}]})
        request = urllib.request.Request(
            f"{endpoint.url}/openai/v1/chat/completions",
            body.encode(),
            {"Content-Type": "application/json", "Authorization": "Bearer not-a-real-key"},
        )
        with urllib.request.urlopen(request) as answer:
            assert json.loads(answer.read())["object"] == "chat.completion"
    assert "AWS_ENDPOINT_URL_BEDROCK_RUNTIME" not in os.environ
    assert capsys.readouterr().out == ""


def test_the_default_endpoint_says_when_it_starts_and_stops(capsys):
    helpers.endpoint.start().stop()
    said = capsys.readouterr().out
    assert "now answers" in said and "Local endpoint stopped" in said
