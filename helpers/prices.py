"""Estimated cost of a Bedrock text call from its token counts: on-demand list prices, US East (N. Virginia).

Prices are USD per 1,000 tokens (input, output), as recalled from AWS's Amazon Bedrock pricing page
(aws.amazon.com/bedrock/pricing); they are approximate, change over time and differ by Region, so
treat every estimate as a guide and check the page before budgeting. Models not listed here get no
estimate rather than a guess. Cross-region inference profiles are billed at the source Region's price
(same page), so a profile id costs what its model costs.
"""

from __future__ import annotations

PER_1K_TOKENS: dict[str, tuple[float, float]] = {
    "amazon.nova-micro-v1:0": (0.000035, 0.00014),
    "amazon.nova-lite-v1:0": (0.00006, 0.00024),
    "amazon.nova-pro-v1:0": (0.0008, 0.0032),
    "amazon.titan-text-express-v1": (0.0002, 0.0006),
    "amazon.titan-text-lite-v1": (0.00015, 0.0002),
    "amazon.titan-text-premier-v1:0": (0.0005, 0.0015),
    "anthropic.claude-instant-v1": (0.0008, 0.0024),
    "anthropic.claude-v2": (0.008, 0.024),
    "anthropic.claude-v2:1": (0.008, 0.024),
    "anthropic.claude-3-sonnet-20240229-v1:0": (0.003, 0.015),
    "anthropic.claude-3-haiku-20240307-v1:0": (0.00025, 0.00125),
    "anthropic.claude-3-5-sonnet-20240620-v1:0": (0.003, 0.015),
    "anthropic.claude-3-5-sonnet-20241022-v2:0": (0.003, 0.015),
    "anthropic.claude-3-5-haiku-20241022-v1:0": (0.0008, 0.004),
    "anthropic.claude-3-7-sonnet-20250219-v1:0": (0.003, 0.015),
    "anthropic.claude-sonnet-4-20250514-v1:0": (0.003, 0.015),
    "anthropic.claude-sonnet-4-5-20250929-v1:0": (0.003, 0.015),
    "anthropic.claude-haiku-4-5-20251001-v1:0": (0.001, 0.005),
    "cohere.command-text-v14": (0.0015, 0.002),
    "cohere.command-light-text-v14": (0.0003, 0.0006),
    "cohere.command-r-v1:0": (0.0005, 0.0015),
    "cohere.command-r-plus-v1:0": (0.003, 0.015),
    "ai21.jamba-1-5-mini-v1:0": (0.0002, 0.0004),
    "ai21.jamba-1-5-large-v1:0": (0.002, 0.008),
    "meta.llama3-8b-instruct-v1:0": (0.0003, 0.0006),
    "meta.llama3-70b-instruct-v1:0": (0.00265, 0.0035),
    "meta.llama3-1-8b-instruct-v1:0": (0.00022, 0.00022),
    "meta.llama3-1-70b-instruct-v1:0": (0.00072, 0.00072),
    "meta.llama3-2-1b-instruct-v1:0": (0.0001, 0.0001),
    "meta.llama3-2-3b-instruct-v1:0": (0.00015, 0.00015),
    "meta.llama3-2-11b-instruct-v1:0": (0.00016, 0.00016),
    "meta.llama3-2-90b-instruct-v1:0": (0.00072, 0.00072),
    "meta.llama3-3-70b-instruct-v1:0": (0.00072, 0.00072),
    "mistral.mistral-7b-instruct-v0:2": (0.00015, 0.0002),
    "mistral.mixtral-8x7b-instruct-v0:1": (0.00045, 0.0007),
    "mistral.mistral-large-2402-v1:0": (0.004, 0.012),
    "mistral.mistral-large-2407-v1:0": (0.002, 0.006),
    "mistral.mistral-small-2402-v1:0": (0.001, 0.003),
    "openai.gpt-oss-20b-1:0": (0.00007, 0.0003),
    "openai.gpt-oss-120b-1:0": (0.00015, 0.0006),
}


def estimate(model_id: str, input_tokens: int, output_tokens: int) -> float | None:
    """Estimated USD for one call, or None when the workshop's table has no price for the model."""
    from .profiles import split

    _prefix, base = split(model_id)
    price = PER_1K_TOKENS.get(base)
    if price is None:
        return None
    return (input_tokens * price[0] + output_tokens * price[1]) / 1000


def describe(cost: float | None) -> str:
    """'$0.000123 (estimated)', or a plain word when there is no price."""
    return "no price in the workshop's table" if cost is None else f"${cost:.6f} (estimated)"
