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

import re

from .. import schema
from ..catalog import Model
from ..generators import text, tokens
from . import Reply, StreamReply, chunk_pieces


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
_SPECIAL = re.compile(r"<\|[a-z_]+\|>")
_LLAMA2_INST = re.compile(r"\[INST\]\s*(.*?)\s*\[/INST\]", re.S)


def _question(prompt: str) -> str:
    """The last user turn of a Llama 3 or Llama 2 chat template, else the prompt itself."""
    for pattern in (_LLAMA3_USER, _LLAMA2_INST):
        found = pattern.findall(prompt)
        if found:
            return re.sub(r"<<SYS>>.*?<</SYS>>", "", found[-1], flags=re.S).strip()
    return prompt


def _generate(model: Model, body: dict) -> text.Generation:
    schema.check(_schema(model), body)
    return text.generate(
        _question(body["prompt"]),
        model.display_name,
        max_tokens=body.get("max_gen_len", 512),
        input_tokens=tokens.count(_SPECIAL.sub("\u00a7", body["prompt"])),  # a special token is one token
        variation=f"{body.get('temperature', 0.5)}/{body.get('top_p', 0.9)}",
    )


def _stop(gen: text.Generation) -> str:
    return "length" if gen.stop_reason == "max_tokens" else "stop"


def invoke(model: Model, body: dict) -> Reply:
    gen = _generate(model, body)
    reply = {
        "generation": gen.text,
        "prompt_token_count": gen.input_tokens,
        "generation_token_count": gen.output_tokens,
        "stop_reason": _stop(gen),
    }
    return Reply(reply, gen.input_tokens, gen.output_tokens)


def stream(model: Model, body: dict) -> StreamReply:
    gen = _generate(model, body)
    chunks, done = [], 0
    for i, piece in enumerate(chunk_pieces(gen.pieces, size=1)):
        done += 1
        chunks.append(
            {
                "generation": piece,
                "prompt_token_count": gen.input_tokens if i == 0 else None,
                "generation_token_count": done,
                "stop_reason": None,
            }
        )
    chunks.append(
        {"generation": "", "prompt_token_count": None, "generation_token_count": done, "stop_reason": _stop(gen)}
    )
    return StreamReply(chunks, gen.input_tokens, gen.output_tokens)
