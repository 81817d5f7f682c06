"""``python -m sandbox [--port PORT]``: serve every sandbox outlet in the foreground.

Prints each outlet's base URL and the ``[outlets.<slug>]`` overrides to paste into a config.
With ``--port P`` the sites listen on P, P+1, ... (in the order printed); by default on free ports.
"""

from __future__ import annotations

import argparse
import sys
import threading

from sandbox.sites import SITES, OutletSites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="first port (the sites use consecutive ports)")
    parser.add_argument("--extra-articles", type=int, default=0, help="generated filler articles per outlet")
    parser.add_argument("--crawl-delay", type=float, default=None, help="Crawl-delay line in robots.txt")
    args = parser.parse_args(argv)
    ports = {site: args.port + i for i, site in enumerate(SITES)} if args.port else None
    try:
        sandbox = OutletSites(crawl_delay=args.crawl_delay, extra_articles=args.extra_articles, ports=ports).start()
    except OSError as exc:
        print(f"error: cannot listen: {exc}", file=sys.stderr)
        return 1
    try:
        for slug, table in sandbox.outlet_overrides().items():
            print(f"{slug:12} {table['base_url']}")
        print("\n# paste into config.toml:")
        for slug, table in sandbox.outlet_overrides().items():
            print(f'[outlets.{slug}]\nbase_url = "{table["base_url"]}"\n')
        print("serving; Ctrl-C to stop", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
