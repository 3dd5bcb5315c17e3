"""``--self-test`` from the source tree: every step passes with the real models, and a broken
model makes it fail loudly (the bundle's self-test runs in the test command after the build)."""

from __future__ import annotations

import pytest

from avatar_desktop.app.startup import selftest
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.local.llm import LocalChatModel
from tests.audio.pulse import PulseSink, pulse_sink  # noqa: F401


def test_the_self_test_runs_a_whole_offline_turn(pulse_sink: PulseSink) -> None:  # noqa: F811
    lines: list[str] = []
    assert selftest.run(lines.append) == 0, "\n".join(lines)
    passed = [line for line in lines if line.startswith("[PASS]")]
    assert len(passed) == 7, "\n".join(lines)
    assert lines[-1] == "self-test passed"


def test_a_model_that_cannot_load_fails_the_self_test(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_model: LocalChatModel) -> None:
        raise ProviderError("The bundled model file is damaged.")

    monkeypatch.setattr(LocalChatModel, "load", broken)
    lines: list[str] = []
    assert selftest.run(lines.append) == 1
    assert any(line.startswith("[FAIL] start the app") for line in lines), lines
    assert lines[-1] == "self-test FAILED"
