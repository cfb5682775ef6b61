"""Deterministic tool use: which tool a request calls, with what arguments, and answers from results.

A request calls a tool when its words meet the tool's name and description (a few concepts have
synonyms, in English and the CJK scripts the text generator speaks), or when `toolChoice` forces
one. Arguments follow the tool's JSON schema: a place for a location field, numbers and an
arithmetic expression for a calculator, the request itself for a query, enum values the request
names; required fields always get a value, optional ones only when the request supplies one.
Ids are derived from the request, so a re-run gets the same `tooluse_...` id.
"""

from __future__ import annotations

import hashlib
import json
import re

from ..families import Prompt, ToolCall, ToolResult, ToolSpec, Turn
from .text import detect_language

# Concepts a request may name in other words (or other scripts) than the tool does.
_CONCEPTS = {
    "weather": set(
        "weather temperature forecast rain raining sunny snow wind humid climate warm cold hot degree "
        "天气 气温 温度 下雨 天気 気温 날씨 기온".split()
    ),
    "calculate": set(
        "calculate calculator compute math sum add plus minus times multiply divide product arithmetic expression "
        "计算 算 加 乘 除 減 计 計算 계산".split()
    ),
    "search": set("search find look lookup google web 搜索 查找 查询 検索 검색".split()),
    "time": set("time clock hour timezone 时间 几点 時間 時刻 시간".split()),
    "stock": set("stock share ticker price quote 股票 股价 株価 주가".split()),
    "translate": set("translate translation 翻译 翻訳 번역".split()),
    "email": set("email mail send 邮件 メール 이메일".split()),
}
_STOP = set(
    "a an the is are was be what whats how much many of in on at for to me my i you your can could would please "
    "tell get give do does it this that and or with from by about current now today right there use tool function "
    "given returns return value any some like will which".split()
)
_LOCATION_WORDS = {"city", "location", "place", "town", "where", "region", "country", "address", "destination"}
_QUERY_WORDS = {"query", "search", "q", "text", "question", "prompt", "topic", "keyword", "keywords", "term", "input"}
_EXPRESSION_WORDS = {"expression", "formula", "equation", "calculation", "math"}
# Well-known cities, so a request written in Chinese, Japanese or Korean still finds its place.
_CITIES = [
    *"New York|San Francisco|Los Angeles|Seattle|Chicago|Boston|London|Paris|Berlin|Madrid|Rome|Amsterdam|Dublin|"
    "Frankfurt|Tokyo|Osaka|Seoul|Beijing|Shanghai|Shenzhen|Hong Kong|Singapore|Sydney|Mumbai|Toronto|Vancouver|"
    "Sao Paulo".split("|"),
    *"北京 上海 广州 深圳 杭州 成都 香港 台北 东京 東京 大阪 首尔 ソウル 서울 부산 纽约 伦敦 巴黎 悉尼 新加坡".split(),
]
_PLACE_AFTER = re.compile(r"\b(?:in|at|for|near|from|to|of)\s+((?:[A-Z][\w'-]*)(?:\s+[A-Z][\w'-]*)*)")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z][\w'-]*(?:\s+[A-Z][a-z][\w'-]*)*)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_OPERATORS = [
    # "17.5% of 240" is 17.5 / 100 * 240; without this rule the percentage was silently dropped.
    (r"%\s*of\b|\s+percent\s+of\b", "/ 100 *"),
    (r"\bplus\b|加上|加", "+"),
    (r"\bminus\b|减去|减|減", "-"),
    (r"\btimes\b|\bmultiplied by\b|乘以|乘|×", "*"),
    (r"\bdivided by\b|\bover\b|除以|÷", "/"),
]
_EXPRESSION = re.compile(r"\(?\s*-?\d+(?:\.\d+)?\s*\)?(?:\s*[-+*/^%]\s*\(?\s*-?\d+(?:\.\d+)?\s*\)?)+")
_BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def words(text: str) -> set[str]:
    """Lower-case content words of `text` (snake_case and camelCase split, plurals also singular),
    plus each CJK character run, so names, descriptions and requests can be compared."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).replace("_", " ").replace("-", " ")
    found = set()
    for word in re.findall(r"[a-zA-Z]+|[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]+", spaced):
        word = word.lower()
        if word in _STOP:
            continue
        found.add(word)
        if word.isascii() and len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            found.add(word[:-1])
    return found


def concepts(text: str, found: set[str] | None = None) -> set[str]:
    """The concepts of `_CONCEPTS` a text touches (CJK keywords match inside longer runs)."""
    found = words(text) if found is None else found
    hits = set()
    for concept, keys in _CONCEPTS.items():
        for key in keys:
            if key in found or (not key.isascii() and key in text):
                hits.add(concept)
                break
    return hits


def _score(question: str, asked: set[str], asked_concepts: set[str], tool: ToolSpec) -> int:
    name, described = words(tool.name), words(tool.description)
    score = 2 * len(asked & name) + len(asked & described)
    score += 2 * len(asked_concepts & concepts(tool.name + " " + tool.description, name | described))
    if expression(question) and "calculate" in concepts(tool.name + " " + tool.description):
        score += 2
    return score


def choose(question: str, offered: tuple[ToolSpec, ...], choice) -> ToolSpec | None:
    """The tool a request calls: none when `choice` is 'none', the one `choice` names, else the
    best match (or, when `choice` is 'any', the best match or the first tool), else None."""
    if choice is not None and choice.mode == "none":
        return None
    if choice is not None and choice.mode == "tool":
        return next((t for t in offered if t.name == choice.name), None)
    asked = words(question)
    asked_concepts = concepts(question, asked)
    scored = [(_score(question, asked, asked_concepts, t), -i, t) for i, t in enumerate(offered)]
    best = max(scored, key=lambda s: s[:2]) if scored else None
    if best is not None and best[0] > 0:
        return best[2]
    if choice is not None and choice.mode == "any" and offered:
        return offered[0]
    return None


def tool_use_id(*parts: object) -> str:
    """An id in Bedrock's Converse form: `tooluse_` and 22 letters, digits, `-` or `_`."""
    raw = "\x1f".join(p if isinstance(p, str) else json.dumps(p, sort_keys=True, default=str) for p in parts)
    n = int.from_bytes(hashlib.blake2b(raw.encode(), digest_size=17).digest(), "big")
    chars = []
    for _ in range(22):
        n, r = divmod(n, 64)
        chars.append((_BASE62 + "-_")[r])
    return "tooluse_" + "".join(chars)


