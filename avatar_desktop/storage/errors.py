"""Storage failures as exceptions whose text a user can act on, not an errno."""

from __future__ import annotations

import errno
from pathlib import Path

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_DENIED = {errno.EACCES, errno.EPERM}


class StorageError(Exception):
    """A storage failure; ``str(exc)`` is a sentence fit for the status line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def describe_os_error(action: str, exc: OSError, where: Path) -> str:
    """Turn an OSError into a sentence naming the cause and what the user can do about it."""
    code = exc.errno
    if code in _DISK_FULL:
        cause = "the disk is full. Free some space and try again"
    elif code == errno.EROFS:
        cause = f"{where} is on a read-only disk. Move the app's data to a writable disk"
    elif code in _DENIED:
        cause = f"permission denied for {where}. Check that your account may use that folder"
    else:
        detail = exc.strerror or str(exc) or type(exc).__name__
        cause = f"{detail} ({where})"
    return f"Could not {action}: {cause}."
