"""Amazon Nova Micro / Lite / Pro native bodies (`schemaVersion: messages-v1`).

Facts and where they come from:
- Request `{"schemaVersion", "system": [{"text"}], "messages": [{"role", "content": [{"text"}]}],
  "inferenceConfig": {"maxTokens" | "max_new_tokens", "temperature", "topP" | "top_p",
  "topK" | "top_k", "stopSequences"}}`: Amazon Nova user guide, complete-request-schema (content
  is always a list of blocks; images only for Lite and Pro), and a recorded Nova Lite request
  (Arize-ai/openinference `TestNovaInvokeModel.test_nova_lite_with_system.yaml`).
- Tools: `toolConfig` as in Converse (`tools[].toolSpec{name, description, inputSchema.json}`,
  `toolChoice`), `toolUse` / `toolResult` content blocks; a tool call streams as `contentBlockStart`
  then one `toolUse.input` delta (Amazon Nova user guide, tool-use pages; the single delta is a guess).
- Response `{"output": {"message": {"content": [{"text"}], "role"}}, "stopReason", "usage":
  {"inputTokens", "outputTokens", "totalTokens", "cacheReadInputTokenCount",
  "cacheWriteInputTokenCount"}}` and the stream `messageStart`, `contentBlockDelta` /
  `contentBlockStop` per piece, `messageStop`, `metadata` with cache counts in the invocation
  metrics (recorded Nova Micro stream; shared/reference/bedrock-wire-format.md 2.4, 4.10).
"""

from __future__ import annotations

import base64
import json

from .. import schema
from ..catalog import Model
from . import (
    Conversation,
    Media,
    Outcome,
    Prompt,
    TextFamily,
    ToolCall,
    ToolChoice,
    ToolResult,
    ToolSpec,
    Turn,
    chunk_pieces,
)
from ._chat import block_text, count, grounding_context, image_tokens

_CACHE = {"cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": 0}


@schema.per_model
def _schema(model: Model) -> dict:
    limit = model.limits.get("maxOutputTokens", 10000)
    block = {"type": "object", "properties": {"text": {"type": "string"}}}
    if "IMAGE" not in model.input_modalities:
        block["not"] = {"anyOf": [{"required": ["image"]}, {"required": ["video"]}]}
    return {
        "type": "object",
        "required": ["messages"],
        "additionalProperties": False,
        "properties": {
            "schemaVersion": {"type": "string", "enum": ["messages-v1"]},
            "system": {
                "type": "array",
                "items": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
            },
            "messages": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["role", "content"],
                    "additionalProperties": False,
                    "properties": {
                        "role": {"type": "string", "enum": ["user", "assistant"]},
                        "content": {"type": "array", "minItems": 1, "items": block},
                    },
                },
            },
            "inferenceConfig": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "maxTokens": {"type": "integer", "minimum": 1, "maximum": limit},
                    "max_new_tokens": {"type": "integer", "minimum": 1, "maximum": limit},
                    "temperature": {"type": "number", "minimum": 0, "maximum": 1},
                    "topP": {"type": "number", "minimum": 0, "maximum": 1},
                    "top_p": {"type": "number", "minimum": 0, "maximum": 1},
                    "topK": {"type": "integer", "minimum": 0, "maximum": 128},
                    "top_k": {"type": "integer", "minimum": 0, "maximum": 128},
                    "stopSequences": {"type": "array", "items": {"type": "string"}},
                },
            },
            "toolConfig": {"type": "object"},
        },
    }


def _blocks(content: list[dict]) -> tuple:
    blocks = []
    for block in content:
        if "text" in block:
            blocks.append(block["text"])
        elif "toolUse" in block:
            use = block["toolUse"]
            blocks.append(ToolCall(use.get("toolUseId", ""), use.get("name", ""), use.get("input", {})))
        elif "toolResult" in block:
            result = block["toolResult"]
            said = "\n".join(
                c["text"] if "text" in c else json.dumps(c.get("json"), ensure_ascii=False)
                for c in result.get("content", [])
            )
            blocks.append(ToolResult(result.get("toolUseId", ""), said, result.get("status", "success")))
        elif "image" in block or "document" in block:
            kind = "image" if "image" in block else "document"
            media = block[kind]
            raw = media.get("source", {}).get("bytes", "")
            blocks.append(
                Media(kind, media.get("format", ""), base64.b64decode(raw) if raw else b"", media.get("name", ""))
            )
    return tuple(blocks)


def _tools(body: dict) -> tuple[tuple[ToolSpec, ...], ToolChoice | None]:
    config = body.get("toolConfig") or {}
    tools = tuple(
        ToolSpec(
            t["toolSpec"].get("name", ""),
            t["toolSpec"].get("description", ""),
            t["toolSpec"].get("inputSchema", {}).get("json", {}),
        )
        for t in config.get("tools", [])
        if isinstance(t, dict) and "toolSpec" in t
    )
    choice = config.get("toolChoice") or {}
    mode = next(iter(choice), None)
    return tools, (ToolChoice(mode, choice[mode].get("name")) if mode else None)


