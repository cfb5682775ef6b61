"""Answers grounded in the passages a prompt supplies: quote the most relevant ones, cite them, or say they don't tell.

What counts as context (one documented rule for every family that wires it in):

- each `<document>...</document>` (or `<context>...</context>`) element is one passage; when it holds a
  `<document_content>` element, that is the passage's text (Anthropic's suggested layout for long documents,
  `<documents><document index="1"><source>...</source><document_content>...</document_content></document></documents>`);
- a line starting with a context header, `Context:`, `Documents:`, `Passages:`, `Facts:`, `Sources:`,
  `References:`, `上下文：`, `参考资料：`, `资料：`, `背景资料：` or `已知信息：` (any case, ASCII or full-width
  colon, also right after a `User:` or `Human:` turn label), opens a context section that runs to a
  `Question:` / `Query:` / `问题：` line or to the end of the text. When lines in it start with `[1]`,
  `[2]`, ..., each such number opens a passage that runs to the next one, blank lines and lists
  included (retrieved chunks keep their paragraphs; text before the first number is no passage);
  otherwise blank lines, and lines starting with `1.`, `1)` or `- `, separate its passages;
- the question is the text after a `Question:` label if there is one, else what is left once the context
  is taken out.

Passages keep their order and are cited by their 1-based position: [1], [2], ...

How an answer is made (rules, not a language model): the question and every sentence of every passage go
through the same sentence encoder as the offline embeddings (`generators.embeddings`); a passage scores
the best cosine of its sentences (or of the whole passage) with the question. Passages scoring at least
`RELEVANT` (0.30) and within `SPREAD` (0.15) of the best are used, at most `MAX_CITED` (3); from each the
best sentence is quoted verbatim with its citation (list markers dropped; Markdown headings are never quoted,
and a passage that is only a heading is never cited). When no passage reaches `RELEVANT`, the answer says
that the context does not contain the answer. On a small hand-made set (questions in English and Chinese
against passages that answer them, and questions no passage answers) answering passages scored 0.38-0.77
and the best unrelated one at most 0.16; 0.30 sits between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RELEVANT = 0.30
SPREAD = 0.15
MAX_CITED = 3

_ELEMENT = re.compile(r"<(document|context)\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
_CONTENT = re.compile(r"<document_content\b[^>]*>(.*?)</document_content\s*>", re.S | re.I)
_WRAPPER = re.compile(r"</?(?:documents|contexts)\b[^>]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z_][\w-]*(?:\s[^>]*)?>")
_HEADER = re.compile(
    r"^[ \t]*(?:(?:user|human)[ \t]*:[ \t]*)?(?:context|contexts|documents?|passages?|facts|sources|references?"
    r"|上下文|参考资料|参考文档|资料|背景资料|已知信息)[ \t]*[:：][ \t]*",
    re.I | re.M,
)
_QUESTION = re.compile(r"^[ \t]*(?:question|query|问题|提问)[ \t]*[:：][ \t]*", re.I | re.M)
_ITEM = re.compile(r"^[ \t]*(?:\[\d+\]|\d+[.)]|[-*•])[ \t]+", re.M)
_NUMBERED = re.compile(r"^[ \t]*\[\d+\][ \t]*", re.M)
_LIST_ITEM = re.compile(r"^[ \t]*(?:\d+[.)]|[-*•])[ \t]+", re.M)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[。！？])|\n+")


def split_context(text: str) -> tuple[list[str], str]:
    """(passages, the rest of `text`) by the rule in this module's docstring."""
    passages: list[str] = []

    def take(match: re.Match) -> str:
        inner = match.group(2)
        content = _CONTENT.search(inner)
        passage = _clean(_TAG.sub(" ", content.group(1) if content else inner))
        if passage:
            passages.append(passage)
        return "\n"

    rest = _WRAPPER.sub("", _ELEMENT.sub(take, text))
    header = _HEADER.search(rest)
    if header:
        after = rest[header.end() :]
        question = _QUESTION.search(after)
        block = after[: question.start()] if question else after
        passages += _paragraphs(block)
        rest = rest[: header.start()] + (after[question.start() :] if question else "")
    return passages, rest.strip()


def question_of(rest: str) -> str:
    """The text after a `Question:` label, else all of `rest`."""
    label = _QUESTION.search(rest)
    return rest[label.end() :].strip() if label else rest.strip()


def _clean(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text).strip()


def _paragraphs(block: str) -> list[str]:
    if _NUMBERED.search(block):
        return [p for p in (_flow(part) for part in _NUMBERED.split(block)[1:]) if p]
    marked = _ITEM.sub("\n\n", block)
    return [p for p in (_join(part) for part in re.split(r"\n\s*\n", marked)) if p]


def _flow(passage: str) -> str:
    """One numbered passage: wrapped lines joined; its paragraphs and list items one per line."""
    marked = _LIST_ITEM.sub("\n\n", passage)
    return "\n".join(p for p in (_join(part) for part in re.split(r"\n\s*\n", marked)) if p)


def _join(paragraph: str) -> str:
    """A paragraph's wrapped lines joined by spaces; a Markdown heading keeps a line of its own."""
    text = ""
    for line in (x.strip() for x in paragraph.split("\n")):
        if line:
            heading = line.startswith("#") or text.rsplit("\n", 1)[-1].startswith("#")
            text = f"{text}\n{line}" if text and heading else f"{text} {line}" if text else line
    return _clean(text)


