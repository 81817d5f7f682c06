"""The configuration's exceptions.

``ConfigError`` is what a user sees (one line naming the file, the key and what was expected;
the command line exits with status 2); ``InvalidValue`` is raised by a section's or a channel's
``validate()`` for a value its type alone cannot refuse, and the parser turns it into a
``ConfigError`` with the full key.
"""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration problem, reported to the user as one line and exit status 2."""

    def __init__(self, path: str, key: str, message: str) -> None:
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")
        self.path = path
        self.key = key
        self.message = message


class InvalidValue(ValueError):
    """Raised by a config dataclass's ``validate()`` for a value its type alone cannot refuse.

    ``key`` is relative to the dataclass's table (``"port"``, ``"to[1]"``); the parser turns it
    into a ``ConfigError`` naming the file and the full key, like every other config error.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message
