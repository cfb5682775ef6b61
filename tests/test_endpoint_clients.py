"""Clients that send HTTP themselves, pointed at the local endpoint: the AWS CLI, Anthropic's and OpenAI's SDKs."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from .endpoint_support import (
    DUMMY_KEY,
    DUMMY_SECRET,
    GPT_OSS,
    TITAN,
    aws_cli,
    claude_messages_model,
    cli_env,
    client,
    endpoint_fixture,
    in_process,
    over_http_fixture,
)

endpoint = endpoint_fixture
over_http = over_http_fixture

QUERY = "modelSummaries[?providerName=='Anthropic'].modelId"


def _aws(*args: str, **env: str) -> str:
    done = subprocess.run(
        [*aws_cli(), *args], env=cli_env(os.environ, **env), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_articles_cli_command_lists_the_catalog(endpoint):
    """`aws bedrock list-foundation-models --region=<region>`, the article's command, via AWS_ENDPOINT_URL_BEDROCK."""
    listed = json.loads(
        _aws("bedrock", "list-foundation-models", "--region=us-east-1", AWS_ENDPOINT_URL_BEDROCK=endpoint.url)
    )
    expected = in_process("bedrock").list_foundation_models()["modelSummaries"]
    assert [m["modelId"] for m in listed["modelSummaries"]] == [m["modelId"] for m in expected]
    assert [m["modelLifecycle"]["status"] for m in listed["modelSummaries"]] == [
        m["modelLifecycle"]["status"] for m in expected
    ]


def test_the_cli_with_a_query_filter_and_endpoint_url(endpoint):
    out = _aws(
        "bedrock", "list-foundation-models", "--endpoint-url", endpoint.url, "--by-output-modality", "TEXT",
        "--query", QUERY, "--output", "text",
    )  # fmt: skip
    expected = [
        m["modelId"]
        for m in in_process("bedrock").list_foundation_models(byOutputModality="TEXT")["modelSummaries"]
        if m["providerName"] == "Anthropic"
    ]
    assert out.split() == expected and expected


def test_the_cli_invokes_a_model_through_aws_endpoint_url_bedrock_runtime(endpoint, tmp_path):
    out = tmp_path / "answer.json"
    meta = json.loads(
        _aws(
            "bedrock-runtime",
            "invoke-model",
            "--model-id",
            TITAN,
            "--body",
            '{"inputText": "对不起"}',
            str(out),
            AWS_ENDPOINT_URL_BEDROCK_RUNTIME=endpoint.url,
        )  # fmt: skip
    )
    assert meta["contentType"] == "application/json"
    local = in_process("bedrock-runtime").invoke_model(modelId=TITAN, body=json.dumps({"inputText": "对不起"}))
    assert json.loads(out.read_text()) == json.loads(local["body"].read())


def test_anthropic_bedrock_create_and_stream(endpoint, over_http):
    from anthropic import AnthropicBedrock

    model = claude_messages_model()
    sdk = AnthropicBedrock(
        aws_access_key=DUMMY_KEY,
        aws_secret_key=DUMMY_SECRET,
        aws_region="us-east-1",
        base_url=endpoint.url,
        max_retries=0,
    )
    ask = {"model": model, "max_tokens": 80, "messages": [{"role": "user", "content": "What is Amazon Bedrock?"}]}
    # anthropic 2.x fills in anthropic_version with its own API date (2026-10-21); the simulator's
    # Claude family accepts only AWS's documented bedrock-2023-05-31, which a body may set itself.
    ask["extra_body"] = {"anthropic_version": "bedrock-2023-05-31"}
    message = sdk.messages.create(**ask)
    assert message.role == "assistant" and message.content[0].type == "text"
    assert message.usage.output_tokens > 0 and message.stop_reason in ("end_turn", "max_tokens")
    with sdk.messages.stream(**ask) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert streamed == message.content[0].text
    assert final.usage.output_tokens == message.usage.output_tokens
    native_body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 80, "messages": ask["messages"]}
    native = client("bedrock-runtime", endpoint.url).invoke_model(modelId=model, body=json.dumps(native_body))
    assert json.loads(native["body"].read())["content"][0]["text"] == streamed


def test_anthropic_bedrock_sees_bedrocks_errors(endpoint, over_http):
    import anthropic

    sdk = anthropic.AnthropicBedrock(
        aws_access_key=DUMMY_KEY, aws_secret_key=DUMMY_SECRET, aws_region="us-east-1", base_url=endpoint.url,
        max_retries=0,
    )  # fmt: skip
    with pytest.raises(anthropic.BadRequestError, match="The provided model identifier is invalid"):
        sdk.messages.create(model="anthropic.claude-9", max_tokens=5, messages=[{"role": "user", "content": "hi"}])


@pytest.mark.parametrize("prefix", ["/openai/v1", "/v1"])
def test_openai_chat_completions_create_and_stream(endpoint, prefix):
    from openai import OpenAI

    sdk = OpenAI(base_url=endpoint.url + prefix, api_key="offline-bedrock-api-key", max_retries=0)
    ask = {"model": GPT_OSS, "messages": [{"role": "user", "content": "What is Amazon Bedrock?"}]}
    completion = sdk.chat.completions.create(**ask, max_completion_tokens=50)
    assert completion.object == "chat.completion" and completion.model == GPT_OSS
    choice = completion.choices[0]
    assert choice.message.role == "assistant" and choice.finish_reason == "length"
    assert completion.usage.completion_tokens == 50
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + 50
    pieces, usage, ids = [], None, set()
    stream = sdk.chat.completions.create(
        **ask, max_completion_tokens=50, stream=True, stream_options={"include_usage": True}
    )
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk"
        ids.add(chunk.id)
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        usage = chunk.usage or usage
    assert "".join(pieces) == choice.message.content
    assert usage.completion_tokens == 50
    assert len(ids) == 1 and ids.pop().startswith("chatcmpl-")


def test_openai_chat_completions_with_sigv4_and_bedrocks_errors(endpoint, over_http):
    import openai

    sdk = openai.BedrockOpenAI(
        base_url=endpoint.url + "/openai/v1",
        aws_region="us-west-2",
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_SECRET,
        max_retries=0,
    )
    answer = sdk.chat.completions.create(model=GPT_OSS, messages=[{"role": "user", "content": "hi"}], max_tokens=8)
    assert answer.usage.completion_tokens == 8
    with pytest.raises(openai.BadRequestError, match="doesn't support the model that you provided"):
        sdk.chat.completions.create(model="anthropic.claude-v2", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.BadRequestError, match="unknown field thinking, expected one of messages, model"):
        sdk.chat.completions.create(
            model=GPT_OSS, messages=[{"role": "user", "content": "hi"}], extra_body={"thinking": {}}
        )


def test_gpt_oss_native_invoke_puts_reasoning_first(endpoint, over_http):
    runtime = client("bedrock-runtime", endpoint.url)
    body = {"messages": [{"role": "user", "content": "What is Amazon Bedrock?"}], "max_completion_tokens": 30}
    answer = json.loads(runtime.invoke_model(modelId=GPT_OSS, body=json.dumps(body))["body"].read())
    content = answer["choices"][0]["message"]["content"]
    assert content.startswith("<reasoning>") and "</reasoning>" in content
    stream = runtime.invoke_model_with_response_stream(modelId=GPT_OSS, body=json.dumps(body))
    chunks = [json.loads(e["chunk"]["bytes"]) for e in stream["body"]]
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] == 30
