"""Serving the console with uvicorn: in the foreground (``run.py serve``: Ctrl-C or SIGTERM
stops it) or in a thread of the daemon (``run.py run --serve``: ``start`` returns once the
socket listens, ``stop`` lets requests in progress finish and joins the thread).

Uvicorn's own logging configuration is not applied (``log_config=None``): its messages go
through the program's logging set-up like every other line.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import uvicorn

from web.errors import WebError

log = logging.getLogger(__name__)

STOP_GRACE = 5.0  # seconds requests in progress get to finish at a stop


class Console:
    def __init__(self, app: Any, host: str, port: int) -> None:
        self.host = host
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            server_header=False,
            lifespan="off",
            timeout_graceful_shutdown=int(STOP_GRACE),
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the one chosen by the system when asked for port 0)."""
        for server in self.server.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return int(self.server.config.port)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serve(self) -> None:
        """Serve until SIGINT or SIGTERM (uvicorn handles both in the main thread)."""
        self.server.run()

    def start(self, timeout: float = 10.0) -> None:
        """Serve from a background thread; return once listening. ``WebError`` if it cannot."""
        self._thread = threading.Thread(target=self._run, name="web-console", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive():
                raise WebError(f"the web console could not listen on {self.host}:{self.server.config.port}")
            if time.monotonic() > deadline:
                self.stop()
                raise WebError(f"the web console did not start within {timeout:.0f}s")
            time.sleep(0.02)

    def _run(self) -> None:
        try:
            self.server.run()
        except SystemExit:  # uvicorn exits when it cannot bind; start() reports it
            log.error("web console on %s:%s stopped at start", self.host, self.server.config.port)

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_GRACE + 5)
            self._thread = None
