"""LangChain's Bedrock clients work unchanged offline: they build their own boto3 clients, the simulator answers.

ChatBedrockConverse speaks Converse / ConverseStream; ChatBedrock speaks Claude's native Messages
body through InvokeModel; BedrockEmbeddings speaks Titan's embedding body. Nothing here is
patched for LangChain: `helpers.setup("offline")` (conftest) is all it takes.
"""

from __future__ import annotations

import warnings

import pytest
from langchain_aws import BedrockEmbeddings, ChatBedrock, ChatBedrockConverse
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"18 degrees and sunny in {city}"


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def converse_model(**kwargs) -> ChatBedrockConverse:
    return ChatBedrockConverse(model=HAIKU, region_name="us-east-1", max_tokens=200, **kwargs)


def test_chat_bedrock_converse_invokes_and_reports_usage():
    reply = converse_model().invoke("What is Amazon Bedrock?")
    assert isinstance(reply, AIMessage) and "simulated answer from Claude 3 Haiku" in reply.text
    usage = reply.usage_metadata
    assert usage["input_tokens"] > 0 and usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert reply.response_metadata["stopReason"] == "end_turn"


def test_chat_bedrock_converse_streams_the_same_text():
    model = converse_model()
    whole = model.invoke("What is Amazon Bedrock?").text
    chunks = list(model.stream("What is Amazon Bedrock?"))
    assert len(chunks) > 3 and "".join(c.text for c in chunks) == whole


def test_chat_bedrock_converse_tool_round_trip():
    model = converse_model().bind_tools([get_weather])
    messages = [HumanMessage("What's the weather in Paris?")]
    asked = model.invoke(messages)
    (call,) = asked.tool_calls
    assert call["name"] == "get_weather" and call["args"] == {"city": "Paris"} and call["id"].startswith("tooluse_")
    messages += [asked, ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])]
    answer = model.invoke(messages)
    assert answer.tool_calls == [] and "18 degrees and sunny in Paris" in answer.text


def test_chat_bedrock_on_claudes_native_body_with_tools():
    model = ChatBedrock(model_id=HAIKU, region_name="us-east-1", model_kwargs={"max_tokens": 200})
    assert model.invoke("What is Amazon Bedrock?").content.startswith("Here is a simulated answer")
    asked = model.bind_tools([get_weather]).invoke([HumanMessage("What's the weather in Paris?")])
    (call,) = asked.tool_calls
    assert call["name"] == "get_weather" and call["args"] == {"city": "Paris"} and call["id"].startswith("toolu_bdrk_")
    assert asked.response_metadata["stop_reason"] == "tool_use"


def test_bedrock_embeddings():
    embeddings = BedrockEmbeddings(model_id="amazon.titan-embed-text-v2:0", region_name="us-east-1")
    query = embeddings.embed_query("How do I call Bedrock?")
    documents = embeddings.embed_documents(["Bedrock runs models.", "Bananas are yellow."])
    assert len(query) == 1024 and [len(d) for d in documents] == [1024, 1024]
