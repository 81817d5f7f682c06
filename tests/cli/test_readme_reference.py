"""The README's command-line reference is the user's guide to ``run.py``: every command and
sub-command the parser knows has a row there, and each row names exactly the options its
command takes (a flag added to a command without documenting it, or a documented flag that
does not exist, fails here)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

from cli import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """(``"alerts list"``, its parser) for every command and sub-command, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield " ".join((*path, name)), sub
                yield from commands(sub, (*path, name))


def options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        flag
        for action in parser._actions
        for flag in action.option_strings
        if flag.startswith("--") and flag != "--help"
    }


def is_group(parser: argparse.ArgumentParser) -> bool:
    """A command that only holds sub-commands (``db``, ``outlets``, ``alerts``)."""
    own = [a for a in parser._actions if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]
    return not own


def reference_rows() -> list[str]:
    """The first cell of each row of the README's command table, without its backquotes."""
    section = README.read_text(encoding="utf-8").split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| `([^`]+)` \|", section, re.MULTILINE)]


def documented(rows: list[str], names: set[str]) -> dict[str, set[str]]:
    """Command -> the flags its rows name; a row belongs to the longest command it starts with."""
    flags: dict[str, set[str]] = {}
    for row in rows:
        words = row.split()
        command = max(
            (" ".join(words[:n]) for n in range(1, len(words) + 1) if " ".join(words[:n]) in names),
            key=len,
            default=None,
        )
        assert command is not None, f"README documents a command run.py does not have: {row!r}"
        flags.setdefault(command, set()).update(re.findall(r"--[a-z][a-z-]*", row))
    return flags


def test_every_command_has_a_row_naming_exactly_its_options() -> None:
    parsers = dict(commands(build_parser()))
    rows = documented(reference_rows(), set(parsers))
    missing = sorted(name for name, parser in parsers.items() if not is_group(parser) and name not in rows)
    assert not missing, f"commands without a row in README's command table: {missing}"
    wrong = {
        name: {
            "undocumented": sorted(options(parsers[name]) - flags),
            "not an option": sorted(flags - options(parsers[name])),
        }
        for name, flags in rows.items()
        if flags != options(parsers[name])
    }
    assert not wrong, f"README's command table disagrees with --help: {wrong}"


def test_the_check_sees_a_missing_flag_and_an_invented_one() -> None:
    parsers = dict(commands(build_parser()))
    rows = documented(["alerts list [--failed] [--json]", "alerts retry [ID...] [--all]"], set(parsers))
    assert options(parsers["alerts list"]) - rows["alerts list"] == {"--limit"}
    assert rows["alerts retry"] - options(parsers["alerts retry"]) == {"--all"}


def test_global_options_are_documented() -> None:
    section = README.read_text(encoding="utf-8").split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    for flag in options(build_parser()) - {"--verbose"} | {"-v"}:
        assert f"`{flag}" in section, flag


def test_every_systemd_unit_shipped_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    units = sorted(path.name for path in (README.parent / "deploy").glob("*.service"))
    assert units, "deploy/ holds no unit"
    assert not [unit for unit in units if unit not in text], "units in deploy/ the README does not name"
