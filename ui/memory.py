"""Hand the server's memory back after a crowd has gone.

Streamlit serves every session from a thread of one process and keeps a closed tab's
session, its state included, for reconnection (``server.disconnectedSessionTTL``, and in
fact until a later tab closes). glibc's malloc keeps what Python frees, in
one arena per thread that allocated at once, for reuse rather than returning it.

So a daemon thread, every :data:`TICK_S` seconds: clears what a page registered with
:func:`forget_when_closed` (things the session can rebuild, such as its stopped runs) once
the session's tab is gone; and while the app is quiet after page runs, on glibc only,
collects garbage once and returns every free page to the system with ``malloc_trim(0)``
(safe beside threads that allocate: it takes each arena's lock in turn). On musl, macOS and
Windows it clears but trims nothing. ``bench/memory_burst.py`` measures what this changes.
(``MALLOC_ARENA_MAX=2`` in the server's environment lowers the plateau further, but only
if set before the process starts: by the time this module is imported, Streamlit's
threads have made 16 arenas and glibc has fixed its limit, so ``mallopt`` here does
nothing, as measured.)
"""

from __future__ import annotations

import ctypes
import gc
import math
import threading
import time
import weakref
from typing import Any

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

TICK_S = 10.0
"""How often the janitor looks. A page run that started less than this ago means the
server is busy, and memory is not trimmed."""
ACTIVE_WINDOW_S = 180.0
"""How long after the last page run memory is still trimmed: runs go on after their page
started them, and closed sessions are dropped later still."""


def _load_glibc():
    """The process's C library if it is glibc (only glibc has ``gnu_get_libc_version``
    and ``malloc_trim``), else ``None``."""
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, TypeError, AttributeError):  # not glibc, or no C library to load
        return None
    return libc


class Janitor:
    """What to hand back, and when: pages feed it (:meth:`note_page_run`,
    :meth:`forget_when_closed`), a daemon thread calls :meth:`tick`."""

    def __init__(self, libc, is_active_session) -> None:
        self._libc, self._is_active_session = libc, is_active_session
        self._lock = threading.Lock()
        self._last_run = -math.inf
        self._collected = True
        self._per_session: dict[str, dict[int, weakref.ref]] = {}
        self.trims, self.trim_seconds = 0, 0.0  # what trimming has cost (the bench reads it)

    def note_page_run(self, now: float) -> None:
        with self._lock:
            self._last_run, self._collected = now, False

    def forget_when_closed(self, session_id: str, resource: Any) -> None:
        with self._lock:
            self._per_session.setdefault(session_id, {})[id(resource)] = weakref.ref(resource)

    def tick(self, now: float) -> bool:
        """Clear the registered resources of closed sessions; collect and trim if the last
        page run started between :data:`TICK_S` and :data:`ACTIVE_WINDOW_S` ago (returns
        whether it trimmed)."""
        with self._lock:
            closed = [
                self._per_session.pop(session_id)
                for session_id in list(self._per_session)
                if not self._is_active_session(session_id)
            ]
            due = self._libc is not None and TICK_S <= now - self._last_run <= ACTIVE_WINDOW_S
            collect, self._collected = due and not self._collected, self._collected or due
        for resources in closed:
            for resource in filter(None, (ref() for ref in resources.values())):
                resource.clear()
        if collect:
            # Once per quiet spell: what a crowd left in reference cycles (a stopped
            # rerun's traceback holds its frames), which an idle server never collects.
            gc.collect()
        if due:
            start = time.perf_counter()
            self._libc.malloc_trim(0)
            self.trims += 1
            self.trim_seconds += time.perf_counter() - start
        return due


def _is_active_session(session_id: str) -> bool:
    return runtime.exists() and runtime.get_instance().is_active_session(session_id)


JANITOR = Janitor(_load_glibc(), _is_active_session)
_thread_lock = threading.Lock()
_thread: threading.Thread | None = None


def _run() -> None:
    while True:
        time.sleep(TICK_S)
        JANITOR.tick(time.monotonic())


def _start() -> None:
    global _thread
    with _thread_lock:
        if _thread is None:
            _thread = threading.Thread(target=_run, name="dnl-memory", daemon=True)
            _thread.start()


def page_run() -> None:
    """Note that a page has started a run (every page calls it first, via setup_page)."""
    JANITOR.note_page_run(time.monotonic())
    _start()


def forget_when_closed(resource: Any) -> None:
    """Call ``resource.clear()`` once the current session's tab has closed (within
    :data:`TICK_S`), rather than whenever Streamlit drops the session: for what the session
    can rebuild, such as its stopped runs. Outside a page run, or in a session the server
    does not serve (an AppTest's), nothing is registered."""
    ctx = get_script_run_ctx()
    if ctx is not None and _is_active_session(ctx.session_id):
        JANITOR.forget_when_closed(ctx.session_id, resource)
        _start()
