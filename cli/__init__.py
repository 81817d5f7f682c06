"""The Newswatch command line: ``main(argv)`` parses, builds the app once, runs one command.

One module per command group (``run``, ``demo``, ``db``, ``crawl``, ``outlets``, ``import_``, ``articles``,
``status``, ``serve``, ``extract``, ``watches``, ``alerts``), each registering its own
sub-commands next to their handlers. Modules import only the standard library at the top: what a command needs
(Scrapy, trafilatura, SQLAlchemy...) is imported when it runs, so ``--help`` starts at once.

Errors reach the user as one line on stderr: exit status 2 for configuration and usage
problems, 1 for anything else that failed. A reader that goes away early (``run.py articles |
head``) ends the command quietly with status 141, as a program killed by SIGPIPE would, never with
a traceback. Control characters and bidirectional overrides in
anything printed are escaped (``cli.terminal``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import sys
from collections.abc import Sequence

from cli import alerts, articles, crawl, db, demo, extract, import_, outlets, run, serve, status, watches
from cli.command import CommandError, UsageError
from cli.logs import setup_logging
from cli.terminal import SafeStream

log = logging.getLogger("newswatch")

# In the order ``--help`` lists them.
COMMAND_MODULES = (run, demo, db, crawl, outlets, import_, articles, status, serve, extract, watches, alerts)


@functools.cache
def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, built once per process (about 7 ms, most of it argparse
    looking up translations of its messages): the tests run hundreds of commands in one process.
    Parsing leaves it as it was."""
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Newswatch: news monitoring with alerts for Vietnam-Malaysia defence and maritime affairs.",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="configuration file (default: $NEWSWATCH_CONFIG or config.toml)"
    )
    parser.add_argument("--log-json", action="store_true", help="log one JSON object per line")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; everything it prints (log lines included) goes through
    ``cli.terminal.SafeStream``, so text from outlets cannot drive the terminal."""
    args = build_parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        code = _main(args)
        sys.stdout.flush()
    except BrokenPipeError:
        return _reader_gone(out)
    finally:
        sys.stdout, sys.stderr = out, err
        _flush_quietly(err)
    return code


# What a shell reports for a program killed by SIGPIPE (128 + 13).
READER_GONE = 141


def _reader_gone(out: object) -> int:
    """The reader of standard output went away: what is still buffered can never be written,
    and Python would report it again at exit; point the descriptor at /dev/null instead."""
    fileno = getattr(out, "fileno", None)
    if fileno is not None:
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fileno())
            os.close(devnull)
    return READER_GONE


def _flush_quietly(stream: object) -> None:
    with contextlib.suppress(BrokenPipeError, ValueError):
        getattr(stream, "flush", lambda: None)()


def _main(args: argparse.Namespace) -> int:
    setup_logging(args.log_json, args.verbose)
    from config import ConfigError

    app = None
    try:
        from app import App

        app = App.load(args.config or getattr(args, "default_config", None))
        return int(args.handler(app, args))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise  # the reader went away: ``main`` ends quietly
    except Exception as exc:  # the last boundary: one line for the user, the traceback with -v
        from storage.db import SchemaNotReady

        if isinstance(exc, SchemaNotReady):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        log.debug("unexpected error", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc}".splitlines()[0] + " (run with -v for details)", file=sys.stderr)
        return 1
    finally:
        if app is not None:
            app.close()
