"""The crawl's name resolver: every connection Scrapy opens (pages, feeds, robots.txt, each
redirect) is resolved here, and addresses ``crawler.addresses.refused_address`` refuses are
dropped before Twisted connects, so the check holds after DNS resolution and cannot be raced
by a second lookup (DNS rebinding).

A host left with no address fails like an unknown name; ``REFUSED`` keeps what was refused so
``crawler.spider.failure_reason`` records the failure as ``private-address`` with the address.

Reads (Scrapy settings from ``crawler.settings``): ``NEWSWATCH_LOCAL_HOSTS`` (hosts that may
resolve to local addresses: local outlets' ``base_url`` hosts) and
``NEWSWATCH_ALLOW_PRIVATE_ADDRESSES`` (``crawler.allow_private_addresses``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twisted.internet.interfaces import IAddress, IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from crawler.addresses import refused_address

# host -> the first refused address, for the failure's reason (one crawl per process)
REFUSED: dict[str, str] = {}


# Method and argument names are Twisted's interfaces'.


@implementer(IResolutionReceiver)
class _Filter:
    def __init__(self, receiver: Any, host: str) -> None:
        self.receiver = receiver
        self.host = host

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        ip = getattr(address, "host", "")
        if refused_address(ip):
            REFUSED.setdefault(self.host, ip)
            return
        self.receiver.addressResolved(address)

    def resolutionComplete(self) -> None:
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    def __init__(self, reactor: Any, local_hosts: Sequence[str], allow_private: bool) -> None:
        self.reactor = reactor
        self.original = reactor.nameResolver
        self.local_hosts = frozenset(h.lower() for h in local_hosts)
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        settings = crawler.settings
        return cls(
            reactor,
            settings.getlist("NEWSWATCH_LOCAL_HOSTS"),
            settings.getbool("NEWSWATCH_ALLOW_PRIVATE_ADDRESSES"),
        )

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        host = hostName.lower().rstrip(".").strip("[]")
        receiver: Any = resolutionReceiver
        if not self.allow_private and host not in self.local_hosts:
            receiver = _Filter(resolutionReceiver, host)
        return self.original.resolveHostName(  # type: ignore[no-any-return]
            receiver, hostName, portNumber, addressTypes, transportSemantics
        )
