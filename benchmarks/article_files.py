"""The NorQuAD and SweQUAD-MC dev articles as whole plain-text files, clean or saved the way a browser saves a page.

The BEIR corpora hold each article cut into chunks with their offsets (`parent`, `start`, `end`); the article is
put back together from them and written as one `.txt` file, its title on the first line. The "messy" variant
wraps the same article the way "save page as text" does: skip links, menus, a cookie banner and a breadcrumb
before the text, share and footer lines after it, in the page's language; every third file (by a hash of its
id) also carries a paragraph in a second language (a paragraph of an article from the other set). Which lines
and how many is decided by a hash of the article id, so the files are the same on every run. A sample is written (`selected_articles`): all SweQUAD-MC articles holding an answer, a sixth of
NorQuAD's, and one in 25 of the other articles as distractors.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SETS = {"norquad": ("NorQuAD", "nb"), "swequad_mc": ("SweQUAD-MC", "sv")}
VARIANTS = ("clean", "messy")
QUESTION_SHARE = {"norquad": 2, "swequad_mc": 1}  # one in this many of the articles holding an answer is kept
DISTRACTOR_SHARE = 25  # one in this many of the articles that answer no question is kept (as a distractor)

# What a saved page holds around its text, per language: the lines before (skip links, menus, cookie banner,
# breadcrumb) and after (share, related, footer). Each file takes a hash-chosen subset, in this order.
BEFORE = {
    "nb": [
        ["Hopp til innhold", "Hopp til hovedinnhold", "Gå til hovedinnhold"],
        ["Hopp til søk", "Søk", "Søk på nettstedet"],
        ["Meny", "Hovedmeny", "Åpne meny"],
        ["Logg inn", "Min side", "Abonner"],
        ["Nyheter Sport Kultur Debatt Økonomi", "Forside Nyheter Lokalt Meninger", "Tjenester Om oss Kontakt"],
        ["Vi bruker informasjonskapsler (cookies) for å gi deg en bedre brukeropplevelse og for statistikk.",
         "Dette nettstedet bruker informasjonskapsler. Ved å fortsette godtar du vår bruk av cookies."],
        ["Godta alle", "Aksepter", "Godta nødvendige"],
        ["Innstillinger for informasjonskapsler", "Les mer om personvern"],
        ["Forside › Nyheter › Innenriks", "Hjem / Artikler / Aktuelt", "Forsiden > Meninger > Debatt"],
    ],
    "sv": [
        ["Hoppa till innehåll", "Gå direkt till innehållet", "Till huvudinnehåll"],
        ["Sök", "Sök på webbplatsen", "Hoppa till sök"],
        ["Meny", "Huvudmeny", "Öppna meny"],
        ["Logga in", "Mina sidor", "E-tjänster"],
        ["Start Om oss Kontakt Press", "Privatperson Företag Organisationer", "Lättläst Teckenspråk Other languages"],
        ["Vi använder kakor (cookies) för att webbplatsen ska fungera på ett bra sätt för dig.",
         "Den här webbplatsen använder kakor. Genom att fortsätta godkänner du att vi använder kakor."],
        ["Godkänn alla", "Acceptera", "Endast nödvändiga"],
        ["Inställningar för kakor", "Läs mer om hur vi använder kakor"],
        ["Startsida › Privatperson › Arbete", "Hem / Tjänster / Information", "Start > Om oss > Aktuellt"],
    ],
}
AFTER = {
    "nb": [
        ["Del artikkelen", "Del", "Del denne siden"],
        ["Del på Facebook", "Facebook Twitter LinkedIn E-post", "Del på X"],
        ["Kopier lenke", "Skriv ut", "Send tips"],
        ["Les også", "Mest lest", "Relaterte saker"],
        ["Kontakt oss", "Om oss", "Personvern"],
        ["Ansvarlig redaktør: Kari Nordmann", "Redaktør: Ola Hansen", "Nettredaktør"],
        ["© 2024 Mediehuset AS. Alle rettigheter reservert.", "Copyright © Mediehuset", "© Alle rettigheter forbeholdt"],
        ["Personvernerklæring Informasjonskapsler Tilgjengelighetserklæring", "Cookie-innstillinger"],
        ["Til toppen", "Tilbake til toppen"],
    ],
    "sv": [
        ["Dela", "Dela sidan", "Dela artikeln"],
        ["Dela på Facebook", "Facebook Twitter LinkedIn E-post", "Dela på LinkedIn"],
        ["Kopiera länk", "Skriv ut", "Lyssna"],
        ["Relaterat", "Läs också", "Mest läst"],
        ["Kontakta oss", "Om webbplatsen", "Personuppgifter"],
        ["Sidan uppdaterades: 2023-05-12", "Senast uppdaterad 12 maj 2023", "Granskad: 2023-04-01"],
        ["© 2023 Myndigheten. Alla rättigheter förbehållna.", "Copyright © Myndigheten", "Org.nr 202100-0000"],
        ["Tillgänglighetsredogörelse Kakor Behandling av personuppgifter", "Inställningar för kakor"],
        ["Till toppen", "Tillbaka till toppen"],
    ],
}


@dataclass(frozen=True)
class Article:
    id: str  # the parent id of its chunks in the corpus
    set: str  # "norquad" | "swequad_mc"
    title: str
    paragraphs: list[str]

    @property
    def file_name(self) -> str:
        return f"{self.id}.txt"


@dataclass(frozen=True)
class ArticleQuestion:
    id: str
    set: str
    text: str
    answers: list[str]
    article: str  # the id of the article holding the answer


def _number(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()[:8], "big")


def read_articles(shared: Path, name: str) -> list[Article]:
    """The articles of one set, put back together from their chunks (in corpus order of first appearance)."""
    by_parent: dict[str, list[dict]] = defaultdict(list)
    titles: dict[str, str] = {}
    with open(shared / name / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            by_parent[row["parent"]].append(row)
            titles.setdefault(row["parent"], row["title"])
    articles = []
    for parent, rows in by_parent.items():
        rows.sort(key=lambda r: r["start"])
        text = "\n".join(r["text"].strip("\n") for r in rows)
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        title = titles[parent].strip()
        if lines and lines[0] == title:
            lines = lines[1:]
        articles.append(Article(parent, name, title, lines))
    return articles


def read_questions(shared: Path, name: str) -> list[ArticleQuestion]:
    """The dev questions of one set with the article that holds each answer."""
    parent_of = {}
    with open(shared / name / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            parent_of[row["_id"]] = row["parent"]
    gold: dict[str, str] = {}
    with open(shared / name / "qrels.tsv", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            query, corpus_id, *_ = line.rstrip("\n").split("\t")
            gold.setdefault(query, parent_of[corpus_id])
    out = []
    with open(shared / name / "queries.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["_id"] in gold and row.get("answers"):
                out.append(ArticleQuestion(row["_id"], name, row["text"], list(row["answers"]), gold[row["_id"]]))
    return out


def clean_text(article: Article) -> str:
    return article.title + "\n\n" + "\n\n".join(article.paragraphs) + "\n"


def messy_text(article: Article, lang: str, foreign: list[str]) -> str:
    """The article as a browser saves the page: boilerplate before and after, maybe a paragraph in a second
    language (one of `foreign`) after its second paragraph."""
    before = [options[_number(article.id, "b", str(i)) % len(options)]
              for i, options in enumerate(BEFORE[lang]) if _number(article.id, "b?", str(i)) % 4 != 0]
    after = [options[_number(article.id, "a", str(i)) % len(options)]
             for i, options in enumerate(AFTER[lang]) if _number(article.id, "a?", str(i)) % 4 != 0]
    paragraphs = list(article.paragraphs)
    if foreign and _number(article.id, "foreign") % 3 == 0:
        paragraphs.insert(min(2, len(paragraphs)), foreign[_number(article.id, "which") % len(foreign)])
    # Saved pages put the paragraphs on lines of their own, sometimes with blank lines between and sometimes not.
    separator = "\n\n" if _number(article.id, "blank") % 2 else "\n"
    return "\n".join(before) + "\n" + article.title + "\n" + separator.join(paragraphs) + "\n" + "\n".join(after) + "\n"


def _foreign_paragraphs(articles: list[Article]) -> list[str]:
    """Paragraphs long enough to read as prose (40 to 120 words), to put into articles of the other set."""
    return [p for a in articles for p in a.paragraphs if 40 <= len(p.split()) <= 120]


def selected_articles(shared: Path, name: str) -> list[Article]:
    """The articles of a set that go into the benchmark, so that ingesting stays affordable on two shared cores
    (long passages embed at about one a second): of the articles holding an answer, one in QUESTION_SHARE[set]
    (by a hash of the id), and one in DISTRACTOR_SHARE of the others as distractors."""
    holding = {q.article for q in read_questions(shared, name)}
    return [
        a for a in read_articles(shared, name)
        if _number(a.id, "sample") % (QUESTION_SHARE[name] if a.id in holding else DISTRACTOR_SHARE) == 0
    ]


def selected_questions(shared: Path, name: str) -> list[ArticleQuestion]:
    """The questions whose article is among the selected ones."""
    kept = {a.id for a in selected_articles(shared, name)}
    return [q for q in read_questions(shared, name) if q.article in kept]


def write_articles(shared: Path, folder: Path, variant: str) -> dict[str, list[Article]]:
    """Write the selected articles of both sets under `folder/<set>/` (replacing what was there); the articles
    per set."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}")
    articles = {name: selected_articles(shared, name) for name in SETS}
    for name, (_, lang) in SETS.items():
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        wanted = {a.file_name for a in articles[name]}
        for old in target.glob("*.txt"):
            if old.name not in wanted:
                old.unlink()
        other = next(o for o in SETS if o != name)
        foreign = _foreign_paragraphs(articles[other])
        for article in articles[name]:
            text = clean_text(article) if variant == "clean" else messy_text(article, lang, foreign)
            path = target / article.file_name
            if not path.exists() or path.read_text("utf-8") != text:
                path.write_text(text, "utf-8")
    return articles
