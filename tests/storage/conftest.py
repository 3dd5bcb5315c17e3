"""Storage fixtures (the throwaway home and the real-home guard come from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from avatar_desktop.storage.sessions import SessionStore


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions")
