"""The video cache stays under its size: least recently used files go, playing ones stay."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from avatar_desktop.storage import media_cache
from avatar_desktop.storage.media_cache import MediaCache


def _file(cache: MediaCache, name: str, size: int, used_at: float) -> Path:
    path = cache.path_for(name)
    path.write_bytes(b"v" * size)
    os.utime(path, (used_at, used_at))
    return path


@pytest.fixture
def cache(tmp_path: Path) -> MediaCache:
    return MediaCache(tmp_path / "videos", limit_bytes=250)


def test_path_for_is_a_fresh_safe_name_inside_the_folder(cache: MediaCache) -> None:
    paths = [cache.path_for("../../tlk 1/..\\evil:name?.MP4") for _ in range(50)]

    assert len(set(paths)) == 50
    for path in paths:
        assert path.parent == cache.folder
        assert path.suffix == ".mp4"
        assert ".." not in path.name and " " not in path.name and ":" not in path.name
    assert cache.path_for("").parent == cache.folder


def test_least_recently_used_files_go_first(cache: MediaCache) -> None:
    old = _file(cache, "old.mp4", 100, 1000)
    middle = _file(cache, "middle.mp4", 100, 2000)
    recent = _file(cache, "recent.mp4", 100, 3000)
    newest = _file(cache, "newest.mp4", 100, 4000)

    freed = cache.add(newest)

    assert freed == 200
    assert not old.exists() and not middle.exists()
    assert recent.exists() and newest.exists()
    assert cache.total_bytes() == 200


def test_touch_saves_a_file_from_eviction(cache: MediaCache) -> None:
    old = _file(cache, "old.mp4", 100, 1000)
    middle = _file(cache, "middle.mp4", 100, 2000)
    recent = _file(cache, "recent.mp4", 100, 3000)

    cache.touch(old)  # played again just now
    cache.trim()

    assert old.exists() and recent.exists()
    assert not middle.exists()


def test_trim_never_removes_kept_files(cache: MediaCache) -> None:
    playing = _file(cache, "playing.mp4", 100, 1000)
    next_up = _file(cache, "next.mp4", 100, 1500)
    other = _file(cache, "other.mp4", 100, 2000)
    late = _file(cache, "late.mp4", 100, 3000)

    freed = cache.trim(keep=[Path(str(playing)), next_up.parent / ".." / "videos" / next_up.name])

    assert freed == 200
    assert playing.exists() and next_up.exists()
    assert not other.exists() and not late.exists()


def test_add_keeps_the_new_file_and_the_playing_one(cache: MediaCache) -> None:
    playing = _file(cache, "playing.mp4", 100, 1000)
    other = _file(cache, "other.mp4", 100, 2000)
    new = _file(cache, "new.mp4", 100, 500)  # even with an old timestamp

    cache.add(new, keep=[playing])

    assert playing.exists() and new.exists() and not other.exists()


def test_everything_kept_means_nothing_removed_even_over_the_limit(cache: MediaCache) -> None:
    files = [_file(cache, f"clip{i}.mp4", 100, 1000 + i) for i in range(4)]

    assert cache.trim(keep=files) == 0
    assert cache.total_bytes() == 400


def test_downloads_in_progress_are_neither_counted_nor_removed(cache: MediaCache) -> None:
    partial = cache.folder / ".tlk_1.mp4.abcd1234.tmp"
    partial.write_bytes(b"p" * 1000)
    done = _file(cache, "done.mp4", 100, 1000)

    assert cache.total_bytes() == 100
    assert cache.trim() == 0
    assert partial.exists() and done.exists()


def test_stale_temp_files_from_a_crash_are_cleared(cache: MediaCache) -> None:
    stale = cache.folder / ".tlk_0.mp4.dead.tmp"
    stale.write_bytes(b"p" * 10)
    os.utime(stale, (1000, 1000))

    cache.trim()

    assert not stale.exists()


def test_files_vanishing_during_a_trim_are_survived(
    cache: MediaCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [_file(cache, f"clip{i}.mp4", 100, 1000 + i) for i in range(4)]
    real_scandir = os.scandir

    def scandir_then_vanish(folder: Path) -> list[os.DirEntry[str]]:
        listing = list(real_scandir(folder))
        files[0].unlink()  # another process cleans up between listing and stat
        files[1].unlink(missing_ok=True)
        return listing

    monkeypatch.setattr(media_cache.os, "scandir", scandir_then_vanish)
    cache.trim()
    monkeypatch.undo()

    assert files[2].exists() and files[3].exists()
    assert cache.total_bytes() == 200


def test_concurrent_adds_keep_the_total_under_the_limit(cache: MediaCache) -> None:
    def worker(n: int) -> None:
        for i in range(10):
            path = cache.path_for(f"w{n}-{i}.mp4")
            path.write_bytes(b"x" * 60)
            cache.add(path)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert 0 < cache.total_bytes() <= cache.limit_bytes
