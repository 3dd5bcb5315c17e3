"""The embedded model provider: the bundled file, bad paths, and a real (short) generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.base import ChatModel, GenerationOptions, ProviderError
from avatar_desktop.providers.local.llm import (
    LocalChatModel,
    bundled_model_path,
    check_gguf,
    thread_counts,
)


def test_the_model_leaves_a_core_for_the_voice_and_the_window() -> None:
    # (prompt threads, generation threads) by core count; unknown counts as two
    assert [thread_counts(n) for n in (None, 1, 2, 4, 16)] == [
        (1, 1),
        (1, 1),
        (1, 1),
        (3, 3),
        (4, 4),
    ]


def test_the_bundled_model_ships_in_its_package() -> None:
    path = bundled_model_path()
    assert path is not None and path.suffix == ".gguf"
    assert path.stat().st_size > 50_000_000
    check_gguf(path)


def test_missing_path_is_refused_in_words(tmp_path: Path) -> None:
    with pytest.raises(ProviderError, match="does not exist"):
        check_gguf(tmp_path / "nope.gguf")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProviderError, match="folder"):
        check_gguf(tmp_path)


def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"PK\x03\x04 this is a zip")
    with pytest.raises(ProviderError, match="not a GGUF"):
        check_gguf(fake)


def test_a_broken_gguf_fails_to_load_with_a_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    model = LocalChatModel(model_path=broken)
    with pytest.raises(ProviderError, match="could not be loaded"):
        model.load()
    with pytest.raises(ProviderError):
        model.ready(CancelToken())
    assert model.name == "broken (on this computer)"


@pytest.mark.model
def test_the_real_model_streams_a_short_answer() -> None:
    model = LocalChatModel()
    assert isinstance(model, ChatModel)
    model.load()
    from langchain_core.messages import HumanMessage, SystemMessage

    messages = [SystemMessage("Answer briefly."), HumanMessage("Say hello.")]
    tokens = list(
        model.stream(messages, cancel=CancelToken(), options=GenerationOptions(max_tokens=12))
    )
    assert tokens and "".join(tokens).strip()
    assert model.count_tokens("Hello world") < 6
    assert model.name == "SmolLM2-135M (on this computer)"
    model.close()
    assert not model.is_loaded
