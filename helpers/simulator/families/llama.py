"""Meta Llama 3.x instruct models (`prompt`, `temperature`, `top_p`, `max_gen_len`, `images`).

Facts and where they come from:
- Request: AWS docs, model-parameters-meta (temperature 0-1 default 0.5, top_p 0-1 default 0.9,
  max_gen_len 1-2048 default 512; `images` only for the Llama 3.2 vision models); the same ranges
  in Portkey-AI/gateway `BedrockLLamaCompleteConfig`.
- A messages-style body: `Malformed input request: #: required key [prompt] not found#: extraneous
  key [messages] is not permitted` (shared/reference/bedrock-wire-format.md section 4).
- Response `{"generation", "prompt_token_count", "generation_token_count", "stop_reason"}` with
  `stop` / `length`; stream chunks of the same shape, `prompt_token_count` only on the first
  (Portkey-AI/gateway `BedrockLlamaStreamChunk`, section 2.4).
"""

from __future__ import annotations

import base64
import json
import re

from .. import schema
from ..catalog import Model
from ..generators import tokens
from . import Conversation, Media, Outcome, Prompt, TextFamily, ToolCall, ToolResult, ToolSpec, Turn, chunk_pieces
from ._chat import turn_text


@schema.per_model
def _schema(model: Model) -> dict:
    props = {
        "prompt": {"type": "string"},
        "temperature": {"type": "number", "minimum": 0, "maximum": 1},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "max_gen_len": {"type": "integer", "minimum": 1, "maximum": model.limits.get("maxOutputTokens", 2048)},
    }
    if "IMAGE" in model.input_modalities:
        props["images"] = {"type": "array", "items": {"type": "string"}}
    return {"type": "object", "required": ["prompt"], "additionalProperties": False, "properties": props}


_LLAMA3_USER = re.compile(r"<\|start_header_id\|>user<\|end_header_id\|>\s*(.*?)<\|eot_id\|>", re.S)
_LLAMA3_TURN = re.compile(r"<\|start_header_id\|>(\w+)<\|end_header_id\|>\s*(.*?)(?:<\|eot_id\|>|<\|eom_id\|>|$)", re.S)
_SPECIAL = re.compile(r"<\|[a-z_]+\|>")
_LLAMA2_INST = re.compile(r"\[INST\]\s*(.*?)\s*\[/INST\]", re.S)
# Llama 3.1's JSON tool calling: the functions are listed in the system header, a call is answered
# as `{"name": ..., "parameters": {...}}`, a result comes back in an `ipython` turn (Meta's Llama
# 3.1 model card, "JSON based tool calling", recalled; the exact template Bedrock's Converse
# builds is not published).
TOOLS_INTRO = (
    "Environment: ipython\n\nYou have access to the following functions. To call a function, respond with JSON "
    'of the form {"name": function name, "parameters": dictionary of argument name and its value}. '
    "Do not use variables."
)


def _question(prompt: str) -> str:
    """The last user turn of a Llama 3 or Llama 2 chat template, else the prompt itself."""
    for pattern in (_LLAMA3_USER, _LLAMA2_INST):
        found = pattern.findall(prompt)
        if found:
            return re.sub(r"<<SYS>>.*?<</SYS>>", "", found[-1], flags=re.S).strip()
    return prompt


def _tool_call(text: str) -> ToolCall | None:
    try:
        found = json.loads(text)
    except ValueError:
        return None
    if isinstance(found, dict) and isinstance(found.get("name"), str) and isinstance(found.get("parameters"), dict):
        return ToolCall("", found["name"], found["parameters"])
    return None


def _function(line: str) -> ToolSpec | None:
    """A tool from one line of the system header's function list, if the line is one."""
    if not line.startswith('{"type": "function"'):
        return None
    try:
        spec = json.loads(line).get("function", {})
    except (ValueError, AttributeError):
        return None
    return ToolSpec(spec.get("name", ""), spec.get("description", ""), spec.get("parameters", {}))


