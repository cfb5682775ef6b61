"""Small pieces the chat-style text families share: stable ids, message text, token pieces.

Ids are derived from the request, not from randomness, so the same request always gets the
same answer and committed notebook outputs stay reproducible.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from ..generators import tokens


def digest(*parts: object) -> bytes:
    """16 stable bytes for a request."""
    raw = "\x1f".join(p if isinstance(p, str) else json.dumps(p, sort_keys=True, ensure_ascii=False) for p in parts)
    return hashlib.blake2b(raw.encode(), digest_size=16).digest()


def stable_uuid(*parts: object) -> str:
    """A UUID4-shaped id derived from the request (Cohere, Jamba ids look like this)."""
    return str(uuid.UUID(bytes=digest(*parts), version=4))


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(*parts: object, length: int = 24) -> str:
    """Anthropic-style id characters, e.g. the tail of `msg_bdrk_01XwpES7uwPrhtHvHZsW2zCr`."""
    n = int.from_bytes(digest(*parts), "big")
    out = []
    while len(out) < length:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    return "".join(out)


def block_text(content: object) -> str:
    """The text of a message's content: a string, or the `text` of its text blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b["text"] for b in content if isinstance(b, dict) and isinstance(b.get("text"), str))
    return ""


def count(*texts: str) -> int:
    return sum(tokens.count(t) for t in texts if t)


def likelihood(piece: str, *parts: object) -> float:
    """A deterministic log-likelihood for one token, between about -4 and 0."""
    n = int.from_bytes(digest(piece, *parts)[:4], "big")
    return -round((n % 40000) / 10000, 4)


def json_fragments(obj: object, size: int = 3) -> list[str]:
    """A tool input's JSON cut into the small fragments streams send (`input_json_delta`,
    Converse's `toolUse.input` deltas); joined, they parse back to `obj`."""
    raw = json.dumps(obj, ensure_ascii=False)
    parts = tokens.pieces(raw)
    return ["".join(parts[i : i + size]) for i in range(0, len(parts), size)] or [raw]


def image_tokens(data: bytes) -> int:
    """Input tokens an image costs: width x height / 750, at most about 1,600 (Anthropic's
    published rule of thumb for Claude vision, recalled); 85 when the size cannot be read."""
    try:
        import io

        from PIL import Image

        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
    except Exception:  # not an image Pillow reads: count a small fixed amount
        return 85
    return max(1, min(1600, width * height // 750))


def document_text(name: str, fmt: str, data: bytes) -> str:
    """A document block as the text a prompt-format model receives: the text itself for text
    formats, else a line naming it (the simulator does not parse PDFs or office files)."""
    if fmt in ("txt", "md", "csv", "html"):
        body = data.decode("utf-8", errors="replace")
    else:
        body = f"[{fmt} document, {len(data)} bytes]"
    return f'<document name="{name}">\n{body}\n</document>'


def turn_text(turn) -> str:
    """A neutral turn as plain text, for prompt-format bodies: documents inlined, images left out."""
    from . import Media, ToolCall, ToolResult

    parts = []
    for block in turn.blocks:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, Media) and block.kind == "document":
            parts.append(document_text(block.name, block.format, block.data))
        elif isinstance(block, ToolResult):
            parts.append(block.text)
        elif isinstance(block, ToolCall):
            parts.append(json.dumps({"name": block.name, "parameters": block.input}, ensure_ascii=False))
    return "\n".join(parts)


TEXT_DOCUMENTS = ("txt", "plain", "md", "markdown", "csv", "html")


def document_passages(turn) -> list[str]:
    """The text of a turn's text-format document blocks, as passages to ground an answer in."""
    from . import Media

    return [
        b.data.decode("utf-8", errors="replace")
        for b in turn.blocks
        if isinstance(b, Media) and b.kind == "document" and b.format in TEXT_DOCUMENTS and b.data
    ]


def grounding_context(system: str, turn) -> tuple[tuple[str, ...], str | None]:
    """(passages, the question without them) of a chat request whose last user turn is `turn`.

    Passages come from the system prompt, the turn's text and its text-format document blocks, by
    the rule of `generators.grounding`; the question is None when there are none (answer as usual).
    """
    from ..generators import grounding

    question = turn.text
    system_passages, _ = grounding.split_context(system)
    user_passages, rest = grounding.split_context(question)
    context = system_passages + user_passages + document_passages(turn)
    return tuple(context), ((grounding.question_of(rest) or question) if context else None)


def function_messages(conversation) -> list[dict]:
    """A neutral conversation as OpenAI-style chat messages (system, tool calls and tool results),
    the shape Jamba's and gpt-oss's native bodies share."""
    from . import ToolCall, ToolResult  # the neutral types live in the package that imports this module

    messages: list[dict] = [{"role": "system", "content": text} for text in conversation.system]
    for turn in conversation.turns:
        if turn.of(ToolResult):
            messages += [{"role": "tool", "tool_call_id": r.id, "content": r.text} for r in turn.of(ToolResult)]
        elif turn.of(ToolCall):
            calls = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.input)}}
                for c in turn.of(ToolCall)
            ]
            messages.append({"role": "assistant", "content": turn.text, "tool_calls": calls})
        else:
            messages.append({"role": turn.role, "content": turn_text(turn)})
    return messages


def function_tools(tools) -> list[dict]:
    """Neutral tool specs as OpenAI-style `tools` entries."""
    return [
        {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.schema}}
        for t in tools
    ]


def function_turns(messages: list[dict], *, joiner: str, system_roles=("system",)) -> tuple[str, list]:
    """OpenAI-style chat messages as system text and neutral turns (tool calls and results
    included): the inverse of `function_messages`, shared by Jamba's and gpt-oss's bodies."""
    from . import ToolCall, ToolResult, Turn

    system, turns = [], []
    for m in messages:
        content = block_text(m.get("content"))
        if m["role"] in system_roles:
            system.append(content)
        elif m["role"] == "tool":
            turns.append(Turn("user", (ToolResult(m.get("tool_call_id", ""), content),)))
        elif m["role"] == "assistant" and m.get("tool_calls"):
            calls = []
            for c in m["tool_calls"]:
                function = c.get("function", {}) if isinstance(c, dict) else {}
                try:
                    args = json.loads(function.get("arguments") or "{}")
                except ValueError:
                    args = {}
                calls.append(
                    ToolCall(c.get("id", ""), function.get("name", ""), args if isinstance(args, dict) else {})
                )
            turns.append(Turn("assistant", tuple(x for x in (content, *calls) if x)))
        else:
            turns.append(Turn(m["role"], (content,)))
    return joiner.join(system), turns


def transcript_turns(user_parts: list[str], assistant_marker: str, question: str) -> list:
    """Neutral turns of a one-string transcript already split at each user marker: each part is
    the user's words, then (after `assistant_marker`) the assistant's, if any. The last user turn
    is `question`, the text the family checked out of the prompt."""
    from . import Turn

    turns = []
    for part in user_parts:
        said, _, answered = part.partition(assistant_marker)
        turns.append(Turn("user", (said.strip(),)))
        if answered.strip():
            turns.append(Turn("assistant", (answered.strip(),)))
    if turns and turns[-1].role == "user":
        turns[-1] = Turn("user", (question,))
    return turns or [Turn("user", (question,))]
