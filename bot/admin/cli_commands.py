"""`veiviser staff ...`: staff accounts for the admin pages and tokens for the staff API.

    veiviser staff add EMAIL [--slack-user U123] [--password-stdin]   create an account (asks for the password)
    veiviser staff password EMAIL [--password-stdin]                   set a new password
    veiviser staff token EMAIL                                         print a new API token (replaces the old one)
    veiviser staff slack EMAIL USER_ID                                 link a Slack user id (`/veiviser reingest`)
    veiviser staff list [--json] | veiviser staff remove EMAIL
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from bot.settings import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:
    staff = sub.add_parser("staff", help="staff accounts for the admin pages (/admin) and the staff API")
    actions = staff.add_subparsers(dest="action", required=True)
    for name, text in (("add", "create a staff account"), ("password", "set a staff member's password")):
        p = actions.add_parser(name, help=text)
        p.add_argument("email")
        p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        if name == "add":
            p.add_argument("--slack-user", metavar="ID", help="the person's Slack user id (may run /veiviser reingest)")
    p = actions.add_parser("token", help="print a new staff API token for EMAIL (the previous one stops working)")
    p.add_argument("email")
    p = actions.add_parser("slack", help="link a staff account to a Slack user id")
    p.add_argument("email")
    p.add_argument("slack_user")
    p = actions.add_parser("list", help="list the staff accounts")
    p.add_argument("--json", action="store_true")
    p = actions.add_parser("remove", help="delete a staff account")
    p.add_argument("email")
    for parser in actions.choices.values():
        parser.add_argument("--store", metavar="DIR")
    staff.set_defaults(func=cmd_staff)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_staff(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin.auth import hash_password, new_token
    from bot.records import Records
    from bot.records.staff import StaffExists, UnknownStaff

    records = Records.open(settings.database_url_resolved)
    staff = records.staff
    try:
        if args.action == "add":
            staff.add(args.email, hash_password(_password(args.password_stdin)), args.slack_user)
            print(f"Staff account {args.email.strip().lower()} created; sign in at /admin.")
        elif args.action == "password":
            staff.update(args.email, password_hash=hash_password(_password(args.password_stdin)))
            print(f"Password of {args.email} changed.")
        elif args.action == "token":
            token, digest = new_token()
            staff.update(args.email, token_digest=digest)
            print(token)
        elif args.action == "slack":
            staff.update(args.email, slack_user_id=args.slack_user)
            print(f"{args.email} is Slack user {args.slack_user}.")
        elif args.action == "list":
            rows = staff.all()
            if args.json:
                print(json.dumps([{"email": r["email"], "slack_user_id": r["slack_user_id"], "has_token": bool(r["has_token"]),
                                   "created_at": r["created_at"].isoformat(),
                                   "last_login_at": r["last_login_at"].isoformat() if r["last_login_at"] else None}
                                  for r in rows], ensure_ascii=False))
            for r in rows if not args.json else []:
                print(f"{r['email']}\tslack={r['slack_user_id'] or '-'}\ttoken={'yes' if r['has_token'] else 'no'}")
        elif args.action == "remove":
            if not staff.remove(args.email):
                raise UnknownStaff(args.email)
            print(f"Staff account {args.email} removed.")
    except StaffExists as exc:
        print(f"veiviser: {exc}", file=sys.stderr)
        return 3
    except UnknownStaff:
        print(f"veiviser: no staff account {args.email}; create it with `veiviser staff add {args.email}`",
              file=sys.stderr)
        return 3
    finally:
        records.close()
    return 0
