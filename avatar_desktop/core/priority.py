"""Background work that yields to what the user waits for: a thread lowers its own priority.

On two cores, a background model (the end-of-turn model, a model file being converted) beside
the recogniser and the window delays whatever the user is waiting on. Linux gives each thread
a nice value of its own; elsewhere the thread keeps its priority.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger(__name__)


def yield_cpu(niceness: int) -> int | None:
    """Lower the calling thread's priority by ``niceness``; its nice value after, or None where
    the system has no per-thread nice value or refuses."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + niceness)
        return os.getpriority(os.PRIO_PROCESS, tid)
    except OSError as exc:
        log.info("%s keeps its priority: %s", threading.current_thread().name, exc)
        return None
