"""Twenty-five real public web pages about Nordic social-enterprise projects, saved as a browser saves them, ingested
beside `knowledge/` by the real ingest, and plain questions about them (nb, nn, sv, en) asked through the assistant
(default settings, no LLM): the right page among the first three documents, the answer holding the asked-for fact,
and declines, per question and in total.

Each question (benchmarks/real_pages.json) was written before the first run on its pages. Work on the "tune" set;
the other sets ("report", "report2", "report3", "report4") are for the README. The pages are third-party text and
are not in the repository: save each URL of real_pages.json as `<page>.txt` (the page's text, menus and footers
included) into `--pages`.

    .venv/bin/python -m benchmarks.real_pages_eval --pages .veiviser-bench/real-pages --set tune
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.documents_eval import INGEST_CODE, KNOWLEDGE, _digest, ingested_runtime, outcome
from bot.settings import PROJECT_ROOT, Settings

QUESTIONS = Path(__file__).with_name("real_pages.json")
PAGES = Path(".veiviser-bench/real-pages")


class MissingPages(Exception):
    """Some pages of real_pages.json are not saved in the pages folder."""


def missing_pages(pages: Path) -> list[str]:
    """What to save first: one "<page>.txt <- <url>" per page not in `pages`."""
    spec = json.loads(QUESTIONS.read_text("utf-8"))
    return [f"{name}.txt <- {page['url']}" for name, page in spec["pages"].items() if not (pages / f"{name}.txt").is_file()]


def evaluate(pages: Path, store_root: Path, question_sets: tuple[str, ...]) -> dict[str, dict]:
    """Ingest the pages beside the course material (once per set of files and ingest code) and ask the questions of
    each of `question_sets`: per set, the outcome of every question and the totals."""
    spec = json.loads(QUESTIONS.read_text("utf-8"))
    missing = missing_pages(pages)
    if missing:
        raise MissingPages(f"save these pages as .txt into {pages} first: " + ", ".join(missing))
    key = _digest([pages, KNOWLEDGE] + [PROJECT_ROOT / p for p in INGEST_CODE])
    store = store_root / f"real-pages-store-{key}"
    settings = Settings(_env_file=None, veiviser_store=store, llm="", knowledge_dirs=[KNOWLEDGE, pages])
    results = {}
    with ingested_runtime(settings, store, store_root) as (runtime, _):
        for question_set in question_sets:
            rows = []
            for q in (q for q in spec["questions"] if q["set"] == question_set):
                wanted = f"{pages.name}/{q['page']}.txt"
                rows.append({"id": q["id"], "text": q["text"]} | outcome(runtime, q["text"], q["answers"], wanted))
            results[question_set] = {"questions": rows, "n": len(rows),
                                     **{m: sum(r[m] for r in rows) for m in ("top3", "holds", "declined")}}
    return results


HELD_OUT = ("report", "report2", "report3", "report4")


def render(results: dict | None) -> list[str]:
    """The README lines of the held-out sets (or how to run them when the pages are not saved here)."""
    intro = ("Real public pages (`benchmarks/real_pages_eval.py`): twenty-five public web pages about Nordic "
             "social-enterprise projects (nb, nn, sv, da, en; URLs in `benchmarks/real_pages.json`), saved as text "
             "with their menus, cookie banners, breadcrumbs and footers, ingested beside `knowledge/`; plain questions "
             "in nb, nn, sv and en, each written before any run on its pages; 30 questions on five pages each, "
             "*tune* left out. *report2* and *report4* are held out (never read or worked on); *report* and *report3* "
             "were read and worked on after their first runs (see the real-pages section below)")
    if results is None:
        return [intro + ": not run here (the pages are third-party text, not in the repository; save them into "
                f"`{PAGES}/` to run them)."]
    lines = [intro + ":", "", "| set | questions | right page in top 3 | answer holds the fact | declined |",
             "|---|---|---|---|---|"]
    for name, result in results.items():
        lines.append(f"| {name} | {result['n']} | {int(result['top3'])} | {int(result['holds'])} | {int(result['declined'])} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--store", type=Path, default=Path(".veiviser-bench"))
    parser.add_argument("--set", choices=("tune", *HELD_OUT), default="tune", dest="question_set")
    args = parser.parse_args()
    try:
        result = evaluate(args.pages.resolve(), args.store, (args.question_set,))[args.question_set]
    except MissingPages as exc:
        raise SystemExit(str(exc)) from None
    for row in result["questions"]:
        marks = " ".join(f"{m}={int(row[m])}" for m in ("top3", "holds", "declined"))
        print(f"{row['id']}  {marks}  {row['text']}")
    print(f"\nright page in top 3: {int(result['top3'])} of {result['n']}; answer holds the fact: "
          f"{int(result['holds'])} of {result['n']}; declined: {int(result['declined'])}")


if __name__ == "__main__":
    main()