def plan(prompt: Prompt, salt: str = "") -> ToolCall | None:
    """The tool call the prompt's last user turn leads to, if any."""
    question = prompt.question
    tool = choose(question, prompt.tools, prompt.tool_choice)
    if tool is None:
        return None
    args = arguments(tool.schema, question)
    history = [(t.role, t.text) for t in prompt.turns]
    return ToolCall(tool_use_id(salt, history, tool.name, args), tool.name, args)


# ---------------------------------------------------------------- arguments from a JSON schema


def place(question: str) -> str | None:
    """A place the request names: a well-known city, else capitalised words after 'in', 'at', ..."""
    for city in _CITIES:
        if city.isascii():
            if re.search(rf"\b{re.escape(city)}\b", question, re.I):
                return city
        elif city in question:
            return city
    found = _PLACE_AFTER.search(question)
    if found:
        return found.group(1)
    for match in _CAPITALISED.finditer(question):
        if match.group(1).split()[0].lower() not in _STOP:
            return match.group(1)
    return None


def expression(question: str) -> str | None:
    """An arithmetic expression in the request ('What is 12 times 7?' -> '12 * 7')."""
    spelled = question
    for pattern, symbol in _OPERATORS:
        spelled = re.sub(pattern, f" {symbol} ", spelled, flags=re.I)
    found = _EXPRESSION.search(spelled)
    if not found:
        return None
    return re.sub(r"\s*([-+*/^%])\s*", r" \1 ", found.group()).replace("( ", "(").replace(" )", ")").strip()


def _hint_words(name: str, spec: dict) -> set[str]:
    return words(name) | words(str(spec.get("description", ""))) | {name.lower()}


def _topic(question: str) -> str:
    q = re.sub(r"\s+", " ", question).strip()
    q = re.sub(r"^(?:please |can you |could you |search (?:for )?|look up |find )+", "", q, flags=re.I)
    return q.rstrip("?？.!。") or question


def _value(name: str, spec: dict, question: str, numbers: list[float], required: bool):
    """A value for one property, or None to leave an optional property out."""
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    hints = _hint_words(name, spec)
    if "enum" in spec and spec["enum"]:
        named = [v for v in spec["enum"] if isinstance(v, str) and re.search(rf"\b{re.escape(v)}\b", question, re.I)]
        if named:
            return named[0]
        if not required:
            return None
        return spec.get("default", spec["enum"][0])
    if kind in ("number", "integer"):
        if numbers:
            value = numbers.pop(0)
            return int(value) if kind == "integer" else value
        return spec.get("default", 0) if required else None
    if kind == "boolean":
        return bool(hints & words(question)) if required else None
    if kind == "array":
        item = spec.get("items", {}) if isinstance(spec.get("items"), dict) else {}
        if item.get("type") in ("number", "integer") and numbers:
            taken, numbers[:] = list(numbers), []
            return [int(n) if item.get("type") == "integer" else n for n in taken]
        return [_topic(question)] if required and item.get("type", "string") == "string" else ([] if required else None)
    if kind == "object":
        return arguments(spec, question) if required else None
    # Strings: decide by what the property is for.
    if hints & _LOCATION_WORDS:
        found = place(question)
        return found if found is not None else (_topic(question) if required else None)
    if hints & _EXPRESSION_WORDS:
        found = expression(question)
        return found if found is not None else (_topic(question) if required else None)
    if hints & {"unit", "units", "scale"}:
        if re.search(r"fahrenheit|°F|华氏", question, re.I):
            return "fahrenheit"
        return "celsius" if required else None
    if hints & {"date", "day", "when"}:
        found = re.search(r"\d{4}-\d{2}-\d{2}|\btoday\b|\btomorrow\b|\byesterday\b|今天|明天|昨天", question, re.I)
        return found.group() if found else ("today" if required else None)
    if hints & _QUERY_WORDS or required:
        return _topic(question)
    return None


