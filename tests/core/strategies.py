"""Hypothesis strategies shared by the streaming-stage tests."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import strategies as st


@st.composite
def chunked(
    draw: st.DrawFn, texts: st.SearchStrategy[str], max_cuts: int = 15
) -> tuple[str, list[str]]:
    """A text and one arbitrary way to split it into chunks (empty chunks included)."""
    text = draw(texts)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=max_cuts)))
    bounds = [0, *cuts, len(text)]
    return text, [text[a:b] for a, b in pairwise(bounds)]