_MARKER = re.compile(r"^(?:[-*•]|\d+[.)])\s+")


def _sentences(passage: str) -> list[str]:
    """The quotable sentences of a passage: list markers dropped, Markdown headings left out.

    Headings go line by line, before sentences are split: `## 2. What Bedrock says` would otherwise
    split after `2.` and leave a quotable `What Bedrock says`.
    """
    out: list[str] = []
    for line in passage.split("\n"):
        line = _MARKER.sub("", line.strip())
        if line and not line.startswith("#"):
            out += [s for s in (_MARKER.sub("", p.strip()) for p in _SENTENCE.split(line) if p) if s]
    return out


@dataclass(frozen=True)
class Ranked:
    """One passage's relevance to the question: its 1-based number, score and best sentence."""

    number: int
    score: float
    sentence: str


def rank(question: str, passages: list[str]) -> list[Ranked]:
    """Passages by relevance to `question`, best first (ties keep the given order); one encoder batch."""
    import numpy as np

    from . import embeddings

    sentences = [_sentences(p) for p in passages]
    texts = [question]
    for passage, parts in zip(passages, sentences, strict=True):
        texts += [passage, *parts] if parts else []
    vecs = embeddings.encode(texts)
    # Rounded, so that last-bit differences between machines cannot reorder near-ties.
    scores = [round(float(x), 6) for x in np.einsum("nk,k->n", vecs[1:], vecs[0])]
    out, at = [], 0
    for i, parts in enumerate(sentences):
        if not parts:  # nothing to quote (a heading alone): never cited
            out.append(Ranked(i + 1, -1.0, ""))
            continue
        whole, own = scores[at], scores[at + 1 : at + 1 + len(parts)]
        at += 1 + len(parts)
        j = max(range(len(parts)), key=lambda k: (own[k], -k))
        out.append(Ranked(i + 1, max(whole, own[j]), parts[j]))
    return sorted(out, key=lambda r: (-r.score, r.number))


def cited(ranked: list[Ranked]) -> list[Ranked]:
    """The passages an answer uses: relevant, close to the best, at most `MAX_CITED`, in citation order."""
    if not ranked or ranked[0].score < RELEVANT:
        return []
    use = [r for r in ranked if r.score >= RELEVANT and r.score >= ranked[0].score - SPREAD][:MAX_CITED]
    return sorted(use, key=lambda r: r.number)


_FOUND = {
    "en": (
        "From the context: {quotes}\n(Simulated answer from {model}, offline: the workshop's simulator quotes the "
        "passages that best match the question and cites them; it does not reason over them.)"
    ),
    "zh": (
        "根据所给资料：{quotes}\n"
        "（{model}的离线模拟回答：本教程的模拟器只引用与问题最相关的段落并注明出处，并不真正推理。）"
    ),
    "ja": (
        "与えられた資料によると：{quotes}\n"
        "（{model}のオフライン・シミュレーション：質問に最も近い段落を引用しているだけで、推論はしていません。）"
    ),
    "ko": (
        "주어진 자료에 따르면: {quotes}\n"
        "({model} 오프라인 시뮬레이션: 질문과 가장 가까운 단락을 인용할 뿐, 추론하지 않습니다.)"
    ),
}
_MISSING = {
    "en": (
        "The context provided does not contain the answer to \u201c{topic}\u201d, so I won't guess: {which}. "
        "(Simulated answer from {model}, offline.)"
    ),
    "zh": "所给资料中没有“{topic}”的答案，资料与它无关，所以我不作猜测。（{model}的离线模拟回答。）",
    "ja": (
        "与えられた資料には「{topic}」の答えがありません。"
        "資料はどれも関係がないため、推測はしません。（{model}のオフライン・シミュレーション）"
    ),
    "ko": (
        "주어진 자료에는 \u201c{topic}\u201d에 대한 답이 없습니다. "
        "자료가 모두 관련이 없어 추측하지 않겠습니다. ({model} 오프라인 시뮬레이션)"
    ),
}
_OPEN_CLOSE = {"en": ("\u201c", "\u201d"), "zh": ("“", "”"), "ja": ("「", "」"), "ko": ("\u201c", "\u201d")}


def _quote(sentence: str, lang: str) -> str:
    limit = 200 if sentence.isascii() else 100
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "\u2026"
    opening, closing = _OPEN_CLOSE[lang]
    return f"{opening}{sentence}{closing}"


def compose(question: str, passages: list[str], model_name: str, lang: str) -> str:
    """The grounded answer text in language `lang` ('en', 'zh', 'ja' or 'ko'; others answer in English)."""
    from .text import _topic

    lang = lang if lang in _FOUND else "en"
    use = cited(rank(question, passages))
    if not use:
        which = "the passage given is about something else"
        if len(passages) > 1:
            which = f"none of the {len(passages)} passages given is about it"
        return _MISSING[lang].format(topic=_topic(question, lang), which=which, model=model_name)
    sep = " " if lang in ("en", "ko") else ""
    quotes = sep.join(f"{_quote(r.sentence, lang)} [{r.number}]" for r in use)
    return _FOUND[lang].format(quotes=quotes, model=model_name)
