"""No test asserts how long something took, except the few bounds listed here with their reason.

Speed is measured in ``bench/`` (figures printed), never in a test: on the 2-core CI machine at a
load of 4-20 a duration bound fails for reasons no user would notice. The check is syntactic,
on every test module: an ``assert`` whose ordering comparison (``<``, ``<=``, ``>``, ``>=``)
involves a reading of the process clock (``time.monotonic()``, ``time.perf_counter()``,
``time.time()``) or a name assigned, in the same function, from an expression that reads it
(``took = time.monotonic() - started``, ``per_second = n / (time.perf_counter() - started)``).

What it does not see, on purpose (each would be a false alarm or need data flow): clocks read in
another module (the request times a test site records), wall-clock datetimes (``datetime.now``
compared with stored timestamps days apart), and the deadlines of waits (``wait_until``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCKS = {"monotonic", "perf_counter", "time", "monotonic_ns", "perf_counter_ns", "time_ns"}
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)

# "path::function": why its bound cannot fail on a slow machine (the test's docstring or comment
# says it in full). Each is a bound that is the behaviour under test, an order of magnitude
# below what the hostile behaviour would take, next to the mechanism's own evidence.
JUSTIFIED = {
    "tests/alerts/test_bounded_attempts.py::test_a_hostile_receiver_costs_one_bounded_failed_attempt_and_no_memory": (
        "the hostile servers never end; 15x the channel's timeout; the recorded error names what cut it"
    ),
    "tests/crawler/test_crawl.py::test_a_hanging_outlet_is_cut_off_by_the_time_limit": (
        "the page hangs 600 s; bound 60 s, 20x the 3 s limit; the run says timeout"
    ),
    "tests/crawler/test_crawl.py::test_a_stop_request_ends_the_crawl_at_once_as_interrupted": (
        "the page hangs 600 s; bound 60 s; the run says interrupted"
    ),
    "tests/e2e/test_daemon.py::test_new_article_is_alerted_within_a_minute_and_sigterm_exits_0": (
        "SIGTERM during a 600 s hang; bound 60 s (2 s grace + 58 s); the run says interrupted"
    ),
    "tests/hostile/test_extract_url.py::test_a_trickling_body_ends_at_the_deadline": (
        "the body trickles 200 s; bound 20 s, 10x the 2 s deadline; the error names the deadline"
    ),
}


def reads_clock(node: ast.AST) -> bool:
    """Does ``node`` call ``time.<clock>()`` (or a bare ``monotonic()`` imported from time)?"""
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.attr in CLOCKS and func.value.id == "time":
                return True
        elif isinstance(func, ast.Name) and func.id in CLOCKS - {"time"}:
            return True
    return False


def timed_assertions(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """(function, line) of each assert comparing a clock reading or a duration derived from one."""
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        durations = {
            target.id
            for node in ast.walk(func)
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None and reads_clock(node.value)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(func):
            if not isinstance(node, ast.Assert):
                continue
            for compare in ast.walk(node.test):
                if not isinstance(compare, ast.Compare) or not any(isinstance(op, ORDERING) for op in compare.ops):
                    continue
                sides = [compare.left, *compare.comparators]
                named = {n.id for side in sides for n in ast.walk(side) if isinstance(n, ast.Name)}
                if any(reads_clock(side) for side in sides) or named & durations:
                    yield func.name, node.lineno
                    break


def found() -> dict[str, list[int]]:
    """``path::function`` -> lines, over every test module."""
    hits: dict[str, list[int]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function, line in timed_assertions(tree):
            hits.setdefault(f"{path.relative_to(ROOT)}::{function}", []).append(line)
    return hits


def test_no_test_asserts_a_duration_outside_the_justified_ones() -> None:
    # One bound per justified test: a second one in the same test is not covered by its reason.
    unjustified = {key: lines for key, lines in found().items() if key not in JUSTIFIED or len(lines) > 1}
    assert not unjustified, (
        f"timed assertions {unjustified}: measure speed in bench/, or make the bound the behaviour under "
        "test an order of magnitude from what a slow machine takes, and add it to JUSTIFIED with the reason"
    )


def test_every_justified_bound_is_still_there() -> None:
    assert set(found()) >= set(JUSTIFIED), "a justified bound is gone: remove it from JUSTIFIED"


def test_the_check_sees_the_shapes_it_claims_and_not_the_others() -> None:
    flagged = """
def t1():
    started = time.monotonic()
    run()
    took = time.monotonic() - started
    assert took < 30
def t2():
    started = time.perf_counter()
    assert 300 / (time.perf_counter() - started) > 100
def t3():
    per_second = n / (perf_counter() - started)
    assert ok and per_second > 100
"""
    quiet = """
def t4():
    started = time.monotonic()
    assert run() == 3 and count < 5
def t5():
    now = datetime.now(UTC)
    assert a.published_at >= now - timedelta(days=3)
def t6():
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pass
"""
    assert [name for name, _ in timed_assertions(ast.parse(flagged))] == ["t1", "t2", "t3"]
    assert list(timed_assertions(ast.parse(quiet))) == []
