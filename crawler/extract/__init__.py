"""Extraction: a fetched page in, an ``Extracted`` article or ``None`` out; pure functions.

* ``article``: ``extract`` itself, the main text (trafilatura) and its clean-up;
* ``page``: decoding bytes, parsing HTML, the outlet's CSS hints;
* ``metadata``: title, author, canonical URL, lead;
* ``dates``: the publication date (``parse_date``), timezone-aware and never in the future.

Config keys read (passed in by the caller, never read here): ``OutletConfig.selectors``,
``strip_patterns``, ``timezone``, ``language``, ``name``.
"""

from __future__ import annotations

from crawler.extract.article import Extracted, extract
from crawler.extract.dates import parse_date
from crawler.extract.page import decode_html

__all__ = ["Extracted", "decode_html", "extract", "parse_date"]
