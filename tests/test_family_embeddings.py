"""Titan Embeddings G1/V2 and Cohere Embed v3 through real boto3 clients: shapes, limits, texts."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import error_of, invoke, malformed, rejected

G1, V2 = "amazon.titan-embed-text-v1", "amazon.titan-embed-text-v2:0"
COHERE_EN, COHERE_ML = "cohere.embed-english-v3", "cohere.embed-multilingual-v3"


def embed(runtime, model_id: str, text: str, **extra) -> np.ndarray:
    body, _ = invoke(runtime, model_id, {"inputText": text, **extra})
    return np.array(body["embedding"])


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# ---------------------------------------------------------------- Titan G1


def test_g1_vector_is_1536_unnormalised_floats_with_token_count(runtime):
    body, headers = invoke(runtime, G1, {"inputText": "对不起"})
    assert list(body) == ["embedding", "inputTextTokenCount"]
    assert len(body["embedding"]) == 1536
    assert not np.isclose(np.linalg.norm(body["embedding"]), 1.0)  # G1 does not normalise
    assert body["inputTextTokenCount"] == 3 == int(headers["x-amzn-bedrock-input-token-count"])


def test_g1_same_text_same_vector_and_self_cosine_is_one(runtime):
    a, b = embed(runtime, G1, "对不起"), embed(runtime, G1, "对不起")
    assert np.array_equal(a, b)
    assert cosine(a, b) == pytest.approx(1.0)


def test_g1_vectors_are_pinned_across_runs_and_machines(runtime):
    # Computed once and written down: a change here changes every committed notebook output.
    vec = embed(runtime, G1, "对不起")
    assert np.allclose(vec[:4], [-0.4648, 0.7813, -0.2344, 0.0640], atol=0.005)
    assert np.linalg.norm(vec) == pytest.approx(18.886, abs=0.01)


def test_g1_lengths_vary_from_text_to_text_but_stay_near_20(runtime):
    lengths = [np.linalg.norm(embed(runtime, G1, t)) for t in ("对不起", "the weather", "I apologize")]
    assert all(0.9 * 19.6 - 0.1 < n < 1.1 * 19.6 + 0.1 for n in lengths)
    assert len({round(n, 2) for n in lengths}) == 3


def test_g1_accepts_only_input_text(runtime):
    # Real text: aws-samples/serverless-pdf-chat#35 (no JSON pointer for a single violation).
    assert rejected(runtime, G1, {"inputText": "x", "textGenerationConfig": {}}) == (
        "ValidationException",
        malformed("extraneous key [textGenerationConfig] is not permitted"),
        400,
    )


def test_g1_several_violations_are_counted(runtime):
    # Real text: spring-projects/spring-ai#788.
    assert rejected(runtime, G1, {"text": "x"}) == (
        "ValidationException",
        malformed("2 schema violations found"),
        400,
    )


def test_g1_refuses_an_empty_text(runtime):
    code, message, status = rejected(runtime, G1, {"inputText": ""})
    assert (code, message, status) == ("ValidationException", malformed("expected minLength: 1, actual: 0"), 400)


def test_g1_token_limit_message(runtime):
    # Real text: aws-samples/amazon-bedrock-workshop#136.
    text = " ".join(["word"] * 9000)
    assert rejected(runtime, G1, {"inputText": text}) == (
        "ValidationException",
        "400 Bad Request: Too many input tokens. Max input tokens: 8192, request input token count: 9000",
        400,
    )


def test_embedding_models_do_not_stream(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model_with_response_stream(modelId=V2, body='{"inputText": "x"}')
    assert error_of(exc) == ("ValidationException", "The model is unsupported for streaming.", 400)


# ---------------------------------------------------------------- Titan V2


def test_v2_defaults_are_1024_normalised_floats_with_embeddings_by_type(runtime):
    body, _ = invoke(runtime, V2, {"inputText": "hello world"})
    assert list(body) == ["embedding", "inputTextTokenCount", "embeddingsByType"]
    assert len(body["embedding"]) == 1024
    assert np.linalg.norm(body["embedding"]) == pytest.approx(1.0, abs=1e-5)
    assert body["embeddingsByType"] == {"float": body["embedding"]}


@pytest.mark.parametrize("dims", [256, 512, 1024])
def test_v2_dimensions(runtime, dims):
    assert len(embed(runtime, V2, "hello", dimensions=dims)) == dims


@pytest.mark.parametrize("dims", [0, 100, 768, 1536])
def test_v2_rejects_other_dimensions(runtime, dims):
    assert rejected(runtime, V2, {"inputText": "x", "dimensions": dims}) == (
        "ValidationException",
        malformed(f"{dims} is not a valid enum value"),
        400,
    )


def test_v2_normalize_false_keeps_the_length(runtime):
    vec = embed(runtime, V2, "hello", normalize=False)
    assert np.linalg.norm(vec) > 2
    unit = embed(runtime, V2, "hello")
    assert cosine(vec, unit) == pytest.approx(1.0)


def test_v2_normalize_must_be_a_boolean(runtime):
    assert rejected(runtime, V2, {"inputText": "x", "normalize": "yes"}) == (
        "ValidationException",
        malformed("expected type: Boolean, found: String"),
        400,
    )


def test_v2_binary_embedding_is_one_bit_per_dimension(runtime):
    body, _ = invoke(runtime, V2, {"inputText": "hello", "dimensions": 256, "embeddingTypes": ["binary", "float"]})
    bits, floats = body["embeddingsByType"]["binary"], body["embeddingsByType"]["float"]
    assert list(body["embeddingsByType"]) == ["binary", "float"]
    assert len(bits) == 256 and set(bits) <= {0, 1}
    assert bits == [int(x > 0) for x in floats]
    assert body["embedding"] == floats  # `embedding` is always the float vector


def test_v2_binary_only_still_answers_the_float_embedding(runtime):
    body, _ = invoke(runtime, V2, {"inputText": "hello", "embeddingTypes": ["binary"]})
    assert list(body["embeddingsByType"]) == ["binary"]
    assert len(body["embedding"]) == 1024


@pytest.mark.parametrize(
    ("types", "reason"),
    [
        (["int8"], "int8 is not a valid enum value"),
        ([], "expected minimum item count: 1, found: 0"),
        ("float", "expected type: JSONArray, found: String"),
    ],
)
def test_v2_embedding_types_are_float_or_binary(runtime, types, reason):
    assert rejected(runtime, V2, {"inputText": "x", "embeddingTypes": types}) == (
        "ValidationException",
        malformed(reason),
        400,
    )


def test_v2_character_limit(runtime):
    # Real text: alphagov/govuk-chat#220.
    assert rejected(runtime, V2, {"inputText": "ab" * 30000}) == (
        "ValidationException",
        malformed("expected maxLength: 50000, actual: 60000"),
        400,
    )


def test_v2_and_g1_live_in_different_spaces(runtime):
    g1, v2 = embed(runtime, G1, "hello world")[:1024], embed(runtime, V2, "hello world")
    assert abs(cosine(g1, v2)) < 0.2


def test_v2_vectors_are_pinned(runtime):
    vec = embed(runtime, V2, "对不起", dimensions=256)
    assert np.allclose(vec[:4], [0.04540, 0.00300, -0.01296, 0.05760], atol=2e-4)


def test_v2_smaller_vectors_keep_the_ranking(runtime):
    texts = ["对不起", "對不起", "抱歉", "the weather", "I'm sorry"]
    for dims in (256, 512):
        full = [embed(runtime, V2, t) for t in texts]
        small = [embed(runtime, V2, t, dimensions=dims) for t in texts]
        rank_full = np.argsort([-(full[0] @ v) for v in full])
        rank_small = np.argsort([-(small[0] @ v) for v in small])
        assert list(rank_full[:2]) == list(rank_small[:2]) == [0, 1]


# ---------------------------------------------------------------- Cohere Embed v3


def test_cohere_embeds_many_texts_in_one_call(runtime):
    body, headers = invoke(runtime, COHERE_EN, {"texts": ["hello", "world"], "input_type": "search_document"})
    assert list(body) == ["embeddings", "id", "response_type", "texts"]
    assert body["response_type"] == "embeddings_floats"
    assert body["texts"] == ["hello", "world"]
    assert [len(v) for v in body["embeddings"]] == [1024, 1024]
    assert int(headers["x-amzn-bedrock-input-token-count"]) == 4


def test_cohere_query_and_document_are_close_but_not_equal(runtime):
    doc, _ = invoke(runtime, COHERE_ML, {"texts": ["对不起"], "input_type": "search_document"})
    query, _ = invoke(runtime, COHERE_ML, {"texts": ["对不起"], "input_type": "search_query"})
    similarity = cosine(np.array(doc["embeddings"][0]), np.array(query["embeddings"][0]))
    assert 0.9 < similarity < 1.0


def test_cohere_vectors_are_pinned(runtime):
    body, _ = invoke(runtime, COHERE_ML, {"texts": ["对不起"], "input_type": "search_query"})
    assert np.allclose(body["embeddings"][0][:4], [0.0028, -0.0289, 0.0160, -0.0220], atol=2e-4)


def test_cohere_embeds_all_texts_in_one_encoder_batch(runtime, monkeypatch):
    from helpers.simulator.generators import embeddings

    model = embeddings._encoder()
    batches: list[list[str]] = []
    real = model.encode
    monkeypatch.setattr(model, "encode", lambda texts: batches.append(list(texts)) or real(texts))
    texts = [f"batch sentence number {i}, never embedded before" for i in range(20)]
    invoke(runtime, COHERE_ML, {"texts": texts, "input_type": "search_document"})
    assert batches == [texts]
    invoke(runtime, COHERE_ML, {"texts": texts, "input_type": "search_query"})
    assert len(batches) == 1  # seen texts come from the cache


def test_cohere_embedding_types(runtime):
    body, _ = invoke(
        runtime, COHERE_EN, {"texts": ["hi"], "input_type": "clustering", "embedding_types": ["int8", "ubinary"]}
    )
    assert body["response_type"] == "embeddings_by_type"
    assert list(body["embeddings"]) == ["int8", "ubinary"]
    assert len(body["embeddings"]["int8"][0]) == 1024 and len(body["embeddings"]["ubinary"][0]) == 128
    assert all(-128 <= x <= 127 for x in body["embeddings"]["int8"][0])


def test_cohere_given_a_titan_body(runtime):
    # Real text: promptfoo/promptfoo#921.
    assert rejected(runtime, COHERE_EN, {"inputText": "x"}) == (
        "ValidationException",
        "Malformed input request: #: required key [texts] not found#: required key [input_type] not found"
        "#: extraneous key [inputText] is not permitted, please reformat your input and try again.",
        400,
    )


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"input_type": "search"}, "#/input_type: search is not a valid enum value"),
        ({"truncate": "MIDDLE"}, "#/truncate: MIDDLE is not a valid enum value"),
        ({"texts": ["x"] * 97}, "#/texts: expected maximum item count: 96, found: 97"),
        ({"texts": ["x" * 2049]}, "#/texts/0: expected maxLength: 2048, actual: 2049"),
        ({"embedding_types": ["float16"]}, "#/embedding_types/0: float16 is not a valid enum value"),
    ],
)
def test_cohere_documented_limits(runtime, extra, reason):
    body = {"texts": ["x"], "input_type": "search_query", **extra}
    assert rejected(runtime, COHERE_EN, body) == ("ValidationException", malformed(reason), 400)


# ---------------------------------------------------------------- meaning, in every model's space

APOLOGIES = ["对不起", "I'm sorry", "I apologize", "抱歉", "Désolé", "我很抱歉"]
UNRELATED = "the weather is nice today"
SPACES = [
    pytest.param(G1, {}, id="titan-g1"),
    pytest.param(V2, {}, id="titan-v2-1024"),
    pytest.param(V2, {"dimensions": 512}, id="titan-v2-512"),
    pytest.param(V2, {"dimensions": 256}, id="titan-v2-256"),
    pytest.param(V2, {"normalize": False}, id="titan-v2-unnormalised"),
    pytest.param(COHERE_ML, {}, id="cohere-multilingual"),
]


def vectors(runtime, model_id: str, texts: list[str], **extra) -> np.ndarray:
    """Unit vectors for `texts` from any of the embedding models (Cohere: one call for all)."""
    if model_id.startswith("cohere."):
        body, _ = invoke(runtime, model_id, {"texts": texts, "input_type": "clustering", **extra})
        vecs = np.array(body["embeddings"])
    else:
        vecs = np.array([embed(runtime, model_id, t, **extra) for t in texts])
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


@pytest.mark.parametrize(("model_id", "extra"), SPACES)
def test_apologies_in_any_language_outscore_an_unrelated_sentence_by_a_margin(runtime, model_id, extra):
    vecs = vectors(runtime, model_id, [*APOLOGIES, UNRELATED], **extra)
    scores = vecs @ vecs.T
    n = len(APOLOGIES)
    weakest_pair = min(scores[i, j] for i in range(n) for j in range(i + 1, n))
    closest_unrelated = scores[:n, n].max()
    assert weakest_pair > closest_unrelated + 0.2, (weakest_pair, closest_unrelated)


@pytest.mark.parametrize(("model_id", "extra"), SPACES)
def test_the_same_sentence_in_english_and_chinese_scores_high(runtime, model_id, extra):
    en, zh, other = vectors(runtime, model_id, [UNRELATED, "今天天气很好", "I apologize"], **extra)
    assert en @ zh > 0.7
    assert en @ zh > en @ other + 0.5


@pytest.mark.parametrize(("model_id", "extra"), SPACES)
def test_shared_characters_without_shared_meaning_rank_below_a_paraphrase(runtime, model_id, extra):
    # 他对不起眼的小事很在意 ("he minds inconspicuous trifles") contains the characters 对不起 but no apology.
    word, trap, paraphrase, english = vectors(
        runtime, model_id, ["对不起", "他对不起眼的小事很在意", "我很抱歉", "I'm sorry"], **extra
    )
    assert word @ paraphrase > word @ trap + 0.1
    assert word @ english > word @ trap + 0.1


def test_a_paraphrase_outranks_a_sentence_that_shares_its_keywords(runtime):
    q, para, trap = vectors(
        runtime,
        V2,
        [
            "How do I reset my password?",
            "How can I change my password?",
            "The reset button on my router has a password sticker.",
        ],
    )
    assert q @ para > q @ trap + 0.2


def test_projections_keep_the_encoders_cosines(runtime):
    """From 512 encoder dimensions up to 1024 or 1536 the projection is an isometry; down to 256, close."""
    from helpers.simulator.generators import embeddings

    texts = [*APOLOGIES, UNRELATED, "今天天气很好"]
    units = embeddings.encode(texts)
    truth = units @ units.T
    exact = {"g1 (bfloat16 JSON)": (vectors(runtime, G1, texts), 0.01)}
    exact |= {f"v2 {d}": (vectors(runtime, V2, texts, dimensions=d), 1e-5) for d in (1024, 512)}
    for name, (vecs, tolerance) in exact.items():
        assert np.abs(vecs @ vecs.T - truth).max() < tolerance, name
    small = vectors(runtime, V2, texts, dimensions=256)
    assert np.abs(small @ small.T - truth).max() < 0.15
    assert np.corrcoef((small @ small.T).ravel(), truth.ravel())[0, 1] > 0.98
