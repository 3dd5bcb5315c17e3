"""Atomic writes: a failed write leaves the old file and no litter; set-asides never overwrite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from avatar_desktop.core import atomic
from avatar_desktop.core.atomic import atomic_write_bytes, atomic_write_text, move_aside


def _litter(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(atomic.TEMP_SUFFIX))


def test_write_and_replace(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    atomic_write_text(target, "first\n")
    atomic_write_text(target, "second — ünïcode\n")
    assert target.read_bytes() == "second — ünïcode\n".encode()
    assert _litter(tmp_path) == []


def test_text_keeps_newlines_verbatim(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    atomic_write_text(target, "a\nb\r\n")
    assert target.read_bytes() == b"a\nb\r\n"


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_failure_keeps_old_file_and_removes_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    target = tmp_path / "f.json"
    atomic_write_bytes(target, b"old")

    def fail(*_args: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic.os, broken, fail)
    with pytest.raises(OSError, match="Input/output error"):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert _litter(tmp_path) == []


def test_missing_folder_is_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        atomic_write_bytes(tmp_path / "nope" / "f.json", b"x")


def test_move_aside_never_overwrites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "_timestamp", lambda: "20250101T000000000000Z")
    aside = tmp_path / "unreadable"
    moved = []
    for content in (b"one", b"two", b"three"):
        bad = tmp_path / "s.json"
        bad.write_bytes(content)
        moved.append(move_aside(bad, aside))
        assert not bad.exists()
    assert len(set(moved)) == 3
    assert [p.read_bytes() for p in moved] == [b"one", b"two", b"three"]
    assert all(p.parent == aside and p.suffix == ".json" for p in moved)
    assert moved[0].name == "s.20250101T000000000000Z.json"


def test_written_files_are_private(tmp_path: Path) -> None:
    target = tmp_path / "f"
    atomic_write_bytes(target, b"x")
    if os.name == "posix":
        assert target.stat().st_mode & 0o077 == 0


def test_windows_replace_is_retried_while_a_reader_holds_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(b"old")
    real_replace = os.replace
    failures = [PermissionError(13, "Access is denied")] * 2

    def flaky_replace(source: str, dest: Path) -> None:
        if failures:
            raise failures.pop()
        real_replace(source, dest)

    monkeypatch.setattr(atomic, "_IS_WINDOWS", True)
    monkeypatch.setattr(atomic.os, "replace", flaky_replace)
    atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"new"
    assert _litter(tmp_path) == []


def test_temp_names_say_which_are_ours(tmp_path: Path) -> None:
    fd, name = atomic.make_temp(tmp_path / "abc.json")
    os.close(fd)
    assert atomic.temp_target(Path(name).name) == "abc.json"
    for other in ["notes.tmp", ".notes.tmp", "abc.json", "x.abc12345.tmp", ".a.B-C.tmp"]:
        assert atomic.temp_target(other) is None, other


def test_remove_temps_removes_ours_only(tmp_path: Path) -> None:
    ours = []
    for target in ["a.json", "b.json", "settings.json"]:
        fd, name = atomic.make_temp(tmp_path / target)
        os.write(fd, b"a whole copy")
        os.close(fd)
        ours.append(Path(name))
    theirs = [tmp_path / "notes.tmp", tmp_path / "a.json", tmp_path / ".hidden"]
    for path in theirs:
        path.write_text("the user's", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    fd, nested = atomic.make_temp(tmp_path / "sub" / "clip.mp4")
    os.close(fd)
    link = tmp_path / ".c.json.abcd1234.tmp"
    link.symlink_to(tmp_path / "notes.tmp")  # a link is never ours: left alone

    assert atomic.remove_temps(tmp_path, target="a.json") == 1
    assert not ours[0].exists() and ours[1].exists()
    assert atomic.remove_temps(tmp_path) == 2
    assert Path(nested).exists()
    assert atomic.remove_temps(tmp_path, recursive=True) == 1
    assert not Path(nested).exists()
    assert all(path.exists() for path in theirs) and link.is_symlink()
    assert atomic.remove_temps(tmp_path / "missing") == 0


def test_a_killed_write_leaves_a_temp_that_remove_temps_recognises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*_args: object) -> None:
        raise KeyboardInterrupt  # stands in for a kill between write and rename

    monkeypatch.setattr(atomic.os, "unlink", lambda *_a: None)  # a kill cleans nothing up
    monkeypatch.setattr(atomic, "_replace", killed)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(tmp_path / "s.json", "secret conversation")
    monkeypatch.undo()
    assert len(_litter(tmp_path)) == 1
    assert atomic.remove_temps(tmp_path) == 1
    assert _litter(tmp_path) == []
