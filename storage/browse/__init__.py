"""Read-only queries for browsing the database (the web console, its feeds and its metrics).

Each function takes the session first, only reads, and returns frozen dataclasses, so a page
never touches a lazy relationship after its session closed. Lists are built in a few queries
whatever their length (the stories page: one for the page of stories, one for their
articles, one for their watches). Reads no configuration. One module per part of the console:
``stories`` (stories, one story, one article), ``deliveries`` (alerts), ``outlets``, ``feeds``
(watches and their feeds) and ``metrics``; ``from storage import browse`` gives them all.
"""

from __future__ import annotations

from storage.browse.deliveries import (
    AttemptLine,
    DeliveryLine,
    deliveries,
    delivery,
    delivery_counts,
    pending_queue,
)
from storage.browse.feeds import (
    FeedEntry,
    feed_entries,
    recent_matches,
    watch_match_counts,
)
from storage.browse.metrics import (
    Totals,
    totals,
)
from storage.browse.outlets import (
    Activity,
    CrawlLine,
    FailureLine,
    OutletLine,
    activity,
    crawl_failures,
    crawl_runs,
    outlet_by_slug,
    outlets,
)
from storage.browse.stories import (
    ArticleDetail,
    ArticleLine,
    MatchLine,
    StoryDetail,
    StoryFilter,
    StoryLine,
    article,
    languages,
    outlet_slugs,
    stories,
    story,
)

__all__ = [
    "Activity",
    "ArticleDetail",
    "ArticleLine",
    "AttemptLine",
    "CrawlLine",
    "DeliveryLine",
    "FailureLine",
    "FeedEntry",
    "MatchLine",
    "OutletLine",
    "StoryDetail",
    "StoryFilter",
    "StoryLine",
    "Totals",
    "activity",
    "article",
    "crawl_failures",
    "crawl_runs",
    "deliveries",
    "delivery",
    "delivery_counts",
    "feed_entries",
    "languages",
    "outlet_by_slug",
    "outlet_slugs",
    "outlets",
    "pending_queue",
    "recent_matches",
    "stories",
    "story",
    "totals",
    "watch_match_counts",
]
