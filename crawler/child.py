"""The crawl child process: one Scrapy ``CrawlerProcess`` running one spider per outlet.

``runner.run_child`` starts this in a process of its own, so a crash, a hang or a leak in
Scrapy or in a page's extraction ends with the process and never reaches the daemon. The
process is forked from a fork server (``start_context``): one small process per daemon or
command, started by its first crawl with Scrapy and the extractor imported (``PRELOAD``), so a
crawl starts in milliseconds instead of importing them again (about a second of CPU), and its
extraction processes are forked from it before it starts any thread, ready at once.
Everything the spiders produce goes back to the parent over a pipe as it happens, as the
messages of ``crawler.messages`` (an article found, a page failed, a feed's validators, a URL
too old, an outlet's crawl closed with its counts). Pages are extracted in a process pool
(``crawler.pool``) while the downloads go on.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext

from crawler.messages import ChildMessage, CrawlJob


def _one_line(record: logging.LogRecord) -> bool:
    """Scrapy logs an unreachable robots.txt or a failed download with a full traceback; the
    crawl records the failure with its reason, so the log keeps one line (the exception's)."""
    if record.exc_info and record.exc_info[1] is not None:
        record.msg = f"{record.getMessage()} ({record.exc_info[1].__class__.__name__}: {record.exc_info[1]})"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
    return True


PR_SET_PDEATHSIG = 1  # linux/prctl.h
# What the fork server imports once: every crawl child forked from it starts with these.
# ``crawler.preload``: the classes Scrapy's settings name, which each crawl child would import.
PRELOAD = ["crawler.child", "scrapy.crawler", "crawler.addresses", "crawler.pool", "crawler.settings",
           "crawler.spider", "crawler.extract", "crawler.preload"]  # fmt: skip
_SHIELDED = {signal.SIGTERM, signal.SIGHUP}


def start_context() -> ForkServerContext | SpawnContext:
    """How crawl children are started: forked from the fork server where the platform has one
    (started by the first crawl of this process, with ``PRELOAD`` imported), else spawned."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def warm_up() -> None:
    """Start the fork server now and wait until it has imported ``PRELOAD`` (seconds of CPU), so
    that the first crawl starts as fast as the next ones: a cluster worker does it before it
    takes its first job, which would otherwise wait for the imports while its outlet's tick
    goes by. A no-op where crawl children are spawned."""
    context = start_context()
    if not isinstance(context, ForkServerContext):
        return
    with shielded():
        process = context.Process(target=_nothing, name="newswatch-warm-up")
        process.start()
    process.join()


def _nothing() -> None:
    pass


@contextmanager
def shielded() -> Iterator[None]:
    """Around starting a crawl child: SIGTERM and SIGHUP blocked in this thread, so a fork server
    started now inherits them blocked. systemd's SIGTERM to the whole group (or a closed
    terminal's SIGHUP) must not end it before the daemon's grace period ends its crawls: the
    crawl children it forked would die with it (``die_with_parent``). It ends when the last
    process that uses it does. A signal arriving meanwhile waits until the block is lifted."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    # Started first, as the fork server would: starting, it unblocks SIGTERM in this thread.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SHIELDED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def die_with_parent() -> None:
    """End this process when the daemon or command that started the crawl dies, however it dies:
    a thread waits for the end of its pipe, and the kernel SIGKILLs this process when the one
    that forked it dies (the parent itself, when spawned).

    Without it, a crawl child outlives a parent killed with SIGKILL (or one whose signal
    handling failed), keeps fetching and, hung, never ends. Linux only (prctl); elsewhere the
    child still ends when it next fails to send to the parent."""
    parent = multiprocessing.parent_process()  # the daemon or command, also when forked by the server
    if parent is not None:
        # The parent's end of a pipe closes when it dies: the way to see it through a fork server
        # (which lives as long as any process it forked holds its own pipe, this one included).
        def watch() -> None:
            parent.join()
            os._exit(3)

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent is not None and not parent.is_alive():
        os._exit(3)  # the parent died before prctl took effect


def main(job: CrawlJob, conn: Connection) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(job.log_level)  # Scrapy resets logger levels; the handler decides what is shown
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s crawl %(name)s: %(message)s"))
    handler.addFilter(_one_line)
    logging.getLogger().handlers[:] = [handler]
    # Scrapy's cookie jar asks tldextract for public suffixes, which would download the list
    # on first use; the snapshot bundled with tldextract is enough and needs no network.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from scrapy.crawler import CrawlerProcess

    from crawler.addresses import local_hosts
    from crawler.pool import ExtractPool, pool_size
    from crawler.settings import outlet_settings, scrapy_settings
    from crawler.spider import OutletSpider

    # The parent decides when a crawl stops (its time limit, its own shutdown): Ctrl-C on a
    # terminal or systemd's SIGTERM to the whole group must not cut the crawl short here.
    # SIGHUP (a closed terminal) too. The parent's death, even by SIGKILL, ends the crawl.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SHIELDED)  # blocked by the fork server (``shielded``)
    # Before any thread starts here: forked now, the extraction processes start with what this
    # process imported (forking a process that runs threads would copy their locks as they are).
    pool = ExtractPool(pool_size(job.crawler.extract_processes), job.prepare)
    pool.fork_now()
    die_with_parent()

    # Messages go out from a thread of their own: when the parent is slow to store (a busy
    # database), Scrapy's event loop keeps downloading instead of waiting on a full pipe, and
    # its timeouts do not fire for time spent blocked.
    outbox: queue.SimpleQueue[ChildMessage | None] = queue.SimpleQueue()

    def send_all() -> None:
        while (message := outbox.get()) is not None:
            try:
                conn.send(message)
            except OSError:  # the parent is gone (killed): nothing here can be stored any more
                os._exit(3)

    sender = threading.Thread(target=send_all, name="crawl-sender", daemon=True)
    sender.start()
    sink = outbox.put

    hosts = local_hosts(o.outlet.base_url for o in job.outlets)
    process = CrawlerProcess(settings=scrapy_settings(job.crawler, job.time_limit, hosts))
    for outlet_job in job.outlets:
        own = outlet_settings(job.crawler, outlet_job.outlet, job.time_limit, hosts)
        process.crawl(
            OutletSpider.with_settings(own),
            outlet=outlet_job.outlet,
            known=outlet_job.known,
            fetch_states=outlet_job.fetch_states,
            max_age=float(job.crawler.max_age),
            max_listing_pages=job.crawler.max_listing_pages,
            sink=sink,
            now=job.now,
            extractor=pool.extract,
            explain=outlet_job.explain,
            fetch_limit=outlet_job.fetch_limit,
            held=outlet_job.held,
            retries=outlet_job.retries,
        )
    try:
        process.start(install_signal_handlers=False)
    finally:
        pool.close()
    outbox.put(None)
    sender.join()
    conn.close()
