"""Memory of the daemon under hostile pages and hostile alert receivers.

Runs ``run.py run`` (a subprocess, SQLite in a temporary folder) for ``--seconds`` against:

- an outlet on 127.0.0.1 whose feed lists a normal article, a 1 GiB gzip bomb, a 50 MB page, an
  endless chunked page, a page trickling a byte every 0.2 s, a page full of control characters,
  and a redirect towards another port of the same host;
- channels whose receivers misbehave (``sandbox.hostile``): a webhook that floods, one that
  trickles, one that stalls, and an SMTP server whose greeting never ends; a watch matching the
  normal article sends to all of them, so every delivery attempt meets one.

It reads the peak resident memory (``VmHWM`` in /proc) of the daemon at the end and of every
crawl child while it runs, and prints both with what the daemon recorded.

    .venv/bin/python bench/hostile_memory.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.hostile import HostileServer  # noqa: E402

ARTICLE = (
    "<html><head><title>Navy patrol in the South China Sea</title></head><body><article>"
    "<h1>Navy patrol in the South China Sea</h1>"
    + "".join(
        f"<p>The navies of Vietnam and Malaysia held joint patrol number {i} near the maritime "
        "boundary, officials said, adding that fishing boats were inspected by the coast guard.</p>"
        for i in range(8)
    )
    + "</article></body></html>"
)


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed (about 1 MB per GiB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    out = [comp.compress(block) for _ in range(size >> 20)]
    out.append(comp.flush())
    return b"".join(out)


def serve(bomb: bytes, other_port: int) -> ThreadingHTTPServer:
    now = format_datetime(datetime.now(UTC))
    paths = ["ok", "bomb", "huge", "endless", "trickle", "controls", "redirect"]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def send(self, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k.replace("_", "-"), v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{server.server_address[1]}"
            try:
                if self.path == "/robots.txt":
                    self.send(b"User-agent: *\n", "text/plain")
                elif self.path == "/feed.xml":
                    items = "".join(
                        f"<item><title>{p}</title><link>{base}/news/{p}</link><pubDate>{now}</pubDate></item>"
                        for p in paths
                    )
                    self.send(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode())
                elif self.path == "/news/ok":
                    self.send(ARTICLE.encode())
                elif self.path == "/news/bomb":
                    self.send(bomb, Content_Encoding="gzip")
                elif self.path == "/news/huge":
                    self.send(ARTICLE.replace("</article>", "<p>" + "x" * (50 << 20) + "</p></article>").encode())
                elif self.path in ("/news/endless", "/news/trickle"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    piece, pause = (b"<p>" + b"y" * 65536, 0.0) if self.path.endswith("endless") else (b"z", 0.2)
                    while True:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                        if pause:
                            time.sleep(pause)
                elif self.path == "/news/controls":
                    noisy = ARTICLE.replace("patrol", "pat\x08rol\x1b[2J").replace("navies", "na\x00vies\x07")
                    self.send(noisy.replace("South", "So\u202euth").encode())
                elif self.path == "/news/redirect":
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{other_port}/news/ok")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
            except OSError:
                pass  # the crawler hung up: what it should do

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def vm_hwm(pid: int) -> int:
    """Peak resident memory of a process in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """Child processes of every thread of ``pid`` (crawls are started from worker threads)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    hostile = [
        HostileServer("http", "flood").start(),
        HostileServer("http", "trickle", chunk=64, interval=0.2).start(),
        HostileServer("http", "stall").start(),
        HostileServer("smtp", "flood").start(),
    ]
    other = HostileServer("http", "flood").start()  # the redirect's target: must never be contacted
    site = serve(gzip_bomb(1 << 30), other.port)
    base = f"http://127.0.0.1:{site.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "nw.db"
        cfg = Path(tmp) / "config.toml"
        hooks = "".join(
            f'[channels.hook-{h.mode}]\ntype = "webhook"\nurl = "{h.url}"\nunsigned = true\ntimeout = "5s"\n'
            for h in hostile[:3]
        )
        cfg.write_text(
            f'[storage]\ndatabase_url = "sqlite:///{db}"\n'
            '[crawler]\ndownload_delay = "0s"\nautothrottle = false\ntimeout = "10s"\nretries = 0\n'
            '[schedule]\ncrawl_interval = "10s"\njitter = "0s"\ncrawl_time_limit = "30s"\ndispatch_interval = "1s"\n'
            '[alerts]\nretry_base = "1s"\n'
            f'[outlets]\nenabled = ["hostile"]\n[outlets.hostile]\nname = "Hostile"\nbase_url = "{base}"\n'
            'language = "en"\ntimezone = "UTC"\nfeeds = ["/feed.xml"]\narticle_pattern = "^/news/"\n'
            f"{hooks}"
            f'[channels.mail]\ntype = "smtp"\nhost = "127.0.0.1"\nport = {hostile[3].port}\nsecurity = "none"\n'
            'sender = "nw@example.org"\nto = ["desk@example.org"]\ntimeout = "5s"\n'
            '[watches.navy]\nquery = "navy"\nchannels = ["hook-flood", "hook-trickle", "hook-stall", "mail"]\n'
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
        daemon = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "--config", str(cfg), "run"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        child_peak = 0
        end = time.monotonic() + args.seconds
        while time.monotonic() < end and daemon.poll() is None:
            for pid in children(daemon.pid):
                child_peak = max(child_peak, vm_hwm(pid))
            time.sleep(0.2)
        daemon_peak = vm_hwm(daemon.pid)
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=120)
        with sqlite3.connect(db) as conn:
            runs = conn.execute("SELECT status, count(*) FROM crawl_runs GROUP BY status").fetchall()
            errors = conn.execute("SELECT reason, count(*) FROM crawl_errors GROUP BY reason").fetchall()
            stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            deliveries = conn.execute("SELECT status, count(*) FROM alert_deliveries GROUP BY status").fetchall()
            attempts = conn.execute("SELECT count(*) FROM delivery_attempts").fetchone()[0]
    for server in [*hostile, other]:
        server.stop()
    print(f"daemon ran {args.seconds:.0f}s, exit status {daemon.returncode}")
    print(f"peak resident memory: daemon {daemon_peak / 1024:.0f} MB, crawl child {child_peak / 1024:.0f} MB")
    print(f"crawl runs {dict(runs)}; articles stored {stored}; crawl errors {dict(errors)}")
    print(f"deliveries {dict(deliveries)}, {attempts} attempts; redirect target contacted {other.connections} times")
    print(f"bytes pushed by the hostile receivers: {[s.bytes_sent for s in hostile]}")
    if "Traceback" in err:
        print("the daemon logged a traceback:\n" + err[-2000:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
