"""The bundled voice with its phoneme-alignment output, patched once and kept in the cache.

Piper can patch the voice in memory on every start, but parsing and re-serializing the
model holds the GIL for about 100 ms, a visible hitch in the window. Patching once into the
user cache dir and loading that file lets onnxruntime read it without holding the GIL.
"""

from __future__ import annotations

import contextlib
import logging
from importlib import metadata
from pathlib import Path

from avatar_desktop.core.atomic import atomic_write_bytes

log = logging.getLogger(__name__)

SUFFIX = "-aligned.onnx"


def cached_name(source: Path) -> str:
    """A name that changes whenever the voice file or the patching code may have changed."""
    stat = source.stat()
    try:
        piper = metadata.version("piper-tts")
    except metadata.PackageNotFoundError:
        piper = "unknown"
    return f"{source.stem}-{stat.st_size}-{stat.st_mtime_ns}-piper{piper}{SUFFIX}"


def aligned_model(source: Path, cache_dir: Path | None) -> Path | None:
    """The cached patched copy of ``source``, made now if missing; None when it can't be.

    None means "let Piper patch in memory", which is slower to start but always works.
    """
    if cache_dir is None:
        return None
    try:
        target = cache_dir / cached_name(source)
        if target.is_file():
            return target
        data = _patched(source)
        if data is None:
            return None
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_bytes(target, data)
    except OSError as exc:
        log.warning("could not keep the patched voice in the cache: %s", exc)
        return None
    _remove_older(target, source.stem)
    log.info("patched the voice for phoneme timings once: %s", target.name)
    return target


def forget(path: Path) -> None:
    """Drop a cached copy that onnxruntime could not read; the next start makes it again."""
    with contextlib.suppress(OSError):
        path.unlink()


def _patched(source: Path) -> bytes | None:
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output
    except ImportError:
        return None
    model = onnx.load(str(source))
    try:
        add_alignment_output(model)
    except ValueError as exc:  # no such tensor, or already patched: Piper decides in memory
        log.debug("not caching a patched voice: %s", exc)
        return None
    data: bytes = model.SerializeToString()
    return data


def _remove_older(keep: Path, stem: str) -> None:
    """Older patched copies of the same voice are never read again; the cache stays bounded."""
    for old in keep.parent.glob(f"{stem}-*{SUFFIX}"):
        if old != keep:
            forget(old)
