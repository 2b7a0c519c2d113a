"""A small sampling profiler for the main thread of a server process, greenlet-aware.

cProfile reports own time well but garbles inclusive time under asyncio plus SQLAlchemy's
greenlets (a greenlet switch looks like returns and calls in the wrong order). This sampler reads
the main thread's stack every millisecond from another thread and, when that stack runs inside a
greenlet, continues it with the frames of the suspended parent greenlet, so SQLAlchemy's work is
charged to the repository call that caused it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from types import FrameType
from typing import Any

Frame = tuple[str, int, str]  # file, first line of the function, function name


class StackSampler:
    """Counts the main thread's stacks while running; idle samples (waiting on I/O) are kept
    apart."""

    def __init__(self, interval: float = 0.001) -> None:
        self._interval = interval
        self._stacks: Counter[tuple[Frame, ...]] = Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._main_id = threading.main_thread().ident
        self._greenlet: list[Any] = [None]  # the greenlet the main thread runs now
        self._switch_interval = sys.getswitchinterval()
        self.began = 0.0
        self.seconds = 0.0

    def start(self) -> None:
        """Begin sampling (call from the main thread)."""
        try:
            import greenlet
        except ImportError:  # pragma: no cover - SQLAlchemy's asyncio needs greenlet
            greenlet = None
        if greenlet is not None:
            current = self._greenlet

            def on_switch(event: str, args: tuple[Any, Any]) -> None:
                if event in ("switch", "throw"):
                    current[0] = args[1]

            greenlet.settrace(on_switch)
        # A short switch interval lets the sampler in at bytecode boundaries rather than only
        # when the main thread blocks, which would bias every sample towards I/O waits.
        sys.setswitchinterval(self._interval / 4)
        self._stacks.clear()
        self._stop.clear()
        self.began = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, Any]:
        """Stop sampling (call from the main thread); the samples as a JSON-able dict."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.seconds = time.perf_counter() - self.began
        sys.setswitchinterval(self._switch_interval)
        try:
            import greenlet

            greenlet.settrace(None)
        except ImportError:  # pragma: no cover
            pass
        return {
            "interval": self._interval,
            "seconds": self.seconds,
            "stacks": [
                {"count": count, "frames": [list(frame) for frame in stack]}
                for stack, count in self._stacks.items()
            ],
        }

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            frame = sys._current_frames().get(self._main_id)  # type: ignore[arg-type]
            if frame is None:
                continue
            stack = _frames(frame)
            running = self._greenlet[0]
            parent = getattr(running, "parent", None)
            if parent is not None and not running.dead:
                stack += _frames(parent.gr_frame)
            self._stacks[tuple(stack)] += 1


def _frames(frame: FrameType | None) -> list[Frame]:
    """Innermost first."""
    found = []
    while frame is not None:
        code = frame.f_code
        found.append((code.co_filename, code.co_firstlineno, code.co_name))
        frame = frame.f_back
    return found