def arguments(schema: dict, question: str) -> dict:
    """Arguments for a tool whose input follows `schema` (a JSON schema object), from the request."""
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    required = set(schema.get("required", [])) if isinstance(schema, dict) else set()
    numbers = [float(n) if "." in n else int(n) for n in _NUMBER.findall(question)]
    if any(_hint_words(k, v) & _EXPRESSION_WORDS for k, v in props.items() if isinstance(v, dict)):
        numbers = []  # the numbers belong to the expression
    out = {}
    for name, spec in props.items():
        if not isinstance(spec, dict):
            continue
        value = _value(name, spec, question, numbers, name in required)
        if value is not None:
            out[name] = value
    return out


# ---------------------------------------------------------------- answers from tool results


def calls_by_id(turns: list[Turn]) -> dict[str, ToolCall]:
    """Earlier tool calls of the conversation, by id, so a result can name its tool."""
    return {c.id: c for t in turns if t.role == "assistant" for c in t.of(ToolCall)}


def summarise(result: str, limit: int = 6) -> str:
    """A result's content in a few words: `key value` pairs of a JSON object, items of a list."""
    try:
        value = json.loads(result)
    except (ValueError, TypeError):
        value = result
    if isinstance(value, list) and len(value) == 1:
        value = value[0]  # Cohere's `outputs` and similar wrap one result in a list
    if isinstance(value, dict):
        pairs = [f"{k} {_short(v)}" for k, v in list(value.items())[:limit]]
        return ", ".join(pairs) if pairs else "nothing"
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value[:limit]) or "nothing"
    text = str(value).strip()
    return text if len(text) <= 300 else text[:299].rstrip() + "\u2026"


def _short(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


_ANSWER = {
    "en": (
        "According to {tool}: {summary}.",
        "This simulated answer from {model} repeats what your tool returned; a real model would phrase it freely.",
    ),
    "zh": ("根据 {tool} 的结果：{summary}。", "这是{model}根据你发送的工具结果给出的模拟回答。"),
    "ja": (
        "{tool} の結果によると：{summary}。",
        "これは{model}がツールの結果をもとに作ったシミュレーションの回答です。",
    ),
    "ko": ("{tool} 결과에 따르면: {summary}.", "이것은 {model}이(가) 도구 결과로 만든 시뮬레이션 답변입니다."),
}
_ERROR = {
    "en": "The {tool} tool reported an error ({summary}), so I cannot answer that yet.",
    "zh": "{tool} 工具报告了错误（{summary}），所以暂时无法回答。",
    "ja": "{tool} ツールがエラーを返しました（{summary}）。まだ答えられません。",
    "ko": "{tool} 도구가 오류를 보고했습니다 ({summary}). 아직 답할 수 없습니다.",
}
_PREFACE = {
    "en": "I'll use the {tool} tool to answer that.",
    "zh": "我来调用 {tool} 工具回答这个问题。",
    "ja": "{tool} ツールを使って調べます。",
    "ko": "{tool} 도구를 사용해 확인하겠습니다.",
}


def answer(question: str, results: list[ToolResult], calls: dict[str, ToolCall], model_name: str) -> str:
    """The text a model answers with once it has the results of its tool calls."""
    lang = detect_language(question) if question.strip() else "en"
    sentences = []
    for result in results:
        call = calls.get(result.id)
        tool = result.name or (call.name if call else "the tool")
        summary = summarise(result.text)
        template = _ERROR[lang] if result.status == "error" else _ANSWER[lang][0]
        sentences.append(template.format(tool=tool, summary=summary))
    sentences.append(_ANSWER[lang][1].format(model=model_name))
    return ("" if lang in ("zh", "ja") else " ").join(sentences)


def preface(question: str, call: ToolCall) -> str:
    """The short sentence a model says before a tool call it chose itself."""
    lang = detect_language(question) if question.strip() else "en"
    return _PREFACE[lang].format(tool=call.name)
