"""Die with the parent: no process of a local pool outlives a killed ``alliance``.

A SIGKILLed process cannot tell its children to stop. On Linux the kernel can: a process that
asks ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` is killed when its parent dies. The pool's
forkserver imports this module first (it is in its preload list, before the model), so it
is covered while it is still importing the model; each worker calls :func:`die_with_parent`
from its initializer. Elsewhere (or if ``prctl`` is missing) the executor's watcher thread,
which polls the parent, does the same within half a second.

Importing this module does nothing outside a forkserver started by the executor (which sets
``ALLIANCE_POOL_PARENT`` to its own process id just before).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(expected_parent: int | None = None) -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; exit now if the parent
    is already gone (``expected_parent`` differs from the actual parent). Returns whether the
    kernel accepted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        ok = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux: the watcher thread covers it
        ok = False
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)  # the parent died before we asked
    return ok


_parent = os.environ.get("ALLIANCE_POOL_PARENT", "")
if (_parent.isdigit() and int(_parent) != os.getpid()
        and "multiprocessing.forkserver" in sys.modules):  # this is the pool's forkserver
    die_with_parent(int(_parent))  # exits at once if the parent is already gone
