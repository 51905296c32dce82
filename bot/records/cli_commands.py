"""The privacy commands of the `veiviser` CLI: `forget` (one person) and `purge` (old turns).

`bot/cli.py` registers them with `add_parsers(sub)` and calls `args.func(args, settings)`; both return the
process exit code. `--store DIR` is read by the CLI's own settings builder, like in every other command.
"""

from __future__ import annotations

import argparse
import json

from bot.settings import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register `forget` and `purge` on the CLI's subparsers."""
    p = sub.add_parser("forget", help="delete everything stored about one person on one channel")
    p.add_argument("--channel", required=True, help="telegram, slack, web, cli, ...")
    p.add_argument("--user", required=True, help="the person's user id on that channel")
    p.add_argument("--store", metavar="DIR")
    p.add_argument("--json", action="store_true", help="print the deleted rows per table as one JSON object")
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser("purge", help="delete turns older than the retention period (RETENTION_DAYS)")
    p.add_argument("--days", type=_positive_int, help="delete turns older than this many days (default RETENTION_DAYS)")
    p.add_argument("--store", metavar="DIR")
    p.add_argument("--json", action="store_true", help="print the deleted rows per table as one JSON object")
    p.set_defaults(func=cmd_purge)


def _positive_int(value: str) -> int:
    days = int(value)
    if days < 1:
        raise argparse.ArgumentTypeError("--days must be 1 or more")
    return days


def _open(settings: Settings):  # noqa: ANN202
    from bot.records import Records

    return Records.open(
        settings.database_url_resolved, history_turns=settings.history_turns, history_ttl_s=settings.history_ttl_s
    )


def _report(counts: dict[str, int], as_json: bool, summary: str) -> None:
    if as_json:
        print(json.dumps(counts, ensure_ascii=False))
        return
    print(summary)
    for table, count in counts.items():
        print(f"  {table}: {count}")


def cmd_forget(args: argparse.Namespace, settings: Settings) -> int:
    """`veiviser forget --channel C --user U`: prints the deleted rows per table."""
    records = _open(settings)
    try:
        counts = records.forget(args.channel, args.user)
    finally:
        records.close()
    _report(counts, args.json, f"Forgot {args.channel} user {args.user}: {sum(counts.values())} rows deleted.")
    return 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    """`veiviser purge [--days N]`: deletes turns older than N days (default RETENTION_DAYS; 0 keeps all)."""
    days = args.days if args.days is not None else settings.retention_days
    if days <= 0:
        _report({}, args.json, "RETENTION_DAYS is 0: turns are kept forever, nothing purged.")
        return 0
    records = _open(settings)
    try:
        counts = records.purge(days)
    finally:
        records.close()
    _report(counts, args.json, f"Purged turns older than {days} days: {sum(counts.values())} rows deleted.")
    return 0
