"""``alerts test|list|retry|send``: the alert deliveries, by hand.

``test`` sends a marked test message through one channel; ``list`` shows deliveries newest
first (read-only: never migrates); ``retry`` re-queues failed ones; ``send`` queues due digests
and sends everything due now, as the daemon would.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cli.command import CommandError, Commands, UsageError, add_command
from cli.output import print_json
from cli.terminal import cell

if TYPE_CHECKING:
    from app import App


def send_test(app: App, args: argparse.Namespace) -> int:
    if args.channel not in app.config.channels:
        known = ", ".join(app.config.channels) or "none configured"
        raise UsageError(f"no channel named {args.channel!r} in [channels] (known: {known})")
    app.upgrade()
    outcome = app.dispatcher().send_test(args.channel)
    if outcome.status != "delivered":
        raise CommandError(f"test message to {args.channel} failed: {outcome.error}")
    print(f"test message sent to {args.channel}" + (f" over {outcome.transport}" if outcome.transport else ""))
    return 0


def list_deliveries(app: App, args: argparse.Namespace) -> int:
    from alerts.deliveries import delivery_summary, list_deliveries
    from storage.status import DeliveryStatus

    app.require_schema()
    with app.sessions() as session:
        rows = [delivery_summary(d) for d in list_deliveries(session, failed_only=args.failed, limit=args.limit)]
    for row in rows:
        if args.json:
            print_json(row)
            continue
        when = datetime.fromisoformat(row["created_at"]).strftime("%Y-%m-%d %H:%M")
        print(f"{when}  {row['id']}  {row['kind']:<7} {row['channel']:<12} {row['status']:<9} "
              f"{row['attempts']:>2}x  {cell(row['summary'])[:70]}")  # fmt: skip
        if row["claimed_by"] and row["next_attempt_at"]:
            lease = datetime.fromisoformat(row["next_attempt_at"])
            until, who = lease.strftime("%Y-%m-%d %H:%M:%S"), cell(row["claimed_by"])
            if lease > datetime.now(UTC):
                print(f"{'':18}being sent by dispatcher {who} (its lease runs to {until} UTC)")
            else:  # the dispatcher stopped renewing it: died mid-send
                print(f"{'':18}claimed by dispatcher {who}, silent since its lease ended at {until} UTC: due again")
        if row["status"] != DeliveryStatus.DELIVERED and row["last_error"]:
            retry = f" (next try {row['next_attempt_at'][:16].replace('T', ' ')} UTC)" if row["next_attempt_at"] else ""
            print(f"{'':18}last error{retry}: {cell(row['last_error'])[:200]}")
    if not rows and not args.json:
        print("no failed deliveries" if args.failed else "no deliveries")
    return 0


def retry(app: App, args: argparse.Namespace) -> int:
    from alerts.deliveries import requeue
    from alerts.errors import UnknownDelivery

    app.upgrade()
    try:
        ids = requeue(app.sessions, args.ids)
    except UnknownDelivery as exc:
        raise CommandError(str(exc)) from None
    print(f"re-queued {len(ids)} deliveries; the daemon sends them within seconds (or run: alerts send)")
    return 0


def send(app: App, args: argparse.Namespace) -> int:
    from alerts.digest import enqueue_digests

    app.upgrade()
    enqueue_digests(app.sessions, app.config)
    print(app.dispatcher().dispatch_due())
    return 0


def register(commands: Commands) -> None:
    parser = commands.add_parser("alerts", help="alert deliveries: test a channel, list, retry, send now")
    actions = parser.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    action = add_command(
        actions, "test", send_test, help="send a clearly marked test message to CHANNEL and report the result"
    )
    action.add_argument("channel", metavar="CHANNEL")
    action = add_command(actions, "list", list_deliveries, help="deliveries, newest first")
    action.add_argument("--failed", action="store_true", help="only deliveries that gave up or were disabled")
    action.add_argument("--json", action="store_true", help="one JSON object per line, with every attempt")
    action.add_argument("--limit", type=int, default=50)
    action = add_command(actions, "retry", retry, help="re-queue deliveries (default: every failed and disabled one)")
    action.add_argument("ids", nargs="*", metavar="ID")
    add_command(actions, "send", send, help="queue due digests and send every due delivery now")
