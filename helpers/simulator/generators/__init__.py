"""Deterministic generators: text and images made by rules from the request, embeddings from a small
sentence encoder that ships in a pip package, and answers grounded in the passages a prompt supplies."""
