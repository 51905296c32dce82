"""The `veiviser` command: ingest, ask, chat, detect-language, eval, serve."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from bot.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "store", None):
        overrides["veiviser_store"] = Path(args.store)
    return Settings(**overrides)


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ingest(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from bot.language import LanguageDetector
    from bot.runtime import build_index
    from ingest.pipeline import Ingester

    settings = _settings(args)
    folders = [Path(k) for k in args.knowledge] if args.knowledge else settings.knowledge_dirs
    ingester = Ingester(build_index(settings), LanguageDetector())
    if sys.stderr.isatty() and not args.json:
        with Progress(transient=True) as progress:
            task = progress.add_task("ingest", total=None)
            report = ingester.run(
                folders, lambda name, i, n: progress.update(task, completed=i, total=n, description=name[-50:])
            )
    else:
        report = ingester.run(folders)
    if args.json:
        _print_json(report.to_json())
    else:
        print(
            f"added {report.added}, updated {report.updated}, removed {report.removed}, unchanged {report.unchanged}; "
            f"{report.chunks} chunks in {report.seconds:.1f} s"
        )
        for error in report.errors:
            print(f"  skipped {error['path']}: {error['error']}", file=sys.stderr)
    return 0


def _questions(args: argparse.Namespace):
    if args.question in (None, "-"):
        for line in sys.stdin:
            if line.strip():
                yield line.rstrip("\n")
    else:
        yield args.question


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.models import Question
    from bot.render import render_plain
    from bot.runtime import build_runtime

    runtime = build_runtime(_settings(args))
    if runtime.index.is_empty():
        print("The knowledge index is empty: run `veiviser ingest` first.", file=sys.stderr)
        return 2
    for text in _questions(args):
        answer = runtime.assistant.answer(Question(text=text, lang=args.lang, channel="cli"))
        if args.json:
            _print_json(answer.to_json())
        else:
            print(render_plain(answer, runtime.translator) + "\n")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    import uuid

    from bot.models import Question
    from bot.render import render_plain
    from bot.runtime import build_runtime

    runtime = build_runtime(_settings(args))
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
            answer = runtime.assistant.answer(Question(text=text, channel="chat", conversation_id=conversation))
            print(render_plain(answer, runtime.translator) + "\n")


def cmd_detect_language(args: argparse.Namespace) -> int:
    from bot.language import LanguageDetector

    detector = LanguageDetector()
    for line in sys.stdin:
        text = line.rstrip("\n")
        detection = detector.detect(text)
        if args.json:
            _print_json({"text": text, "language": detection.language, "confidence": detection.confidence})
        else:
            print(detection.language)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluation import run_beir_eval

    result = run_beir_eval(_settings(args), Path(args.corpus), Path(args.queries), Path(args.qrels))
    if args.json:
        _print_json(result)
    else:
        for name in ("fused", "dense", "lexical"):
            r = result[name]
            print(f"{name:8s} nDCG@10 {r['ndcg@10']:.3f}  recall@5 {r['recall@5']:.3f}  MRR@10 {r['mrr@10']:.3f}")
        print(f"{result['queries']} queries, {result['corpus']} passages")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import create_app

    settings = _settings(args)
    host, port = args.host or settings.host, args.port or settings.port
    print(f"Veiviser is running: open http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="veiviser", description="Mentoring assistant for social entrepreneurs.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index the knowledge folders (only what changed)")
    p.add_argument("--knowledge", action="append", metavar="DIR", help="folder to index (repeatable)")
    p.add_argument("--store", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question, or one per line of stdin with '-'")
    p.add_argument("question", nargs="?", default=None)
    p.add_argument("--lang", choices=["nb", "nn", "sv", "en", "da"])
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
    p.add_argument("--port", type=int)
    p.add_argument("--store", metavar="DIR")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError) as exc:
        print(f"veiviser: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
