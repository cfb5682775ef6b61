"""Answers grounded in supplied context: which passages count, which get quoted and cited, and 'not in the context'."""

from __future__ import annotations

import pytest

from helpers.simulator.generators import grounding, text
from tests.conftest import invoke, stream_chunks

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
EXPRESS = "amazon.titan-text-express-v1"
VERSION = "bedrock-2023-05-31"

PASSAGES = [
    "Paris is the capital and largest city of France. It lies on the Seine.",
    "Amazon Bedrock is a fully managed service that offers foundation models through a single API.",
    "The store opens at 9 am and closes at 6 pm on weekdays.",
]


# ------------------------------------------------------------------ what counts as context


def test_document_elements_are_passages_and_their_content_is_the_text():
    prompt = (
        "<documents>\n"
        '<document index="1"><source>a.txt</source><document_content>Titan V2 has 1024 dimensions.'
        "</document_content></document>\n"
        "<document>Cohere Embed takes up to 96 texts.</document>\n"
        "</documents>\n"
        "How many texts can Cohere embed at once?"
    )
    assert grounding.split_context(prompt) == (
        ["Titan V2 has 1024 dimensions.", "Cohere Embed takes up to 96 texts."],
        "How many texts can Cohere embed at once?",
    )


def test_a_context_header_opens_a_section_up_to_the_question_label():
    prompt = (
        "Answer from the context only.\n\nContext:\n[1] Paris is the capital of France.\n"
        "[2] Berlin is the capital\nof Germany.\n\nQuestion: What is the capital of Germany?"
    )
    passages, rest = grounding.split_context(prompt)
    assert passages == ["Paris is the capital of France.", "Berlin is the capital of Germany."]
    assert grounding.question_of(rest) == "What is the capital of Germany?"


def test_chinese_headers_and_blank_line_paragraphs():
    passages, rest = grounding.split_context("资料：\n对不起是道歉。\n\n抱歉也是道歉。\n问题：怎么道歉？")
    assert passages == ["对不起是道歉。", "抱歉也是道歉。"]
    assert grounding.question_of(rest) == "怎么道歉？"


@pytest.mark.parametrize(
    "prompt",
    ["What is the context of this poem?", "You are a helpful assistant.", "Explain: embeddings", ""],
)
def test_ordinary_prompts_carry_no_context(prompt):
    assert grounding.split_context(prompt) == ([], prompt.strip())


# ------------------------------------------------------------------ answers


def test_the_relevant_passage_is_quoted_and_cited_by_its_number():
    answer = text.compose("When does the shop close?", "Claude 3 Haiku", context=PASSAGES)
    assert "\u201cThe store opens at 9 am and closes at 6 pm on weekdays.\u201d [3]" in answer
    assert "[1]" not in answer and "[2]" not in answer
    assert "Simulated" in answer


def test_a_question_about_two_passages_cites_both_in_order():
    answer = text.compose(
        "Which service gives API access to models, and what is France's capital?", "M", context=PASSAGES
    )
    assert answer.index("[1]") < answer.index("[2]") and "[3]" not in answer


def test_only_the_best_sentence_of_a_passage_is_quoted():
    answer = text.compose("What is the capital of France?", "M", context=PASSAGES)
    assert "\u201cParis is the capital and largest city of France.\u201d [1]" in answer
    assert "Seine" not in answer


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who won the 2018 World Cup?", "does not contain the answer to \u201cWho won the 2018 World Cup?\u201d"),
        ("谁发明了电话？", "所给资料中没有“谁发明了电话？”的答案"),
    ],
)
def test_it_says_so_when_the_context_does_not_hold_the_answer(question, expected):
    answer = text.compose(question, "M", context=PASSAGES)
    assert expected in answer and "[1]" not in answer


def test_a_chinese_question_gets_a_chinese_frame_around_the_quoted_passage():
    answer = text.compose("法国的首都是哪里？", "M", context=PASSAGES)
    assert answer.startswith("根据所给资料：") and "[1]" in answer and "离线模拟" in answer


def test_relevance_scores_separate_answering_passages_from_the_rest():
    ranked = grounding.rank(
        "How long is the Great Wall?", ["The Great Wall of China is over 20,000 km long.", *PASSAGES]
    )
    assert ranked[0].number == 1 and ranked[0].score > grounding.RELEVANT
    assert all(r.score < grounding.RELEVANT for r in ranked[1:])


def test_headings_are_never_quoted_and_list_markers_are_dropped():
    passages = ["### Stable Diffusion XL", "当前支持的版本为 v0.8。", "- Max tokens: 8k\n- 输出向量维度: 1536"]
    answer = text.compose("Stable Diffusion XL 当前支持哪个版本？", "M", context=passages)
    assert "“当前支持的版本为 v0.8。” [2]" in answer and "[1]" not in answer and "###" not in answer
    assert grounding.rank("输出向量维度是多少？", passages)[0].sentence == "输出向量维度: 1536"


def test_a_numbered_heading_is_not_split_into_a_quotable_sentence():
    # "## 2. What Bedrock says ..." once split after "2." and left "What Bedrock says ..." to be quoted.
    passage = "The next cell fails on purpose.\n## 2. What Bedrock says about the prompt\nClaude needs a blank line."
    assert grounding._sentences(passage) == ["The next cell fails on purpose.", "Claude needs a blank line."]
    # A Markdown heading is one line: wrapped lines around it are joined, the heading keeps its own line.
    (joined,) = grounding.split_context("Context:\n[1] Intro\ntext.\n## 2. What Bedrock says\nIt fails,\nbadly.")[0]
    assert joined == "Intro text.\n## 2. What Bedrock says\nIt fails, badly."


