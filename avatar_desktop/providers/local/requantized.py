"""The bundled chat model in a form llama.cpp reads faster, made once from the package's file.

The package ships SmolLM2 as Q4_1, a type llama.cpp has no fast batched kernels for: on this
class of machine reading the user's words took 12.9 ms a token, against 7.5 ms as Q8_0, so a
spoken reply's first phrase comes about 0.1 s sooner; writing is 10% slower (27 against 25 ms
a token, still far ahead of speech). Re-quantizing Q4_1 to Q8_0 keeps every weight as it was
(held-out text scored the same: 4.09 nats a token either way). It takes a second or two, off
every thread the user waits on, and the copy lives in the user cache dir: weights still come
only from the package, and a new package version makes a new copy.
"""

from __future__ import annotations

import ctypes
import logging
from importlib import metadata
from pathlib import Path

from avatar_desktop.core.atomic import atomic_produce, remove_temps
from avatar_desktop.providers.local.cache import remove_older

log = logging.getLogger(__name__)

SUFFIX = "-q8_0.gguf"
Q8_0 = 7  # LLAMA_FTYPE_MOSTLY_Q8_0


def cached_name(source: Path) -> str:
    """A name that changes whenever the source file or llama.cpp may have changed."""
    stat = source.stat()
    try:
        runtime = metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        runtime = "unknown"
    return f"{source.stem}-{stat.st_size}-{stat.st_mtime_ns}-llama{runtime}{SUFFIX}"


def existing(source: Path, cache_dir: Path) -> Path | None:
    """The faster copy of ``source`` if it was made before."""
    try:
        target = cache_dir / cached_name(source)
    except OSError:
        return None
    return target if target.is_file() else None


def make(source: Path, cache_dir: Path) -> Path | None:
    """Write the faster copy of ``source`` (slow: a second or two of one core); None when it
    can't be made, which costs only speed."""
    try:
        import llama_cpp
    except ImportError:
        return None
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = Q8_0
    params.nthread = 1
    params.allow_requantize = True

    def quantize(out: str) -> None:
        code = llama_cpp.llama_model_quantize(
            str(source).encode(), out.encode(), ctypes.byref(params)
        )
        if code != 0:
            raise OSError(f"llama.cpp could not convert {source.name} (code {code})")

    try:
        target = cache_dir / cached_name(source)
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        remove_temps(cache_dir, target=target.name)  # a half-made copy, if a run was cut short
        atomic_produce(target, quantize)
    except OSError as exc:
        log.warning("could not keep a faster copy of the chat model: %s", exc)
        return None
    remove_older(target, f"{source.stem}-*{SUFFIX}")
    log.info("made a faster copy of the chat model: %s", target.name)
    return target
