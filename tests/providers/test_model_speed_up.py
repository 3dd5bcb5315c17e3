"""The bundled chat model's faster copy: made once in the cache, used when nothing was said yet,
loaded directly on later starts, and never a reason for the model not to answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.base import GenerationOptions
from avatar_desktop.providers.local import requantized
from avatar_desktop.providers.local.llm import GGUF_MAGIC, LocalChatModel, bundled_model_path

pytestmark = pytest.mark.model

MESSAGES = [SystemMessage("Answer briefly."), HumanMessage("What is the capital of France?")]
GREEDY = GenerationOptions(max_tokens=16, temperature=0.0)


def bundled() -> Path:
    path = bundled_model_path()
    assert path is not None
    return path


def answer(model: LocalChatModel) -> str:
    return "".join(model.stream(MESSAGES, cancel=CancelToken(), options=GREEDY))


def sped_up(model: LocalChatModel) -> None:
    assert model.speed_up is not None
    model.speed_up.join(timeout=60)
    assert not model.speed_up.is_alive()


def file_type(model: LocalChatModel) -> str:
    """The engine in use's weight type as its file says (7: Q8_0, 3: Q4_1)."""
    engine = model._loader.engine
    assert engine is not None
    return str(engine.metadata["general.file_type"])


def test_the_first_start_makes_the_copy_and_moves_to_it_before_anything_is_said(
    tmp_path: Path,
) -> None:
    package = LocalChatModel()
    package.load()
    expected = answer(package)
    assert file_type(package) == "3"
    package.close()

    model = LocalChatModel(cache_dir=tmp_path)
    model.load()
    assert model.reading == bundled()  # the package's file answers at once
    sped_up(model)
    made = requantized.existing(bundled(), tmp_path)
    assert made is not None and model.reading == made
    assert made.read_bytes()[:4] == GGUF_MAGIC
    assert [p.name for p in tmp_path.iterdir()] == [made.name]  # no temp file left behind
    assert answer(model) == expected  # the same weights: the same greedy words
    assert file_type(model) == str(requantized.Q8_0)
    model.close()


def test_later_starts_load_the_copy_directly(tmp_path: Path) -> None:
    made = requantized.make(bundled(), tmp_path)
    assert made is not None
    model = LocalChatModel(cache_dir=tmp_path)
    model.load()
    assert model.reading == made and model.speed_up is None
    assert answer(model).strip()
    model.close()


def test_an_answer_begun_keeps_its_engine(tmp_path: Path) -> None:
    """Moving engines mid-conversation would read the whole conversation again."""
    model = LocalChatModel(cache_dir=tmp_path)
    model.load()
    assert answer(model).strip()
    sped_up(model)
    assert model.reading == bundled()
    assert requantized.existing(bundled(), tmp_path) is not None  # for the next start
    model.close()


def test_a_damaged_copy_is_dropped_and_made_again(tmp_path: Path) -> None:
    damaged = tmp_path / requantized.cached_name(bundled())
    damaged.write_bytes(GGUF_MAGIC + b"\x00" * 128)
    model = LocalChatModel(cache_dir=tmp_path)
    model.load()
    assert model.reading == bundled()
    sped_up(model)
    assert model.reading == damaged and damaged.stat().st_size > 50_000_000
    model.close()


def test_a_cache_that_cannot_be_written_costs_only_speed(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder should be")
    model = LocalChatModel(cache_dir=blocked)
    model.load()
    sped_up(model)
    assert model.reading == bundled()
    assert answer(model).strip()
    model.close()


def test_a_chosen_model_file_is_read_as_it_is(tmp_path: Path) -> None:
    """Only the bundled model is known to gain; a file the user picked is theirs."""
    mine = tmp_path / "mine.gguf"
    mine.symlink_to(bundled())
    model = LocalChatModel(model_path=mine, cache_dir=tmp_path)
    model.load()
    assert model.reading == mine and model.speed_up is None
    model.close()
    assert list(tmp_path.iterdir()) == [mine]
