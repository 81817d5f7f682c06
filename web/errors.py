"""The web console's exceptions.

::

    WebError                 anything the console refuses to do, shown as one line
    └── UnsafeBind           a non-loopback bind address without a token or password
"""

from __future__ import annotations


class WebError(Exception):
    """The console cannot start as configured."""


class UnsafeBind(WebError):
    """Serving on an address other people can reach, with nothing to keep them out."""

    def __init__(self, host: str) -> None:
        super().__init__(
            f"refusing to serve on {host} without credentials: set web.token_env or web.password_env "
            "(the environment variable holding the secret), or bind to 127.0.0.1"
        )
        self.host = host
