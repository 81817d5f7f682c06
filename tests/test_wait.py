"""The one waiting helper of the tests: a deadline, and a failure that says what was awaited."""

from __future__ import annotations

import itertools

import pytest

from tests.helpers import wait_until


def test_it_returns_the_first_value_that_satisfies_the_condition() -> None:
    counter = itertools.count()
    assert wait_until(lambda: next(counter), "the third poll", until=lambda n: n >= 2, every=0.001) == 2


def test_a_timeout_names_what_was_awaited_the_last_value_and_the_context() -> None:
    counter = itertools.count()
    with pytest.raises(AssertionError) as info:
        wait_until(lambda: next(counter), "ten polls", until=lambda n: n >= 10**9, timeout=0.2, every=0.05,
                   context=lambda: "daemon log: crawl of thesun timed out")  # fmt: skip
    message = str(info.value)
    assert message.startswith("timed out after 0.2s waiting for ten polls; last seen: ")
    assert int(message.split("last seen: ")[1].split()[0]) >= 2
    assert message.endswith("daemon log: crawl of thesun timed out")


def test_a_process_that_exited_fails_at_once_after_one_last_look() -> None:
    with pytest.raises(AssertionError, match="the process exited waiting for the alert; last seen: 0"):
        wait_until(lambda: 0, "the alert", timeout=60, alive=lambda: False)
