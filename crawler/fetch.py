"""One page fetched outside a crawl (``extract URL``), under the crawl's rules.

Every hop (the URL, then each redirect, at most ``MAX_REDIRECTS``) must be on the outlet's sites
(``crawler.addresses``: host and port; without an outlet, the site of the URL given), and its
host is resolved here and the connection made to an address that passed
``refused_address`` (the request goes to that address, with the name in ``Host`` and in TLS's
SNI and certificate check), so a second lookup cannot lead elsewhere. The whole fetch, redirects
and a slow body included, has one deadline: ``crawler.timeout``. The body is capped at
``crawler.max_response_bytes``. Cookies set along the way are sent back to their host (cookie
gates redirect to the page itself after setting one).
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from config import CrawlerConfig
from crawler.addresses import DEFAULT_PORTS, local_hosts, outlet_sites, refused_address, url_allowed

MAX_REDIRECTS = 5


class FetchError(Exception):
    """The page could not be fetched; ``reason`` is a short word, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects
    body: bytes
    charset: str | None


def fetch_page(url: str, cfg: CrawlerConfig, base_url: str | None = None, domains: Iterable[str] = ()) -> Fetched:
    """GET ``url`` for an outlet at ``base_url`` (with its ``domains``), or, without one, on the
    URL's own site; raise ``FetchError`` for anything refused or failed."""
    base = base_url or url
    sites = outlet_sites(base, domains)
    local = local_hosts([base])
    deadline = time.monotonic() + float(cfg.timeout)
    cookies: dict[str, dict[str, str]] = {}
    with httpx.Client(follow_redirects=False, headers={"User-Agent": cfg.user_agent}, trust_env=False) as client:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            if not url_allowed(current, sites):
                where = "outside the outlet's sites" if base_url else "to another site"
                reason = "offsite" if current == url else "offsite-redirect"
                raise FetchError(reason, f"refused {current}: {where} (host and port)")
            parts = urlsplit(current)
            host = (parts.hostname or "").lower().rstrip(".")
            address = _resolve(host, parts.port or DEFAULT_PORTS[parts.scheme], deadline, cfg, host in local)
            response = _get(client, current, host, address, cookies.get(host, {}), deadline, cfg)
            cookies.setdefault(host, {}).update(response.cookies)
            if response.status in (301, 302, 303, 307, 308) and response.location:
                current = urljoin(current, response.location)
                continue
            if response.status >= 400:
                raise FetchError(f"http/{response.status}", f"cannot fetch {current}: HTTP {response.status}")
            return Fetched(current, response.body, response.charset)
    raise FetchError("redirect-loop", f"cannot fetch {url}: more than {MAX_REDIRECTS} redirects")


@dataclass(frozen=True)
class _Response:
    status: int
    location: str
    cookies: dict[str, str]
    body: bytes
    charset: str | None


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("timeout", f"cannot fetch {url}: no complete answer within crawler.timeout")
    return left


def _resolve(host: str, port: int, deadline: float, cfg: CrawlerConfig, local: bool) -> str:
    """An address of ``host`` the crawler may connect to (the first one that passes)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        addresses = [host.strip("[]")]
    except ValueError:
        pool = concurrent.futures.ThreadPoolExecutor(1)
        try:
            found = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
            infos = found.result(timeout=_remaining(deadline, host))
        except concurrent.futures.TimeoutError:
            raise FetchError("timeout", f"cannot resolve {host} within crawler.timeout") from None
        except OSError as exc:
            raise FetchError("dns", f"cannot resolve {host}: {exc.strerror or exc}") from None
        finally:
            pool.shutdown(wait=False)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if local or cfg.allow_private_addresses:
        return addresses[0]
    for address in addresses:
        if not refused_address(address):
            return address
    raise FetchError(
        "private-address",
        f"refused {host}: it resolves to {addresses[0]}, a private, loopback or link-local address "
        "(see crawler.allow_private_addresses)",
    )


def _get(
    client: httpx.Client,
    url: str,
    host: str,
    address: str,
    cookies: dict[str, str],
    deadline: float,
    cfg: CrawlerConfig,
) -> _Response:
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    pinned = urlunsplit((parts.scheme, f"{literal}:{parts.port}" if parts.port else literal, parts.path or "/",
                         parts.query, ""))  # fmt: skip
    headers = {"Host": parts.netloc.rsplit("@", 1)[-1]}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    limit = cfg.max_response_bytes
    per_read = min(float(cfg.timeout), _remaining(deadline, url))
    try:
        with client.stream(
            "GET",
            pinned,
            headers=headers,
            extensions={"sni_hostname": host},
            timeout=httpx.Timeout(per_read),
        ) as response:
            body = bytearray()
            if response.status_code < 300:
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise FetchError(
                            "too-large", f"cannot fetch {url}: larger than crawler.max_response_bytes ({limit} bytes)"
                        )
                    _remaining(deadline, url)  # a trickling body ends at the deadline too
            return _Response(
                response.status_code,
                response.headers.get("location", ""),
                {c.name: c.value or "" for c in response.cookies.jar},
                bytes(body),
                response.charset_encoding,
            )
    except httpx.TimeoutException:
        raise FetchError("timeout", f"cannot fetch {url}: no complete answer within crawler.timeout") from None
    except httpx.HTTPError as exc:
        raise FetchError("connection", f"cannot fetch {url}: {exc}") from None
