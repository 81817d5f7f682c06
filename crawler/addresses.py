"""Where the crawler may go: an outlet's sites (host *and* port), and which addresses it may reach.

Two rules, applied to every request and every redirect, by the crawl (``crawler.resolver``,
``crawler.middlewares``) and by ``extract URL`` (``crawler.fetch``):

- **Sites.** A URL belongs to an outlet when its host is the host of ``base_url`` or of one of
  ``domains`` (or a subdomain of a name), on the same port: the port written in ``base_url`` (or
  ``"host:port"`` in ``domains``), else the scheme's default port (80 or 443, either, so an
  http -> https redirect stays on the site).
- **Addresses.** After DNS resolution, an address that is not globally routable (private,
  loopback, link-local, shared, reserved, multicast, unspecified; IPv4 mapped in IPv6 too) is
  refused, unless the host is a *local* outlet's own ``base_url`` host (an address literal of
  that kind, or ``localhost``), so test outlets on 127.0.0.1 keep working, or
  ``crawler.allow_private_addresses`` is true (for a Newswatch that must reach an intranet).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Site:
    host: str  # lower case, no trailing dot
    port: int | None  # None: the default ports

    def admits(self, host: str, port: int | None) -> bool:
        if port != self.port:
            return False
        if host == self.host:
            return True
        return not _is_address(self.host) and host.endswith("." + self.host)


def _effective_port(scheme: str, port: int | None) -> int | None:
    """None for a port that is the default of either web scheme."""
    return None if port is None or port in DEFAULT_PORTS.values() else port


def _host_port(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, effective port) of an http(s) URL; None for anything else or a bad port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower().rstrip("."), _effective_port(parts.scheme, port)


def outlet_sites(base_url: str, domains: Iterable[str] = ()) -> tuple[Site, ...]:
    """The sites of an outlet: ``base_url``'s host and port, then each of ``domains``."""
    sites: list[Site] = []
    base = _host_port(base_url)
    if base is not None:
        sites.append(Site(base[1], base[2]))
    for entry in domains:
        parsed = _host_port(entry if "://" in entry else f"http://{entry}")
        if parsed is not None:
            sites.append(Site(parsed[1], parsed[2]))
    return tuple(dict.fromkeys(sites))


def url_allowed(url: str, sites: Iterable[Site]) -> bool:
    """Is ``url`` an http(s) URL on one of ``sites`` (host and port)?"""
    parsed = _host_port(url)
    return parsed is not None and any(site.admits(parsed[1], parsed[2]) for site in sites)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def refused_address(address: str) -> bool:
    """True for an address the crawler must not reach by default: anything not globally routable."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return True  # not an address at all: nothing to connect to
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return refused_address(str(mapped))
    return not ip.is_global or ip.is_multicast


def local_host(host: str) -> bool:
    """A host written as a local address: a non-global address literal, or ``localhost``."""
    host = host.lower().rstrip(".").strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    return _is_address(host) and refused_address(host)


def local_hosts(base_urls: Iterable[str]) -> frozenset[str]:
    """The hosts that may resolve to local addresses: those of local outlets' ``base_url``."""
    hosts = set()
    for url in base_urls:
        parsed = _host_port(url)
        if parsed is not None and local_host(parsed[1]):
            hosts.add(parsed[1].strip("[]"))
    return frozenset(hosts)