def test_grounded_answers_are_deterministic_and_blank_context_is_no_context():
    a = text.compose("When does the shop close?", "M", context=PASSAGES)
    assert a == text.compose("When does the shop close?", "M", context=list(PASSAGES))
    assert text.compose("Hi", "M", context=["", "  "]) == text.compose("Hi", "M")


# ------------------------------------------------------------------ through boto3


def _messages(runtime, body: dict) -> str:
    reply, _ = invoke(runtime, HAIKU, {"anthropic_version": VERSION, "max_tokens": 300, **body})
    return reply["content"][0]["text"]


def test_claude_messages_grounds_in_documents_of_the_system_prompt(runtime):
    system = "Answer from these documents.\n" + "".join(f"<document>{p}</document>\n" for p in PASSAGES)
    answer = _messages(
        runtime, {"system": system, "messages": [{"role": "user", "content": "When does the shop close?"}]}
    )
    assert "closes at 6 pm" in answer and "[3]" in answer


def test_claude_messages_grounds_in_a_context_section_of_the_user_turn(runtime):
    content = "Context:\n" + "\n\n".join(PASSAGES) + "\n\nQuestion: What is the capital of France?"
    blocks = [{"type": "text", "text": content}]
    answer = _messages(runtime, {"messages": [{"role": "user", "content": blocks}]})
    assert "Paris is the capital" in answer and "[1]" in answer


def test_claude_messages_says_when_the_context_lacks_the_answer(runtime):
    content = "Context:\n" + "\n\n".join(PASSAGES) + "\n\nQuestion: Who painted the Mona Lisa?"
    answer = _messages(runtime, {"messages": [{"role": "user", "content": content}]})
    assert "does not contain the answer" in answer


def test_claude_messages_without_context_answers_as_before(runtime):
    answer = _messages(runtime, {"system": "You are terse.", "messages": [{"role": "user", "content": "Hi there"}]})
    assert "From the context" not in answer and "Claude 3 Haiku" in answer


def test_claude_stream_and_limits_apply_to_grounded_answers(runtime):
    body = {
        "anthropic_version": VERSION,
        "max_tokens": 300,
        "messages": [{"role": "user", "content": "Context:\n" + "\n\n".join(PASSAGES) + "\nQuestion: Shop hours?"}],
    }
    whole, _ = invoke(runtime, HAIKU, body)
    events = stream_chunks(runtime, HAIKU, body)
    streamed = "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta")
    assert streamed == whole["content"][0]["text"] and "[3]" in streamed
    short, _ = invoke(runtime, HAIKU, {**body, "max_tokens": 4})
    assert short["stop_reason"] == "max_tokens" and short["usage"]["output_tokens"] == 4


def test_titan_text_grounds_in_a_context_section(runtime):
    prompt = "User: Context:\n" + "\n\n".join(PASSAGES) + "\nQuestion: Which service offers foundation models?\nBot:"
    reply, _ = invoke(runtime, EXPRESS, {"inputText": prompt})
    output = reply["results"][0]["outputText"]
    assert output.startswith("\nFrom the context:") and "[2]" in output and "[1]" not in output


def test_numbered_passages_run_to_the_next_number_with_their_paragraphs_and_lists():
    prompt = (
        "Context:\nThe passages below come from the workshop.\n"
        "[1] ### Cohere\n\n- Model size: 52B\n- Max tokens: 4096\n\n"
        "[2] `max_tokens` defaults to 20, which surprises\neveryone who leaves it out.\n\nQuestion: How big is Command?"
    )
    passages, rest = grounding.split_context(prompt)
    assert passages == [
        "### Cohere\nModel size: 52B\nMax tokens: 4096",
        "`max_tokens` defaults to 20, which surprises everyone who leaves it out.",
    ]
    assert grounding.question_of(rest) == "How big is Command?"
    answer = text.compose("What is the default of max_tokens?", "M", context=passages)
    assert "“`max_tokens` defaults to 20" in answer and "[2]" in answer and "[3]" not in answer


# ------------------------------------------------------------------ Converse (Nova): system, user text, documents

NOVA = "amazon.nova-lite-v1:0"


def _converse(runtime, content: list, system: str | None = None) -> str:
    extra = {"system": [{"text": system}]} if system else {}
    reply = runtime.converse(modelId=NOVA, messages=[{"role": "user", "content": content}], **extra)
    return reply["output"]["message"]["content"][0]["text"]


def test_converse_on_nova_grounds_in_numbered_passages_of_the_user_text(runtime):
    numbered = "".join(f"[{i}] {p}\n\n" for i, p in enumerate(PASSAGES, 1))
    system = "Answer only from the numbered passages and cite them as [n]."
    content = [{"text": f"Context:\n{numbered}Question: When does the shop close?"}]
    answer = _converse(runtime, content, system)
    assert "closes at 6 pm" in answer and "[3]" in answer and "[1]" not in answer
    missing = _converse(runtime, [{"text": f"Context:\n{numbered}Question: Who painted the Mona Lisa?"}], system)
    assert "does not contain the answer" in missing


def test_converse_on_nova_grounds_in_the_system_prompt_and_in_document_blocks(runtime):
    system = "Answer from these documents.\n" + "".join(f"<document>{p}</document>\n" for p in PASSAGES)
    assert "Paris is the capital" in _converse(runtime, [{"text": "What is the capital of France?"}], system)
    doc = {"document": {"format": "txt", "name": "hours", "source": {"bytes": PASSAGES[2].encode()}}}
    assert "closes at 6 pm" in _converse(runtime, [doc, {"text": "When does the shop close?"}])
