"""Signals for the commands that start a crawl child (``crawl``, ``run --once``).

SIGTERM (systemd, ``timeout``, cron's kill), SIGINT (Ctrl-C) and SIGHUP (a closed terminal)
set an event that ``crawler.runner.run_crawl`` watches: it ends its crawl child at once and
records the crawl as ``interrupted``; the command then exits with 128 + the signal's number, as
a shell reports a process killed by it. The crawl child ignores these signals itself (only its
parent decides) and dies with its parent even on SIGKILL (``crawler.child.die_with_parent``).
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class StopSignals:
    """While entered, the stop signals set ``event`` instead of ending the process.

    The handler only records (it runs between two bytecodes of the main thread, which may be
    writing a log line; logging from it could raise and lose the stop)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.received: signal.Signals | None = None
        self._previous: dict[signal.Signals, Any] = {}

    def __enter__(self) -> StopSignals:
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._set)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _set(self, signum: int, _frame: Any) -> None:
        if self.received is None:
            self.received = signal.Signals(signum)
        self.event.set()

    def exit_status(self, status: int) -> int:
        """``status``, or 128 + the signal when one stopped the command (said on stderr)."""
        if self.received is None:
            return status
        print(f"stopped by {self.received.name}: the crawl was recorded as interrupted", file=sys.stderr)
        return 128 + int(self.received)
