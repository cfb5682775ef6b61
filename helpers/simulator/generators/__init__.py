"""Deterministic generators: text, embeddings and images made by rules from the request."""