class Nova(TextFamily):
    name = "nova"
    stop_reasons = {
        "end_turn": "end_turn",
        "max_tokens": "max_tokens",
        "stop_sequence": "stop_sequence",
        "tool_use": "tool_use",
    }

    def parse(self, model: Model, body: dict) -> Prompt:
        schema.check(_schema(model), body)
        config = body.get("inferenceConfig", {})
        messages = body["messages"]
        system = " ".join(block_text(body.get("system", [])).split("\n"))
        input_tokens = count(system, *(block_text(m["content"]) for m in messages)) + 3 * len(messages)
        turns = [Turn(m["role"], _blocks(m["content"])) for m in messages]
        tools, choice = _tools(body)
        if tools:
            input_tokens += count(json.dumps(body["toolConfig"]["tools"], ensure_ascii=False))
        for turn in turns:
            for block in turn.blocks:
                if isinstance(block, ToolCall):
                    input_tokens += count(block.name, json.dumps(block.input, ensure_ascii=False))
                elif isinstance(block, ToolResult):
                    input_tokens += count(block.text)
                elif isinstance(block, Media):
                    input_tokens += image_tokens(block.data) if block.kind == "image" else len(block.data) // 4
        temperature = config.get("temperature", 0.7)
        top_p = config.get("topP", config.get("top_p", 0.9))
        # Passages in the system prompt, the last user turn's text or its text documents ground the
        # answer (rule: generators/grounding.py), as for Claude; the question is what is left.
        context, asked = grounding_context(block_text(body.get("system", [])), turns[-1])
        return Prompt(
            turns=turns,
            max_tokens=config.get(
                "maxTokens", config.get("max_new_tokens", model.limits.get("maxOutputTokens", 10000))
            ),
            input_tokens=input_tokens,
            system=system,
            tools=tools,
            tool_choice=choice,
            stop_sequences=tuple(config.get("stopSequences", [])),
            variation=f"{temperature}/{top_p}/{system}/{len(messages)}",
            body=body,
            context=context,
            asked=asked,
        )

    def _usage(self, outcome: Outcome) -> dict:
        return {
            "inputTokens": outcome.input_tokens,
            "outputTokens": outcome.output_tokens,
            "totalTokens": outcome.input_tokens + outcome.output_tokens,
        } | _CACHE

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        content = [{"text": outcome.text}] if outcome.text or not outcome.tool_calls else []
        content += [{"toolUse": {"toolUseId": c.id, "name": c.name, "input": c.input}} for c in outcome.tool_calls]
        return {
            "output": {"message": {"content": content, "role": "assistant"}},
            "stopReason": self.native_stop(outcome),
            "usage": self._usage(outcome),
        }

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        chunks: list[dict] = [{"messageStart": {"role": "assistant"}}]
        index = 0
        for piece in chunk_pieces(outcome.pieces):
            chunks.append({"contentBlockDelta": {"delta": {"text": piece}, "contentBlockIndex": index}})
            chunks.append({"contentBlockStop": {"contentBlockIndex": index}})
            index += 1
        for call in outcome.tool_calls:
            start = {"toolUse": {"toolUseId": call.id, "name": call.name}}
            chunks.append({"contentBlockStart": {"start": start, "contentBlockIndex": index}})
            delta = {"toolUse": {"input": json.dumps(call.input, ensure_ascii=False)}}
            chunks.append({"contentBlockDelta": {"delta": delta, "contentBlockIndex": index}})
            chunks.append({"contentBlockStop": {"contentBlockIndex": index}})
            index += 1
        usage = {k: v for k, v in self._usage(outcome).items() if k != "totalTokens"}
        chunks += [
            {"messageStop": {"stopReason": self.native_stop(outcome)}},
            {"metadata": {"usage": usage, "metrics": {}, "trace": {}}},
        ]
        return chunks

    def extra_metrics(self, outcome: Outcome) -> dict:
        return dict(_CACHE)

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        body: dict = {
            "schemaVersion": "messages-v1",
            "messages": [{"role": t.role, "content": [_native_block(b) for b in t.blocks]} for t in conversation.turns],
        }
        if conversation.system:
            body["system"] = [{"text": text} for text in conversation.system]
        names = {
            "max_tokens": "maxTokens",
            "temperature": "temperature",
            "top_p": "topP",
            "stop_sequences": "stopSequences",
        }
        body["inferenceConfig"] = conversation.sampling(names, model.limits.get("maxOutputTokens", 10000))
        if conversation.tools:
            tools = [
                {"toolSpec": {"name": t.name, "description": t.description, "inputSchema": {"json": t.schema}}}
                for t in conversation.tools
            ]
            body["toolConfig"] = {"tools": tools}
            choice = conversation.tool_choice
            if choice is not None:
                body["toolConfig"]["toolChoice"] = {choice.mode: {"name": choice.name} if choice.name else {}}
        return body


def _native_block(block) -> dict:
    if isinstance(block, str):
        return {"text": block}
    if isinstance(block, ToolCall):
        return {"toolUse": {"toolUseId": block.id, "name": block.name, "input": block.input}}
    if isinstance(block, ToolResult):
        return {"toolResult": {"toolUseId": block.id, "content": [{"text": block.text}], "status": block.status}}
    source = {"bytes": base64.b64encode(block.data).decode()}
    if block.kind == "image":
        return {"image": {"format": block.format, "source": source}}
    return {"document": {"format": block.format, "name": block.name, "source": source}}


FAMILY = Nova()
