"""Deterministic text: reads naturally, answers in the prompt's script, and says it is simulated.

Same request, same answer: the choice of sentences is seeded by a hash of the question, the
model and the sampling parameters, so committed notebook outputs stay reproducible while a
change of prompt or temperature visibly changes the answer. Families own their request formats;
they hand the question text, limits and stop sequences here and get a `Generation` back.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from . import tokens


@dataclass(frozen=True)
class Generation:
    """Output text and why it stopped: 'end', 'max_tokens' or 'stop_sequence'."""

    text: str
    pieces: tuple[str, ...]
    stop_reason: str
    stop_sequence: str | None
    input_tokens: int
    output_tokens: int


_KANA, _HANGUL, _HAN = re.compile(r"[\u3040-\u30ff]"), re.compile(r"[\uac00-\ud7af]"), re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def detect_language(text: str) -> str:
    """'zh', 'ja', 'ko' or 'en' by the dominant script (kana beats shared Han characters)."""
    kana = len(_KANA.findall(text))
    hangul = len(_HANGUL.findall(text))
    han = len(_HAN.findall(text))
    # Latin counts by words, so names embedded in CJK text ("什么是 Amazon Bedrock？") don't
    # outweigh the sentence around them: one Latin word carries about what one Han character does.
    latin = len(_LATIN_WORD.findall(text))
    if kana and kana * 3 >= han:
        return "ja"
    best = max((han, "zh"), (hangul, "ko"), (latin, "en"))
    return best[1] if best[0] > 0 else "en"


_TARGETS = [
    (re.compile(pattern, re.I), target)
    for pattern, target in (
        (r"(?:to|into) (?:simplified |traditional )?chinese|翻译(?:为|成)中文|译成中文|翻譯成中文", "zh"),
        (r"(?:to|into) english|翻译(?:为|成)?英文|译成英文|翻譯成英文|英訳|영어로", "en"),
        (r"(?:to|into) japanese|翻译(?:为|成)日文|日本語に", "ja"),
        (r"(?:to|into) korean|翻译(?:为|成)韩文|한국어로", "ko"),
    )
]
_WHO = re.compile(
    r"who are you|introduce yourself|what are you|你是谁|你是誰|介绍(?:一下)?(?:你)?自己|あなたは誰|자기소개|누구",
    re.I,
)
# A message that only greets ("Hi", "Hello Claude!", "你好") gets a one-sentence reply.
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|good (?:morning|afternoon|evening)|greetings|你好|您好|嗨|こんにちは|안녕(?:하세요)?)"
    r"(?:[\s,]+[\w.-]+){0,2}\s*[!！.。,，~]*\s*$",
    re.I,
)
_AT_LEAST = re.compile(r"(?:不少于|至少|at least)\s*(\d+)\s*(?:字|个字|words?|characters?)", re.I)

_BANK = {
    "en": {
        "who": [
            "I am {model}, answering from the workshop's offline simulator rather than from Amazon Bedrock.",
            "Nothing here was written by a real language model: the simulator builds replies by rule "
            "so that every lesson runs without an AWS account.",
            "On real Bedrock, {model} would describe its training, its strengths and its limits in its own words.",
            "What you can trust offline is the shape of the exchange: the request body, the response fields, "
            "the token counts and the stop reason.",
            "Switch to live mode with AWS credentials to hear the real model introduce itself.",
            "Until then, treat this text as a stand-in that is long enough to stream, truncate and count.",
        ],
        "translate": [
            "Simulated translation of \u201c{topic}\u201d: a real model would return it in the language you asked for.",
            "The offline simulator cannot translate, so it keeps the request's shape and marks the text as simulated.",
            "Run this cell in live mode to see {model}'s actual translation.",
        ],
        "answer": [
            "Here is a simulated answer from {model} about \u201c{topic}\u201d.",
            "A real model would draw on what it learned in training; "
            "this offline stand-in only arranges sentences by rule.",
            "The point of the reply is its form: the fields, token counts and stop reason match what Bedrock returns.",
            "Changing the prompt, the temperature or the model changes the wording, "
            "while the same request always gets the same text.",
            "In live mode the same code sends the same request to Amazon Bedrock and prints a genuine answer.",
            "Use the response headers to see how many tokens went in and came out.",
            "Limits such as the maximum number of tokens and stop sequences are applied "
            "exactly as the service applies them.",
            "Try a longer or shorter question and compare the token counts.",
        ],
        "foreign": [
            "I can read part of your request, but I answer best in English ({model}, simulated offline).",
        ],
    },
    "zh": {
        "who": [
            "我是{model}，此刻由本教程的离线模拟器代为回答，并不是真正的 Amazon Bedrock。",
            "这里的文字不是真实大模型写的：模拟器按照规则拼出回复，好让每一课在没有 AWS 账号时也能运行。",
            "在真实的 Bedrock 上，{model}会用自己的话介绍它的训练、擅长的事情和局限。",
            "离线时值得相信的是交互的形式：请求体、响应字段、令牌数量和停止原因都与真实服务一致。",
            "配置好 AWS 凭证并切换到 live 模式，就能听到真实模型的自我介绍。",
            "在那之前，请把这段文字当作替身，它足够长，可以用来演示流式输出、截断和计数。",
        ],
        "translate": [
            "（离线模拟的译文）“{topic}”：真实模型会把它译成你要求的语言。",
            "离线模拟器不会翻译，它只保留请求与响应的结构，并标明这是模拟内容。",
            "切换到 live 模式运行这个单元格，就能看到{model}真正的译文。",
        ],
        "answer": [
            "这是{model}关于“{topic}”的模拟回答。",
            "真实模型会依据训练中学到的知识作答；离线替身只是按规则排列句子。",
            "这段回复的意义在于形式：字段、令牌数量和停止原因都和 Bedrock 的返回一致。",
            "改变提示词、温度或模型，措辞就会变化；而同样的请求总是得到同样的文字。",
            "在 live 模式下，同一段代码会把同样的请求发给 Amazon Bedrock，并打印真正的回答。",
            "可以查看响应头，了解输入和输出各用了多少令牌。",
            "最大令牌数和停止序列等限制，会像真实服务那样被严格执行。",
            "试着把问题写长一点或短一点，比较一下令牌数量。",
        ],
        "foreign": ["我能看懂一部分中文，但说得不太好（{model}，离线模拟）。"],
    },
    "ja": {
        "who": [
            "私は{model}です。ただし今はワークショップのオフライン・シミュレーターが代わりに答えています。",
            "この文章は本物の言語モデルが書いたものではなく、規則に従って組み立てられています。",
            "ライブモードに切り替えると、本物のモデルが自己紹介をします。",
            "オフラインで信頼できるのは、リクエストとレスポンスの形、トークン数、停止理由です。",
        ],
        "translate": [
            "（シミュレーションによる訳）「{topic}」：本物のモデルなら指定した言語に翻訳します。",
            "オフライン・シミュレーターは翻訳できないため、形だけを保っています。",
        ],
        "answer": [
            "「{topic}」についての{model}のシミュレーション回答です。",
            "本物のモデルは学習した知識をもとに答えますが、この代役は規則で文を並べるだけです。",
            "フィールド、トークン数、停止理由は Bedrock の応答と同じ形です。",
            "同じリクエストには常に同じ文章が返ります。",
            "ライブモードでは、同じコードが Amazon Bedrock に同じリクエストを送ります。",
        ],
        "foreign": ["日本語は少しだけ分かります（{model}、オフラインのシミュレーション）。"],
    },
    "ko": {
        "who": [
            "저는 {model}입니다. 지금은 워크숍의 오프라인 시뮬레이터가 대신 답하고 있습니다.",
            "이 글은 실제 언어 모델이 쓴 것이 아니라 규칙에 따라 만들어졌습니다.",
            "라이브 모드로 바꾸면 실제 모델이 자신을 소개합니다.",
            "오프라인에서 믿을 수 있는 것은 요청과 응답의 형식, 토큰 수, 중지 이유입니다.",
        ],
        "translate": [
            "(시뮬레이션 번역) \u201c{topic}\u201d: 실제 모델은 요청한 언어로 번역해 줍니다.",
            "오프라인 시뮬레이터는 번역하지 못하므로 형식만 유지합니다.",
        ],
        "answer": [
            "\u201c{topic}\u201d에 대한 {model}의 시뮬레이션 답변입니다.",
            "실제 모델은 학습한 지식으로 답하지만, 이 대역은 규칙에 따라 문장을 배열할 뿐입니다.",
            "필드, 토큰 수, 중지 이유는 Bedrock의 응답과 같은 형식입니다.",
            "같은 요청에는 언제나 같은 문장이 돌아옵니다.",
            "라이브 모드에서는 같은 코드가 Amazon Bedrock에 같은 요청을 보냅니다.",
        ],
        "foreign": ["한국어는 조금만 할 수 있습니다 ({model}, 오프라인 시뮬레이션)."],
    },
}
_SEP = {"en": " ", "zh": "", "ja": "", "ko": " "}
_GREET = {
    "en": "Hello, I'm {model}, answering from the workshop's offline simulator, so ask me anything you like.",
    "zh": "你好，我是{model}，此刻由本教程的离线模拟器代为回答，有什么可以帮你？",
    "ja": "こんにちは、{model}です、今はワークショップのオフライン・シミュレーターが代わりに答えています。",
    "ko": "안녕하세요, 저는 워크숍의 오프라인 시뮬레이터가 대신 답하는 {model}입니다.",
}
ANSWER_SENTENCES = 4  # a general answer's length when the request names none: a few sentences


_SPACES, _PLEASE = re.compile(r"\s+"), re.compile(r"^(?:please |请|請)", re.I)


def _topic(question: str, lang: str) -> str:
    """A short quotation of the question to anchor the answer to it."""
    q = _SPACES.sub(" ", question).strip()
    q = _PLEASE.sub("", q)
    limit = 48 if lang == "en" else 24
    return q if len(q) <= limit else q[: limit - 1].rstrip() + "\u2026"


def _rng(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def compose(
    question: str,
    model_name: str,
    *,
    variation: str = "",
    languages: tuple[str, ...] = (),
    context: list[str] | None = None,
) -> str:
    """The full, untruncated answer text for a question.

    With `context` (passages the prompt supplied), the answer quotes and cites the passages most
    relevant to the question, or says they do not contain the answer (see `grounding`).
    """
    lang = detect_language(question)
    passages = [p for p in context or () if p and p.strip()]
    if passages:
        from . import grounding

        return grounding.compose(
            question, passages, model_name, lang if not languages or lang in languages else languages[0]
        )
    intent = "answer"
    for pattern, target in _TARGETS:
        if pattern.search(question):
            intent, lang = "translate", target
            break
    else:
        if _WHO.search(question):
            intent = "who"
        elif _GREETING.match(question):
            intent = "greet"
    foreign = bool(languages) and lang not in languages
    if foreign:
        lang = languages[0]
    bank = _BANK[lang]
    seed = _rng(question, model_name, variation)
    if intent == "greet":
        return ((bank["foreign"][0] + _SEP[lang]) if foreign else "") + _GREET[lang].format(model=model_name)
    sentences = list(bank[intent])
    first, rest = sentences[0], sentences[1:]
    # Thin the remaining sentences by the seed (and rotate general answers), so the wording
    # varies with the request while introductions keep their order.
    if intent == "answer" and rest:
        shift = seed % len(rest)
        rest = rest[shift:] + rest[:shift]
    keep = [s for i, s in enumerate(rest) if (seed >> (i + 3)) % 5 or i < 2]
    wanted = _AT_LEAST.search(question)
    if intent == "answer":  # a few sentences, extended below when the request asks for more
        keep = keep[: ANSWER_SENTENCES - 1]
    chosen = ([bank["foreign"][0]] if foreign else []) + [first] + keep
    sep = _SEP[lang]
    text = sep.join(chosen)
    if wanted:
        need = int(wanted.group(1))
        size = (lambda t: len(t.split())) if lang in ("en", "ko") else len
        pool = [x for x in rest if x not in keep] + keep or [first]  # unused sentences first
        i = 0
        while size(text) < need and i < 4 * len(pool):
            text += sep + pool[i % len(pool)]
            i += 1
    if intent == "translate" and re.search(r"[:：]", question):
        question = re.split(r"[:：]", question, maxsplit=1)[1]
    fill = {"model": model_name, "topic": _topic(question, lang)}
    return text.format(**fill)


def generate(
    question: str,
    model_name: str,
    *,
    max_tokens: int,
    input_tokens: int,
    stop_sequences: tuple[str, ...] | list[str] = (),
    variation: str = "",
    languages: tuple[str, ...] = (),
    prefix: str = "",
    context: list[str] | None = None,
) -> Generation:
    """Answer `question`, then apply stop sequences and the token limit as Bedrock would.

    `prefix` is prepended (e.g. Claude text completions start with a space); `context` holds
    passages to ground the answer in (see `compose`).

    Same request, same answer: the most recent answers are kept (a `Generation` is immutable), so
    a request repeated (a cell run again, a loop over one prompt) skips composing and tokenising.
    """
    return _generate(
        question,
        model_name,
        max_tokens,
        input_tokens,
        tuple(stop_sequences),
        variation,
        tuple(languages),
        prefix,
        tuple(context or ()),
    )


@lru_cache(maxsize=256)
def _generate(
    question: str,
    model_name: str,
    max_tokens: int,
    input_tokens: int,
    stop_sequences: tuple[str, ...],
    variation: str,
    languages: tuple[str, ...],
    prefix: str,
    context: tuple[str, ...],
) -> Generation:
    text = prefix + compose(question, model_name, variation=variation, languages=languages, context=list(context))
    stop_reason, matched = "end", None
    hits = [(text.find(s), s) for s in stop_sequences if s and s in text]
    if hits:
        at, matched = min(hits)
        text, stop_reason = text[:at], "stop_sequence"
    parts = tokens.pieces(text)
    if len(parts) > max_tokens:
        parts, stop_reason, matched = parts[:max_tokens], "max_tokens", None
        text = "".join(parts)
    return Generation(text, tuple(parts), stop_reason, matched, input_tokens, len(parts))