def _read_template(prompt: str, question: str) -> tuple[str, list[Turn], tuple[ToolSpec, ...]]:
    """System text, turns and offered tools of a Llama 3 chat template (else one user turn)."""
    found = _LLAMA3_TURN.findall(prompt)
    if not found:
        return "", [Turn("user", (question,))], ()
    system, turns, tools = "", [], []
    for role, said in found:
        said = said.strip()
        if role == "system":
            kept = []
            for line in said.splitlines():
                tool = _function(line.strip())
                if tool is not None:
                    tools.append(tool)
                elif line.strip() not in TOOLS_INTRO:
                    kept.append(line)
            system = "\n".join(kept).strip()
        elif role == "ipython":
            turns.append(Turn("user", (ToolResult("", said),)))
        elif role == "user":
            turns.append(Turn("user", (said,)))
        elif role == "assistant" and said:
            call = _tool_call(said)
            turns.append(Turn("assistant", (call,) if call else (said,)))
    return system, turns or [Turn("user", (question,))], tuple(tools)


class Llama(TextFamily):
    name = "llama"
    stop_reasons = {"end_turn": "stop", "stop_sequence": "stop", "tool_use": "stop", "max_tokens": "length"}

    def parse(self, model: Model, body: dict) -> Prompt:
        schema.check(_schema(model), body)
        prompt = body["prompt"]
        question = _question(prompt)
        system, turns, tools = _read_template(prompt, question)
        images = tuple(Media("image", "png", base64.b64decode(i, validate=False)) for i in body.get("images", []))
        if images:
            turns[-1] = Turn("user", (*turns[-1].blocks, *images))
        return Prompt(
            turns=turns,
            max_tokens=body.get("max_gen_len", 512),
            input_tokens=tokens.count(_SPECIAL.sub("\u00a7", prompt)),  # a special token is one token
            system=system,
            tools=tools,
            variation=f"{body.get('temperature', 0.5)}/{body.get('top_p', 0.9)}",
            body=body,
        )

    def _said(self, outcome: Outcome) -> tuple[str, list[str]]:
        """The generated text and its pieces: a tool call is answered as its JSON."""
        if outcome.tool_calls:
            call = outcome.tool_calls[0]
            said = json.dumps({"name": call.name, "parameters": call.input}, ensure_ascii=False)
            return said, tokens.pieces(said)
        return outcome.text, list(outcome.pieces)

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        return {
            "generation": self._said(outcome)[0],
            "prompt_token_count": outcome.input_tokens,
            "generation_token_count": outcome.output_tokens,
            "stop_reason": self.native_stop(outcome),
        }

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        chunks, done = [], 0
        for i, piece in enumerate(chunk_pieces(self._said(outcome)[1], size=1)):
            done += 1
            chunks.append(
                {
                    "generation": piece,
                    "prompt_token_count": outcome.input_tokens if i == 0 else None,
                    "generation_token_count": done,
                    "stop_reason": None,
                }
            )
        chunks.append(
            {
                "generation": "",
                "prompt_token_count": None,
                "generation_token_count": done,
                "stop_reason": self.native_stop(outcome),
            }
        )
        return chunks

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        """The Llama 3 chat template Meta documents, with 3.1's tool list in the system header."""
        system = conversation.system_text
        if conversation.tools:
            listed = [
                json.dumps(
                    {
                        "type": "function",
                        "function": {"name": t.name, "description": t.description, "parameters": t.schema},
                    },
                    ensure_ascii=False,
                )
                for t in conversation.tools
            ]
            system = "\n\n".join(p for p in (system, TOOLS_INTRO, "\n".join(listed)) if p)
        parts = ["<|begin_of_text|>"]
        if system:
            parts.append(f"<|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>")
        images = []
        for turn in conversation.turns:
            role = "ipython" if turn.of(ToolResult) and not turn.text else turn.role
            media = [m for m in turn.of(Media) if m.kind == "image"]
            images += [base64.b64encode(m.data).decode() for m in media]
            said = "<|image|>" * len(media) + turn_text(turn)
            parts.append(f"<|start_header_id|>{role}<|end_header_id|>\n\n{said}<|eot_id|>")
        parts.append("<|start_header_id|>assistant<|end_header_id|>\n\n")
        body: dict = {"prompt": "".join(parts)}
        if images:
            body["images"] = images
        names = {"max_tokens": "max_gen_len", "temperature": "temperature", "top_p": "top_p"}
        return body | conversation.sampling(names, model.limits.get("maxOutputTokens", 2048))


FAMILY = Llama()
