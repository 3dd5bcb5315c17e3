"""Keeps the process alive under a PySide6 binding bug that a 60 fps painter hits within seconds.

PySide6/shiboken6 6.12.0 ship abi3 wheels built against headers where ``None`` is immortal
(PEP 683, CPython 3.12+). On CPython 3.11 every call of a void Qt method then drops one reference
to ``None`` (``QColor().setAlphaF(0.5)`` lowers ``sys.getrefcount(None)`` by one), and after a few
thousand calls the interpreter aborts with "Fatal Python error: none_dealloc". A frame of the
avatar makes a few hundred such calls. On 3.12+ this module does nothing.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_FLOOR = 1 << 30  # top up below this many references ...
_BOOST = 1 << 40  # ... by this many: ~35 years of 1,000 void calls per second


def keep_none_alive() -> None:
    """Give ``None`` enough spare references that the binding's leak can never free it."""
    if sys.version_info >= (3, 12):
        return
    refcount = ctypes.c_ssize_t.from_address(id(None))
    if refcount.value < _FLOOR:
        refcount.value += _BOOST
        log.debug("Raised None's reference count to survive the PySide6 6.12 void-call leak")
