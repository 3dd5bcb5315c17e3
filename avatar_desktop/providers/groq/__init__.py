"""Groq: the brain (chat through langchain-groq) and the ears (Whisper); SDKs load on first use."""
