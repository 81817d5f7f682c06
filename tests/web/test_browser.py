"""The console in a real browser (headless Chromium): what a reader sees and can do."""

from __future__ import annotations

from typing import Any

import feedparser
import pytest

from tests.web.conftest import Served
from tests.web.data import SCRIPT_TITLE

pytestmark = pytest.mark.slow  # a browser process per session


def story_titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("li.story h2").all_inner_texts()]


def test_stories_filters_and_search(page: Any, served: Served) -> None:
    page.goto(served.url + "stories")
    assert "MMEA detains Vietnamese fishing boat off Terengganu" in story_titles(page)
    assert len(story_titles(page)) == 7  # 8 articles, the wire copy joined its story

    page.get_by_label("Search").fill('"fishing boat"')
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/stories?q=*")
    assert story_titles(page) == ["MMEA detains Vietnamese fishing boat off Terengganu"]
    assert page.locator("li.story ul.articles li").count() == 2  # with the copy "also reported by"

    page.get_by_label("Search").fill("viet nam")  # without diacritics: finds "Việt Nam"
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**q=viet+nam*")
    assert story_titles(page) == ["Tư lệnh Hải quân Malaysia thăm Việt Nam"]

    page.goto(served.url + "stories")
    page.get_by_label("Outlet").select_option("bernama-bm")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**outlet=bernama-bm*")
    assert story_titles(page) == ["Lawatan kerja ke Sabah"]

    page.goto(served.url + "stories")
    page.get_by_label("Watch").select_option("maritime")
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**watch=maritime*")
    assert sorted(story_titles(page)) == sorted(["MMEA detains Vietnamese fishing boat off Terengganu", SCRIPT_TITLE])

    page.get_by_label("Search").fill("harvest -rain")
    page.get_by_label("Watch").select_option("")
    page.get_by_label("Language").select_option("")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**q=harvest*")
    assert page.locator("p.empty").inner_text() == "No stories match these filters."


def test_a_title_with_a_script_is_shown_as_text_and_runs_nothing(page: Any, served: Served) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(served.url + "stories?watch=maritime")
    page.get_by_role("link", name=SCRIPT_TITLE).first.click()
    page.wait_for_url("**/stories/*")
    page.get_by_role("link", name=SCRIPT_TITLE).first.click()
    page.wait_for_url("**/articles/*")
    assert page.locator("h1").inner_text() == SCRIPT_TITLE
    assert page.title() == f"{SCRIPT_TITLE} · Newswatch"  # the script did not rename the page
    assert "<script>alert(1)</script>" in page.locator("div.text").inner_text()
    assert page.locator("script").count() == 0  # the console has no script, and none got in
    # The Content-Security-Policy forbids inline code even if markup ever got through.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"/x\" onerror=\"window.ran = 1\">')")
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert dialogs == []


def test_outlet_chart_renders(page: Any, served: Served) -> None:
    page.goto(served.url + "outlets")
    rows = page.locator("table.outlets tbody tr")
    # The four enabled outlets, and vietnamplus, which ran a copy of a story (not enabled).
    assert rows.count() == 5
    assert "not enabled" in rows.filter(has_text="vietnamplus").locator("td").first.inner_text()
    assert page.locator("svg.chart").count() == rows.count()  # a chart on every row
    page.get_by_role("link", name="thesun").click()
    chart = page.locator("figure svg.chart")
    box = chart.bounding_box()
    assert box is not None and box["width"] >= 600 and box["height"] >= 150
    bars = chart.locator("rect.bar-articles")
    assert bars.count() == 14  # one per day
    tallest = max(bars.nth(i).bounding_box()["height"] for i in range(14))
    assert tallest > 50  # today's two articles fill the panel
    # Colours come from the stylesheet (no inline style is allowed by the CSP).
    assert chart.locator("rect.crawl-failed").evaluate("r => getComputedStyle(r).fill") == "rgb(208, 88, 79)"
    assert "2 articles" in chart.locator("rect.bar-articles").last.locator("title").text_content()
    assert chart.get_attribute("aria-label").startswith("thesun: 2 articles stored and 1 failed crawls")
    assert page.locator("table.failures td.url").all_inner_texts() == ["https://thesun.my/rss"]


def test_alerts_show_status_attempts_and_errors_per_channel(page: Any, served: Served) -> None:
    page.goto(served.url + "alerts")
    counts = page.locator("table.counts")
    assert counts.locator("tr", has_text="desk").locator("td").all_inner_texts()[0] == "desk"
    page.get_by_label("Channel").select_option("pager")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("table.deliveries tbody tr")
    assert rows.count() == 2  # both alerted stories of the "maritime" watch
    assert "HTTP 500" in rows.first.locator("td.error").inner_text()
    rows.first.locator("a").first.click()
    assert page.locator("h1").inner_text().startswith("Delivery msg_")
    assert page.locator("table").nth(1).locator("tbody tr").first.inner_text().split("\t")[1] == "failed"


def test_watch_backtest_form_and_feed(page: Any, served: Served) -> None:
    page.goto(served.url + "watches")
    page.get_by_role("link", name="maritime", exact=True).click()
    page.get_by_label("Query").fill('"coast guard"')
    page.get_by_role("button", name="Run backtest").click()
    page.wait_for_url("**query=*")
    assert page.locator("p.summary").inner_text().startswith("1 alert(s) from 8 articles")
    assert page.locator("section.results mark").first.inner_text().lower() == "coast guard"

    page.get_by_label("Query").fill("(MMEA")
    page.get_by_role("button", name="Run backtest").click()
    assert "does not parse" in page.locator("section.results p.error").inner_text()

    with page.expect_response("**/feeds/watches/maritime.atom") as answer:
        page.get_by_role("link", name="Atom feed").last.click()
    feed = feedparser.parse(answer.value.body())
    assert not feed.bozo and feed.version == "atom10"
    assert [e.title for e in feed.entries] == [SCRIPT_TITLE, "MMEA detains Vietnamese fishing boat off Terengganu"]
