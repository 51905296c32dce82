"""The `veiviser` command: ingest, ask, chat, detect-language, eval, serve, staff."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import shutil
import sys
from pathlib import Path

from bot.admin import cli_commands as staff_commands
from bot.models import LANGUAGES
from bot.records import cli_commands as records_commands
from bot.settings import Settings
from bot.store import StoreDamaged


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "store", None):
        overrides["veiviser_store"] = Path(args.store)
    return Settings(**overrides)


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if args.server:
        return _ingest_through_server(args.server, settings, args.json)
    from bot.runtime import build_index, hold_store, open_records
    from bot.store_lock import StoreBusy
    from ingest.coordinator import IngestCoordinator
    from ingest.pipeline import Ingester

    folders = [Path(k) for k in args.knowledge] if args.knowledge else settings.knowledge_dirs
    try:
        lock = hold_store(settings, "ingest")
    except StoreBusy as exc:
        print(f"veiviser: {exc}", file=sys.stderr)
        return 3
    from bot.language import LanguageDetector

    records = open_records(settings)
    try:
        coordinator = IngestCoordinator(
            Ingester(build_index(settings, repair=True), LanguageDetector(), records), folders,
            leases=records if settings.chroma_host else None,
        )
        from bot.admin.summary import SlackStaffSummary
        from bot.i18n import Translator

        slack = SlackStaffSummary.configured(settings, Translator())
        if slack is not None:  # the staff channel hears of every re-ingest, also this one
            coordinator.listeners.append(slack)
        report = _run_with_progress(coordinator, args.json)
    finally:
        records.close()
        if lock is not None:
            lock.release()
    _print_report(report.to_json(), args.json)
    return 0


def _run_with_progress(coordinator, quiet: bool):  # noqa: ANN001, ANN202 - IngestCoordinator -> IngestReport
    if quiet or not sys.stderr.isatty():
        return coordinator.run(trigger="cli")
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("ingest", total=None)
        return coordinator.run(lambda name, i, n: progress.update(task, completed=i, total=n, description=name[-50:]),
                               trigger="cli")


def _ingest_through_server(url: str, settings: Settings, as_json: bool) -> int:
    """Ask a running service to re-ingest (it owns the store); prints the same report."""
    import httpx

    token = settings.admin_token.get_secret_value()
    if not token:
        print("veiviser: --server needs ADMIN_TOKEN (the service's staff token) in the environment or .env.",
              file=sys.stderr)
        return 2
    try:
        response = httpx.post(f"{url.rstrip('/')}/admin/api/reingest", headers={"Authorization": f"Bearer {token}"},
                              timeout=3600)
    except httpx.HTTPError as exc:
        print(f"veiviser: could not reach {url} ({exc.__class__.__name__}); is `veiviser serve` running there?",
              file=sys.stderr)
        return 2
    if response.status_code != 200:
        detail = response.json().get("detail") if response.headers.get("content-type", "").startswith(
            "application/json") else response.text[:200]
        print(f"veiviser: the service answered {response.status_code}: {detail}", file=sys.stderr)
        return 3 if response.status_code == 409 else 2
    _print_report(response.json(), as_json)
    return 0


def _print_report(report: dict, as_json: bool) -> None:
    if as_json:
        _print_json(report)
        return
    print(
        f"added {report['added']}, updated {report['updated']}, removed {report['removed']}, "
        f"unchanged {report['unchanged']}; {report['chunks']} chunks in {report['seconds']:.1f} s"
    )
    for error in report["errors"]:
        print(f"  skipped {error['path']}: {error['error']}", file=sys.stderr)


def _input_lines():  # noqa: ANN202 - Iterator[str]
    """Standard input line by line; bytes that are not UTF-8 become U+FFFD instead of stopping the batch."""
    stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace") if hasattr(sys.stdin, "buffer") \
        else sys.stdin
    for line in stream:
        yield line.rstrip("\r\n")


def _questions(args: argparse.Namespace):  # noqa: ANN202 - Iterator[str]
    if args.question in (None, "-"):
        yield from (line for line in _input_lines() if line.strip())
    else:
        yield args.question


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.models import Question
    from bot.render import render_plain
    from bot.runtime import build_runtime

    runtime = build_runtime(settings)
    try:
        if not runtime.live.current().size:
            print("The knowledge index is empty: run `veiviser ingest` first.", file=sys.stderr)
            return 2
        for text in _questions(args):
            answer = asyncio.run(runtime.answers.answer(Question(text=text, lang=args.lang, channel="cli")))
            if args.json:
                _print_json(answer.to_json())
            else:
                print(render_plain(answer, runtime.translator) + "\n")
    finally:
        runtime.close()
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    import uuid

    from bot.models import Question
    from bot.render import render_plain
    from bot.runtime import build_runtime

    runtime = build_runtime(settings)
    conversation = uuid.uuid4().hex
    t = runtime.translator
    print(" / ".join(t.translate(lang, "Write a question (Ctrl-D to quit).") for lang in ("nb", "sv")) + "\n")
    while True:
        try:
            text = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip():
            answer = asyncio.run(runtime.answers.answer(Question(text=text, channel="chat", conversation_id=conversation)))
            print(render_plain(answer, runtime.translator) + "\n")


def cmd_detect_language(args: argparse.Namespace, settings: Settings) -> int:
    from bot.language import LanguageDetector
    from bot.text import clean_text

    detector = LanguageDetector()
    for text in _input_lines():
        detection = detector.detect(clean_text(text))
        if args.json:
            _print_json({"text": text, "language": detection.language, "confidence": detection.confidence})
        else:
            print(detection.language)
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import run_beir_eval

    result = run_beir_eval(settings, Path(args.corpus), Path(args.queries), Path(args.qrels))
    if args.json:
        _print_json(result)
    else:
        for name in ("fused", "dense", "lexical"):
            r = result[name]
            print(f"{name:8s} nDCG@10 {r['ndcg@10']:.3f}  recall@5 {r['recall@5']:.3f}  MRR@10 {r['mrr@10']:.3f}")
        print(f"{result['queries']} queries, {result['corpus']} passages")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from bot import logs
    from bot.app import create_app
    from bot.store_lock import StoreLock, busy_message

    host, port = args.host or settings.host, args.port or settings.port
    url = f"http://{host}:{port}"
    settings = settings.model_copy(update={"embedder_threads": settings.embedder_threads or 1,
                                           "embedder_instances": settings.embedder_instances
                                           or min(2, max(1, (os.cpu_count() or 1) // args.workers))})
    if args.telegram_polling:
        if not settings.telegram_bot_token.get_secret_value():
            print("veiviser: --telegram-polling needs TELEGRAM_BOT_TOKEN in the environment or .env.", file=sys.stderr)
            return 2
        settings = settings.model_copy(update={"telegram_polling": True})
    if args.workers > 1:
        refusal = workers_refusal(settings, args.workers)
        if refusal:
            print(f"veiviser: {refusal}", file=sys.stderr)
            return 3
    holder = None if settings.chroma_host else StoreLock(settings.veiviser_store).holder()
    if holder is not None:  # the lifespan would fail the same way; say it plainly before starting
        print(f"veiviser: {busy_message(settings.veiviser_store, holder)}", file=sys.stderr)
        return 3
    log_config = logs.uvicorn_log_config(settings.log_format)
    print(f"Veiviser is starting: open {url}/ (Ctrl-C to stop)", flush=True)
    if args.workers > 1:
        metrics_dir = _prepare_workers(settings)
        try:
            uvicorn.run("bot.app:app_from_environment", factory=True, workers=args.workers, host=host, port=port,
                        log_level="info", timeout_worker_healthcheck=WORKER_START_S,
                        **({"log_config": log_config} if log_config else {}))
        finally:
            if metrics_dir is not None:
                shutil.rmtree(metrics_dir, ignore_errors=True)
        return 0
    uvicorn.run(create_app(settings, public_url=url), host=host, port=port, log_level="info",
                **({"log_config": log_config} if log_config else {}))
    return 0


WORKER_START_S = 120  # a worker loads the embedder and the language models before it answers uvicorn's ping


def workers_refusal(settings: Settings, workers: int) -> str | None:
    """Why `serve --workers N` cannot run on these settings (None when it can): the processes would share an
    embedded Chroma store, which has one writer, or one Telegram polling connection."""
    if not settings.chroma_host:
        return (f"--workers {workers} needs a Chroma server: an embedded store ({settings.veiviser_store}) has one "
                "writer. Set CHROMA_HOST and CHROMA_PORT (and DATABASE_URL=postgresql+psycopg://... for the records), "
                "or run one process without --workers.")
    if settings.telegram_polling:
        return "--workers cannot be combined with Telegram long polling (one connection per bot); use the webhook."
    return None


def _prepare_workers(settings: Settings) -> str | None:
    """Each worker builds its settings from the environment: hand it what the command line changed, and a folder
    where the workers' metrics meet (prometheus-client's multiprocess mode); returns that folder when made here."""
    import tempfile

    from bot.metrics import MULTIPROCESS_DIR

    os.environ["VEIVISER_STORE"] = str(settings.veiviser_store)
    os.environ["EMBEDDER_THREADS"] = str(settings.embedder_threads)
    os.environ["EMBEDDER_INSTANCES"] = str(settings.embedder_instances)
    if os.environ.get(MULTIPROCESS_DIR):
        return None
    os.environ[MULTIPROCESS_DIR] = tempfile.mkdtemp(prefix="veiviser-metrics-")
    return os.environ[MULTIPROCESS_DIR]


def _port(value: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (1-65535)")
    return port


def _workers(value: str) -> int:
    workers = int(value)
    if not 1 <= workers <= 64:
        raise argparse.ArgumentTypeError(f"{value} workers: use 1 to 64")
    return workers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="veiviser", description="Mentoring assistant for social entrepreneurs.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index the knowledge folders (only what changed)")
    p.add_argument("--knowledge", action="append", metavar="DIR", help="folder to index (repeatable)")
    p.add_argument("--server", metavar="URL", help="re-ingest through the running service at URL (needs ADMIN_TOKEN)")
    p.add_argument("--store", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question, or one per line of stdin with '-'")
    p.add_argument("question", nargs="?", default=None)
    p.add_argument("--lang", choices=LANGUAGES)
    p.add_argument("--store", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="talk to the assistant in the terminal")
    p.add_argument("--store", metavar="DIR")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("detect-language", help="one language code per input line")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_detect_language)

    p = sub.add_parser("eval", help="retrieval quality on a BEIR-style set")
    p.add_argument("--corpus", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--qrels", required=True)
    p.add_argument("--store", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="run the HTTP service (web chat, API, Telegram and Slack webhooks)")
    p.add_argument("--host")
    p.add_argument("--port", type=_port)
    p.add_argument("--store", metavar="DIR")
    p.add_argument("--telegram-polling", action="store_true",
                   help="answer Telegram by long polling (local use: no public URL, no webhook)")
    p.add_argument("--workers", type=_workers, default=1, metavar="N",
                   help="N processes on one port (needs a Chroma server: CHROMA_HOST; see README, production)")
    p.set_defaults(func=cmd_serve)

    records_commands.add_parsers(sub)
    staff_commands.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from bot import logs

    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        logs.configure(settings.log_format, logging.INFO if args.verbose else logging.WARNING)
        return args.func(args, settings)
    except (FileNotFoundError, ValueError, StoreDamaged) as exc:
        print(f"veiviser: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
