"""URL canonicalisation: one identity per article, however the link was written.

Generic rules: scheme folded to https, host lower-cased, default port and fragment dropped,
tracking parameters (utm_*, fbclid, gclid, ...) removed, the rest of the query sorted.
Outlet rules: an ``id_pattern`` regex with an ``id`` group and a ``canonical_path`` template
(``/en/news.php?id={id}``) collapse every path that reaches one article (Bernama's
``/en/general/news.php?id=N`` and ``/en/news.php?id=N``) into one URL.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref|ref_src|cmpid|zarsrc|gidzl)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalize(url: str, id_pattern: str = "", canonical_path: str = "") -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    scheme = "https" if scheme in ("http", "https") else scheme
    if id_pattern and canonical_path:
        target = parts.path + ("?" + parts.query if parts.query else "")
        match = re.search(id_pattern, target)
        if match:
            path, _, query = canonical_path.format(id=match.group("id")).partition("?")
            return urlunsplit((scheme, netloc, path, query, ""))
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    )
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))
