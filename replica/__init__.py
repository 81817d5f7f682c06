"""Local replicas of the preset news outlets, for crawler tests, end-to-end tests, benchmarks
and ``python run.py demo``. See the README section "Replica outlets".

Standard library only: one ``ThreadingHTTPServer`` per site on 127.0.0.1.
"""

from __future__ import annotations

from replica.model import Article
from replica.server import ReplicaServer, RequestRecord

__all__ = ["Article", "ReplicaServer", "RequestRecord"]
