"""Read a data file only if it is a regular file of sane size.

A settings or session path can be a FIFO (the read blocks forever), a link to ``/dev/zero``
(the read never ends) or a huge file (the read fills memory). The file is opened without
blocking, checked with ``fstat`` on the open descriptor (no race with a rename between check
and read), and read up to a cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SETTINGS_LIMIT = 1 << 20  # 1 MiB: a settings file is a few kB
SESSION_LIMIT = 64 << 20  # 64 MiB: far above any conversation a person writes


class NotAFile(OSError):
    """The path exists but is not a regular file (a FIFO, device, socket or folder)."""


class TooLarge(OSError):
    """The file is larger than the reader accepts."""


def read_regular(path: Path, limit: int) -> bytes:
    """The file's bytes; ``NotAFile`` or ``TooLarge`` instead of blocking or filling memory.

    Other failures are the ``OSError`` of the open or read (``FileNotFoundError`` among them).
    """
    return read_regular_stat(path, limit)[1]


def read_regular_stat(path: Path, limit: int) -> tuple[os.stat_result, bytes]:
    """As ``read_regular``, with the ``fstat`` of the handle the bytes came from."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(f"{path} is not a regular file")
        if info.st_size > limit:
            raise TooLarge(f"{path} is larger than {describe_limit(limit)}")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:  # it grew after the fstat
        raise TooLarge(f"{path} is larger than {describe_limit(limit)}")
    return info, data


def kind_of(path: Path) -> str:
    """Words for what a path is when it is not a regular file, for the user's notice."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "not a readable file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def describe_limit(limit: int) -> str:
    """A size limit in words: "1 MiB", "64 MiB"."""
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit} bytes"
