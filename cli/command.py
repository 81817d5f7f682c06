"""What every command module shares: how it registers, the handler signature, its errors.

A command module defines its handlers and, next to each, the parser block that registers it:
``add_command(commands, "status", status, help=...)`` returns the sub-command's parser for
its options. A handler gets the ``App`` (built by ``cli.main`` from ``--config``) and the
parsed arguments, and returns the exit status.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from app import App
    from config import Config

Handler: TypeAlias = Callable[["App", argparse.Namespace], int]
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class CommandError(Exception):
    """A command failed in a way the user can act on; printed as one line, exit status 1."""


class UsageError(CommandError):
    """A command was given arguments it cannot use (an unknown outlet, a bad duration): exit 2."""


def add_command(commands: Commands, name: str, handler: Handler, **kwargs: Any) -> argparse.ArgumentParser:
    """Register ``name`` (``help=`` and the other ``add_parser`` arguments) to run ``handler``."""
    parser = commands.add_parser(name, **kwargs)
    parser.set_defaults(handler=handler)
    return parser


def since(text: str | None) -> datetime | None:
    """``--since DURATION`` as the UTC time that long ago (``None`` when not given)."""
    from config import parse_duration

    if not text:
        return None
    try:
        return datetime.now(UTC) - timedelta(seconds=parse_duration(text))
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from None


def unknown_outlet(cfg: Config, name: str, known: str) -> UsageError:
    """The error for an outlet a command does not know (``known``: the ones it does): one
    that is declared but was never enabled is said so, with what to do first."""
    if name in {o.slug for o in cfg.available}:
        return UsageError(
            f"{name} is declared but not enabled, and has nothing stored: try it with"
            f" 'run.py outlets check {name}', then add it to [outlets] enabled"
        )
    return UsageError(f"no outlet named {name} ({known})")
