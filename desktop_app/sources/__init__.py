"""Remote sources: Hugging Face Daily Papers and arXiv, over one robust HTTP client (no Qt)."""
