"""The few outlet behaviours that a declaration cannot express, switched on by name from an
outlet's ``quirks`` list. Everything else about an outlet is data in ``presets.toml``.

- ``cookie_gate`` (qdnd.vn, en.qdnd.vn): the first request gets a 302 to the same URL that sets
  a cookie. ``crawler.middlewares.RedirectPolicyMiddleware`` follows such a self-redirect once
  for every outlet (it is harmless elsewhere), so this name only documents the behaviour.
- ``bernama_feed`` (bernama.com): feed titles carry a section prefix ("General : ...") and
  items have no ``pubDate``, so every new item is fetched and dated from its page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

KNOWN = frozenset({"cookie_gate", "bernama_feed"})
_SECTION_PREFIX = re.compile(r"^\s*[A-Za-z][A-Za-z &]{1,30}\s+:\s+")


def clean_feed_title(quirks: Iterable[str], title: str) -> str:
    if "bernama_feed" in quirks:
        return _SECTION_PREFIX.sub("", title, count=1)
    return title
