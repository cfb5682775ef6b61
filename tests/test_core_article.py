"""The article's first two code blocks, as printed, after `import helpers; helpers.setup()`.

The code inside each test is copied from the article (seed post, 2023-10-31) without edits,
apart from indentation; only the assertions around it are ours.
"""

from __future__ import annotations

import json as jsonlib

import pytest
from botocore.exceptions import ClientError


def test_titan_embedding_block_as_printed(capsys):
    import helpers

    helpers.setup()
    capsys.readouterr()

    # --- the article's code
    import boto3  # noqa: I001  (the article's order)
    import json

    # 声明客户端
    bedrock = boto3.client(service_name="bedrock-runtime")

    # 此处使用的是 Amazon 的 titan-embedding 模型
    modelId = "amazon.titan-embed-text-v1"
    # 使用 json 作为输入和输出的文本格式
    contentType = "application/json"
    accept = "application/json"

    # 输入参数（不同的模型要求不一样）
    body = json.dumps({"inputText": "Hello world!"})

    # 发起调用
    response = bedrock.invoke_model(
        body=body,
        modelId=modelId,
        accept=accept,
        contentType=contentType,
    )

    # 把结果弄出来
    response_body = json.loads(response.get("body").read())
    embedding = response_body.get("embedding")

    # 搞定
    print(embedding)
    # --- end of the article's code

    printed = capsys.readouterr().out
    values = jsonlib.loads(printed)
    assert len(values) == 1536 and all(isinstance(v, float) for v in values)
    assert values == embedding


def _claude_stream_block(prompt: str):
    """The article's second block; only the prompt string is a parameter."""
    import boto3  # noqa: I001  (the article's order)
    import json

    # 声明客户端
    bedrock = boto3.client(service_name="bedrock-runtime")

    # 使用的是 Claude v2 模型
    modelId = "anthropic.claude-v2"
    # 使用 json 作为输入的文本格式
    contentType = "application/json"
    # stream 输出，有可能一次输出的 json 字符串会被截断
    accept = "*/*"

    # 输入参数（不同的模型要求不一样）
    body = json.dumps(
        {
            "prompt": prompt,
            "max_tokens_to_sample": 2048,
            "temperature": 0.5,
            "top_p": 0.9,
        }
    )

    # 发起调用
    response = bedrock.invoke_model_with_response_stream(
        body=body,
        modelId=modelId,
        accept=accept,
        contentType=contentType,
    )
    stream = response.get("body")

    # 输出 stream
    if stream:
        for event in stream:
            chunk = event.get("chunk")
            if chunk:
                chunk_obj = json.loads(chunk.get("bytes").decode())
                text = chunk_obj["completion"]
                print(text)


ARTICLE_PROMPT = "Human:你是谁?请介绍自己，不少于100字\n\nAssistant:"


def test_claude_stream_block_as_printed_fails_as_bedrock_does(capsys):
    import helpers

    helpers.setup()
    capsys.readouterr()
    with pytest.raises(ClientError) as exc:
        _claude_stream_block(ARTICLE_PROMPT)
    assert type(exc.value).__name__ == "ValidationException"
    assert str(exc.value) == (
        "An error occurred (ValidationException) when calling the InvokeModelWithResponseStream operation: "
        'prompt must start with "\n\nHuman:" turn after an optional system prompt'
    )
    assert capsys.readouterr().out == ""


def test_claude_stream_block_with_the_prompt_fixed_streams_chinese(capsys):
    import helpers

    helpers.setup()
    capsys.readouterr()
    _claude_stream_block("\n\n" + ARTICLE_PROMPT)
    lines = capsys.readouterr().out.split("\n")
    assert len(lines) > 10  # one print per chunk
    text = "".join(lines)
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert han >= 100  # "不少于100字": at least 100 characters, in Chinese
    assert "模拟" in text  # and it says it is simulated
    assert "Claude" in text


def test_setup_prints_its_line_before_the_blocks(capsys):
    import helpers

    choice = helpers.setup()
    assert choice.offline and "OFFLINE" in capsys.readouterr().out
