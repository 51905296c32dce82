"""Read knowledge files (Markdown, text, PDF, HTML, DOCX) into a normalised `Document`."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from bot.country import country_of_text
from bot.links import safe_url
from bot.models import LANGUAGES
from bot.text import normalise, sentences
from ingest.page_text import (
    TITLE_MAX_WORDS, breadcrumb_title, is_boilerplate, strip_boilerplate, structure, title_of,
)
from ingest.pdf_text import pdf_body

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm", ".docx")
KINDS = ("module", "article", "faq", "glossary", "call")
# Codes people write for the languages Veiviser knows (BCP 47 and ISO 639 variants).
LANGUAGE_ALIASES = {"no": "nb", "nob": "nb", "nb-NO": "nb", "no-NO": "nb", "nno": "nn", "nn-NO": "nn", "swe": "sv",
                    "sv-SE": "sv", "sv-FI": "sv", "dan": "da", "da-DK": "da", "eng": "en", "en-GB": "en", "en-US": "en"}
COUNTRIES = ("NO", "SE", "DK", "both")
MAX_FILE_BYTES = 20 * 1024 * 1024


class LoadError(Exception):
    """A file that cannot be ingested; the message tells staff what to do about it."""


@dataclass
class Document:
    """A knowledge file as Markdown-like text plus its front matter."""

    path: str
    body: str
    meta: dict[str, Any] = field(default_factory=dict)
    lang_declared: bool = False  # front matter names the language of the whole file

    @property
    def id(self) -> str:
        return str(self.meta.get("id") or self.path)

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or Path(self.path).stem)


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML without the 1.1 booleans yes/no/on/off, so `country: NO` stays the string "NO"."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FrontMatterLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise LoadError("looks like a binary file, not text; save it as UTF-8 text, Markdown, PDF, HTML or DOCX")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"not valid UTF-8 (byte {exc.start}); re-save the file with UTF-8 encoding"
        ) from exc


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.load(match.group(1), Loader=_FrontMatterLoader) or {}
    except yaml.YAMLError as exc:
        raise LoadError(f"front matter is not valid YAML: {exc}".splitlines()[0]) from exc
    if not isinstance(meta, dict):
        raise LoadError("front matter must be a YAML mapping (key: value lines)")
    return meta, text[match.end() :]


def _markdown(raw: bytes) -> tuple[dict[str, Any], str]:
    meta, body = _front_matter(_decode(raw))
    if "title" not in meta:
        heading = re.search(r"^#\s+(.+)$", body, re.M)
        if heading:
            meta["title"] = heading.group(1).strip()
    return meta, body


def _plain_text(raw: bytes) -> tuple[dict[str, Any], str]:
    """Plain text, often saved from a web page: boilerplate before and after the text is dropped, the title is the
    first line that reads as one, paragraphs and headings are inferred (ingest/page_text.py)."""
    saved = _decode(raw).strip().split("\n")
    title, rest = title_of(strip_boilerplate(saved), breadcrumb_title(saved))
    if not title:
        title = _title_from_text(" ".join(rest))
    return {"title": title}, structure(rest)


def _title_from_text(text: str) -> str:
    """A title for a text that has none: its first sentence, at most 12 words."""
    first = sentences(text.strip())[:1]
    words = first[0].split() if first else []
    return " ".join(words[:12]).rstrip(",;:") + (" …" if len(words) > 12 else "")


def _pdf(raw: bytes) -> tuple[dict[str, Any], str]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"corrupt or unreadable PDF ({exc.__class__.__name__}); export it again from the source") from exc
    text = pdf_body(pages)
    if not text.strip():
        raise LoadError("PDF has no extractable text (a scanned image?); run OCR or provide the text version")
    if not str(title).strip():
        heading = re.search(r"^#+\s+(.+)$", text, re.M)
        first = text.strip().split("\n", 1)[0]
        title = heading.group(1) if heading and text.index(heading.group(0)) < 400 else first
        title = title if len(title.split()) <= TITLE_MAX_WORDS else _title_from_text(title)
    return {"title": str(title).strip()}, text


def _html(raw: bytes) -> tuple[dict[str, Any], str]:
    """The page's main content (trafilatura: menus, cookie banners, share buttons and footers left out), headings
    kept as Markdown headings; the title from the page (its `<title>` without the site name, or its first
    heading). A page trafilatura finds no content in is read element by element instead."""
    import trafilatura

    html = _decode(raw)
    body = trafilatura.extract(html, output_format="markdown", include_formatting=True, include_comments=False,
                               include_tables=True, favor_recall=True) or ""
    meta_doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    meta, fallback = _html_elements(html)
    title = str(getattr(meta_doc, "title", "") or "").strip() if meta_doc is not None else ""
    if title:
        meta["title"] = title
    # trafilatura keeps emphasis marks: "**bold**" reads as text, so only the headings' marks stay Markdown.
    body = re.sub(r"(?<!\w)(\*\*|__)(.+?)\1(?!\w)", r"\2", body)
    return meta, body if len(body.split()) >= 3 else fallback


def _html_elements(html: str) -> tuple[dict[str, Any], str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "form"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    lines: list[str] = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "pre", "blockquote"]):
        text = element.get_text(" ", strip=True)
        if not text or is_boilerplate(text):
            continue
        if element.name in ("h1", "h2", "h3", "h4"):
            level = int(element.name[1])
            title = title or (text if level == 1 else "")
            lines.append("\n" + "#" * level + " " + text)
        elif element.name == "li":
            lines.append("- " + text)
        else:
            lines.append(text + "\n")
    declared = str((soup.html.get("lang") if soup.html else None) or "")
    html_lang = LANGUAGE_ALIASES.get(declared, LANGUAGE_ALIASES.get(declared.split("-")[0].lower(), declared.split("-")[0].lower()))
    meta: dict[str, Any] = {"title": title} if title else {}
    if html_lang in LANGUAGES:  # a page in another language is detected from its text instead
        meta["lang"] = html_lang
    return meta, "\n".join(lines)


def _docx(raw: bytes) -> tuple[dict[str, Any], str]:
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError("corrupt or unreadable DOCX; open it in Word and save it again") from exc
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = re.match(r"Heading (\d)", style)
        if style == "Title" or level:
            lines.append("\n" + "#" * (int(level.group(1)) if level else 1) + " " + text)
        else:
            lines.append(text + "\n")
    title = document.core_properties.title or next((l.strip().lstrip("# ") for l in lines if l.strip()), "")
    return {"title": title}, "\n".join(lines)


_READERS: dict[str, Callable[[bytes], tuple[dict[str, Any], str]]] = {
    ".md": _markdown,
    ".markdown": _markdown,
    ".txt": _plain_text,
    ".pdf": _pdf,
    ".html": _html,
    ".htm": _html,
    ".docx": _docx,
}


def _links_only_http(meta: dict[str, Any], display_path: str) -> None:
    """Drop a front-matter `url` and `sources` entries that are not http(s) links (they would reach readers as links);
    the file still ingests, and each dropped value is logged as a warning."""
    url = meta.get("url")
    if url not in (None, ""):
        meta["url"] = safe_url(str(url))
        if meta["url"] is None:
            log.warning("%s: front matter url %r is not an http(s) link; ignored", display_path, url)
    sources = meta.get("sources")
    if sources not in (None, ""):
        entries = sources if isinstance(sources, list) else [sources]
        kept = [safe_url(str(entry)) for entry in entries]
        for entry, link in zip(entries, kept):
            if link is None:
                log.warning("%s: front matter source %r is not an http(s) link; ignored", display_path, entry)
        meta["sources"] = [link for link in kept if link]


def _clean_meta(meta: dict[str, Any], display_path: str = "") -> dict[str, Any]:
    """Validate front matter; dates become ISO strings; only http(s) links are kept."""
    clean = {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in meta.items()}
    _links_only_http(clean, display_path)
    kind = clean.get("kind", "article")
    if kind not in KINDS:
        raise LoadError(f"front matter kind {kind!r} is not one of {', '.join(KINDS)}")
    country = clean.get("country", "both")
    if country not in COUNTRIES:
        raise LoadError(f"front matter country {country!r} is not one of {', '.join(COUNTRIES)}")
    lang = clean.get("lang")
    if lang not in (None, ""):
        lang = LANGUAGE_ALIASES.get(str(lang), str(lang))
        if lang not in LANGUAGES:
            raise LoadError(f"front matter lang {clean['lang']!r} is not one of {', '.join(LANGUAGES)}")
        clean["lang"] = lang
    if clean.get("module") not in (None, ""):
        try:
            clean["module"] = int(clean["module"])
        except (TypeError, ValueError) as exc:
            raise LoadError(f"front matter module {clean['module']!r} must be a whole number") from exc
    clean["kind"], clean["country"] = kind, country
    if kind == "call":
        _check_call(clean)
    return clean


def _check_call(meta: dict[str, Any]) -> None:
    """A call (grant call, programme intake, event) needs the last day it is open, and says whether it is rolling."""
    until = meta.get("valid_until")
    try:
        dt.date.fromisoformat(str(until))
    except ValueError as exc:
        raise LoadError(
            f"a call needs valid_until: the last day one can apply (YYYY-MM-DD), or for a rolling call the day it "
            f"must be checked again; got {until!r}"
        ) from exc
    if meta.get("rolling") not in (None, True, False):
        raise LoadError(f"front matter rolling {meta['rolling']!r} must be true or false")


def load_document(path: Path, display_path: str) -> Document:
    """Read one file; raises `LoadError` with a reason staff can act on."""
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise LoadError(f"unsupported file type {suffix!r}; use one of {', '.join(SUPPORTED_SUFFIXES)}")
    size = path.stat().st_size
    if size == 0:
        raise LoadError("empty file")
    if size > MAX_FILE_BYTES:
        raise LoadError(f"file is {size // 1_048_576} MiB; split it into files under {MAX_FILE_BYTES // 1_048_576} MiB")
    meta, body = reader(path.read_bytes())
    body = normalise(body)
    if len(body.split()) < 3:
        raise LoadError("no text to index (the file is empty apart from its title or front matter)")
    declared = reader is _markdown and meta.get("lang") not in (None, "")
    if meta.get("country") in (None, ""):  # no front matter says: the country the text itself is about
        meta["country"] = country_of_text(body)
    return Document(path=display_path, body=body, meta=_clean_meta(meta, display_path), lang_declared=declared)
