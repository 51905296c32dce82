"""Text saved from web pages and PDFs, made readable: boilerplate lines dropped, the title found, paragraphs and
headings inferred where the file does not mark them.

A page saved as text starts with what surrounded the article on screen (skip links, menus, a cookie banner, a
breadcrumb) and ends with share buttons and the footer. Those lines are recognised by what they say in nb, nn,
sv, da and en (`is_boilerplate`) and by where they are: only the run of short lines before the first paragraph
of prose, and the run after the last one, are dropped; inside the text nothing is (a "Kontakt" section may be the
answer). Paragraphs: a line that does not end a sentence and is followed by one starting in lower case is a hard
wrap and joins the next; a short line without closing punctuation followed by prose is a heading.
"""

from __future__ import annotations

import re
import statistics

# Whole lines that are navigation, consent, sharing or footer in the Scandinavian languages and English.
_NAV_WORDS = r"""
meny|menu|hovedmeny|huvudmeny|hovudmeny|navigasjon|navigering|navigation|søk|sök|search|søg|
del|dela|share|skriv ut|print|lyssna|lytt|listen|logg inn|logga in|log ind|log in|sign in|login|logg ut|logga ut|
min side|mi side|mina sidor|min side|my page|my account|abonner|abonnér|prenumerera|subscribe|e-tjenester|e-tjänster|
tjenester|tjänster|services|english|in english|svenska|norsk|dansk|lättläst|teckenspråk|other languages|språk|
til toppen|till toppen|tilbake til toppen|tillbaka till toppen|back to top|to top|kopier lenke|kopiera länk|
kopiér link|copy link|send tips|tips oss|tipsa oss|les også|les meir|les mer|läs också|läs mer|læs også|read more|
read also|mest lest|mest läst|mest læst|most read|relaterte saker|relatert|relaterat|relaterade artiklar|related|
kontakt|kontakt oss|kontakta oss|kontakt os|contact|contact us|om oss|om os|about|about us|om webbplatsen|
om nettstedet|personvern|personvernerklæring|personuppgifter|integritetspolicy|privatlivspolitik|privacy|
privacy policy|tilgjengelighet|tilgjengelighetserklæring|tillgänglighet|tillgänglighetsredogörelse|accessibility|
nettredaktør|annonse|annons|annonce|advertisement|godta|godta alle|godkänn|godkänn alla|accepter|accepter alle|
aksepter|acceptera|accept|accept all|avvis|avslå|avböj|afvis|reject|reject all|endast nödvändiga|
kun nødvendige|godta nødvendige|kun nødvendige cookies|necessary only|forside|forsiden|startsida|startside|
start|hjem|home|hem|nyheter|nyheder|news|sitemap|nettstedskart|webbkarta|facebook|twitter|linkedin|instagram|
youtube|x|e-post|e-mail|email|rss|skip|
""".replace("\n", "")
NAV_LINE_RE = re.compile(rf"^(?:{_NAV_WORDS})$", re.I)
# One skip link or several saved as one line, each perhaps with its keyboard shortcut: "Til hovedmeny (Alt + m +
# enter)Til innhold (Alt + c + enter)"
_SKIP_LINK = (
    r"(?:hopp|hoppa|gå|spring|skip|jump|til|till|to)\b.{0,30}?\b(?:innhold|innhald|innehåll|indhold|content|søk|sök|"
    r"søgning|search|navigasjon|navigation|meny|menu|hovedinnhold|huvudinnehåll|hovudinnhald|hovedmeny|huvudmeny)\w*"
    r"(?:\s*\([^()]{0,30}\))?"
)
SKIP_LINK_RE = re.compile(rf"^(?:{_SKIP_LINK}\s*)+$", re.I)
CONSENT_RE = re.compile(r"cookie|informasjonskapsl|kakor\b|kakorna|\bkaka\b|samtykke|samtycke|consent", re.I)
SHARE_RE = re.compile(r"^(?:del|dela|share)(?: (?:på|pa|on|via|artikkelen|artikeln|artiklen|sidan|siden|denne siden|"
                      r"den här sidan|this page|this article|saken))?\b", re.I)
FOOTER_RE = re.compile(
    r"©|\(c\) \d{4}|copyright|alle rettigheter|alla rättigheter|all rights reserved|org\.? ?nr|organisasjonsnummer|"
    r"organisationsnummer|^(?:ansvarlig redaktør|ansvarleg redaktør|redaktør|redaktör|ansvarig utgivare|editor)\b|"
    r"^(?:sist |senast |sidst )?(?:oppdatert|oppdatert|uppdaterad|opdateret|publisert|publicerad|publiceret|updated|"
    r"published|granskad|sidan uppdaterades|siden ble oppdatert)\b",
    re.I,
)
MENU_JOINERS = {"oss", "os", "us", "languages", "language", "&"}  # lower-case words inside menu labels ("Om oss")
SEARCH_RE = re.compile(r"^(?:søk|sök|søg|search)(?: (?:på|i|på|in|on|this|the|nettstedet|webbplatsen|hjemmesiden|site|"
                       r"website|her|här|her))*$", re.I)
READ_MORE_RE = re.compile(r"^(?:les|läs|læs|read|se|see)(?: (?:mer|meir|mere|more|også|också|også|also))\b", re.I)
BREADCRUMB_SEPARATORS_RE = re.compile(r"\s(?:›|»|>|/|\||→|·)\s")
HOME_RE = re.compile(r"^(?:forside|forsiden|framside|startside|startsida|hjem|heim|hem|home|start)$", re.I)
# "Dette innholdet er ikke tilgjengelig på språket du har valgt", "This page is not available in your language"
NOT_IN_LANGUAGE_RE = re.compile(
    r"\b(?:ikke|ikkje|inte|not)\s+(?:\w+\s+){0,2}(?:tilgjengelig|tilgjengeleg|tillgänglig|tilgængelig|available)"
    r"\s+(?:på|in|i)\s+(?:\w+\s+){0,2}(?:språk|språket|sprog|sproget|language)\b", re.I)
_CREDIT_WORDS = r"(?:photo|foto|fotograf|fotografi|bild|bilde|billede|image|illustration|illustrasjon|illustrasjonsfoto)"
CREDIT_RE = re.compile(rf"^{_CREDIT_WORDS}\s*(?::|/|©|\||by\b)\s*[^.!?]{{1,60}}$", re.I)  # "Photo: Fond & Fond"
CREDIT_LABEL_RE = re.compile(rf"^{_CREDIT_WORDS}\s*:?$", re.I)  # "Fotograf" on a line of its own
LOGO_RE = re.compile(r"^(?:logo|logotyp|logotype)\b", re.I)  # a logo's alternative text ("Logotyp på utskrifter")
SENTENCE_END_RE = re.compile(r"[.!?:;…»”\"')]$")
LIST_MARK_RE = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")
WORD_RE = re.compile(r"\w+", re.UNICODE)
# A fact box saved as text: "Projektägare\tCoompanion", "Kontaktperson: Anna", or label and value run together
# when the page's cells had no space between them ("KontaktpersonAnna Frestadius", "Beviljat ESF-stöd666 680 kr").
FACT_LABEL_RE = re.compile(r"^([A-ZÆØÅÄÖÉ][\w\- ]{1,40}?)(?::\s*|\t+|\s{3,})(\S.*)$")
GLUED_FACT_RE = re.compile(r"^([A-ZÆØÅÄÖÉ][\w\- ]{2,40}?[a-zæøåäöé])(?=[A-ZÆØÅÄÖÉ0-9+])(\S.*)$")
FACT_BOX_MAX_WORDS = 10
LABEL_MAX_WORDS = 6  # a label over its value in a definition list ("Samlede støtteberettigede projektudgifter (kr.)")
TITLE_MAX_WORDS = 25
# A fact box has this many lines or more; as many content-like short lines (five words or more, or a figure)
# before a boilerplate line end the opening boilerplate
FACT_BOX_LINES = 3
HEADING_MAX_WORDS = 10
BREADCRUMB_SEARCH_LINES = 40  # a breadcrumb naming the title stands among the page's first lines ...
TITLE_SEARCH_LINES = 6  # ... and the title itself among the first lines after the boilerplate
# A line after one that introduces a list ("Kontaktpersoner är:") is one of its items when it has at most this many
# words and is not a whole sentence: pages saved as text lose the list's marks
UNMARKED_ITEM_MAX_WORDS = 15


def _words(line: str) -> list[str]:
    return WORD_RE.findall(line)


def is_boilerplate(line: str) -> bool:
    """Whether a whole line is navigation, a consent banner, a share button, a breadcrumb or a footer line."""
    text = line.strip().strip("|·•-–").strip()
    if not text:
        return False
    words = _words(text)
    if len(words) <= 4 and NAV_LINE_RE.match(re.sub(r"\s+", " ", text).rstrip(":.")):
        return True
    if (len(words) <= 8 and SHARE_RE.match(text)) or (len(words) <= 16 and SKIP_LINK_RE.match(text)):
        return True
    if len(words) <= 60 and CONSENT_RE.search(text):
        return True
    if len(words) <= 14 and FOOTER_RE.search(text):
        return True
    if _is_breadcrumb(text):
        return True
    if len(words) <= 5 and LOGO_RE.match(text):
        return True
    if len(words) <= 25 and NOT_IN_LANGUAGE_RE.search(text):
        return True
    if len(words) <= 6 and (READ_MORE_RE.match(text) or SEARCH_RE.match(text)):
        return True
    # A menu bar saved as one line: link labels, each capitalised (or "oss" in "Om oss"), no sentence; five or
    # more of them, or three or more of which two are menu words (a person's name has three or four).
    labels = text.split()
    if 3 <= len(labels) <= 12 and not re.search(r"[.!?:;,]", text):
        if all(w[:1].isupper() or w.lower() in MENU_JOINERS for w in labels):
            menu_words = sum(1 for w in labels if NAV_LINE_RE.match(w))
            if len(labels) >= 5 or menu_words >= 2:
                return True
    return False


def _is_breadcrumb(text: str) -> bool:
    """"Forside › Prosjekter", "a / b / c", or a trail from the home page that ends with the page's own title
    ("Hem / Aktuellt / Interreg Sverige-Norge stöttar tre nya projekt")."""
    parts = BREADCRUMB_SEPARATORS_RE.split(text)
    from_home = HOME_RE.match(parts[0].strip()) is not None
    # a trail ends in a label; one from the home page may end in a title that asks or exclaims
    if len(parts) < 2 or (SENTENCE_END_RE.search(text) and not (from_home and text.endswith(("?", "!")))):
        return False
    crumbs = 2 if from_home or re.search(r"\s[›»→]\s", text) else 3  # "a / b" needs three parts, or a home link
    last = len(_words(parts[-1]))
    return (len(parts) >= crumbs and all(1 <= len(_words(p)) <= 4 for p in parts[:-1])
            and 1 <= last <= (TITLE_MAX_WORDS if from_home else 4))


def _is_prose(line: str) -> bool:
    """A line of running text: long, or a whole sentence."""
    words = _words(line)
    return len(words) > 12 or (len(words) >= 4 and bool(SENTENCE_END_RE.search(line.strip())))


def strip_boilerplate(lines: list[str]) -> list[str]:
    """The lines without the boilerplate before the text and after it.

    Before the text: the lines up to the last boilerplate line in the opening run of short lines and boilerplate
    (a title stands right before the text, not between menu lines), unless lines that carry content come first: a
    title and a fact box (owner, budget, dates) before a stray "In English" link are kept. After it: everything
    from the first boilerplate line in the closing run of short lines and boilerplate."""
    lines = [line.rstrip() for line in lines]
    start = 0
    substantial = 0  # lines since the last boilerplate line that read as content, not as menu labels
    for position, line in enumerate(lines):
        if not line.strip():
            continue
        if is_boilerplate(line):
            if substantial >= FACT_BOX_LINES:
                break
            start, substantial = position + 1, 0
        elif _is_prose(line):
            break
        elif len(_words(line)) >= 5 or any(ch.isdigit() for ch in line):
            substantial += 1
    end = len(lines)
    for position in range(len(lines) - 1, start - 1, -1):
        line = lines[position]
        if not line.strip():
            continue
        if is_boilerplate(line):
            end = position
        elif _is_prose(line):
            break
    return without_credits(lines[start:end])


def without_credits(lines: list[str]) -> list[str]:
    """The lines without photo credits, wherever they stand: "Photo: Fond & Fond", or "Fotograf" over the
    photographer's name. A caption that says what the photo shows is kept."""
    kept: list[str] = []
    label_before = False
    for line in lines:
        text = line.strip()
        if label_before and text and len(_words(text)) <= 4 and not SENTENCE_END_RE.search(text):
            label_before = False
            continue  # the photographer's name under a lone "Fotograf"
        label_before = bool(CREDIT_LABEL_RE.match(text))
        if not (label_before or CREDIT_RE.match(text)):
            kept.append(line)
    return kept


def breadcrumb_title(lines: list[str]) -> str:
    """The page's title as a breadcrumb from the home page names it ("Home / News / <title>"), or ""."""
    for line in lines[:BREADCRUMB_SEARCH_LINES]:
        text = line.strip()
        parts = BREADCRUMB_SEPARATORS_RE.split(text)
        if _is_breadcrumb(text) and HOME_RE.match(parts[0].strip()):
            return parts[-1].strip()
    return ""


def _same_title(a: str, b: str) -> bool:
    fold = lambda t: re.sub(r"\s+", " ", t.replace("’", "'").replace("‘", "'")).strip().casefold()  # noqa: E731
    return fold(a) == fold(b)


def title_of(lines: list[str], named: str = "") -> tuple[str, list[str]]:
    """The title (the first line, when it reads as one) and the lines after it; ("", lines) when the text starts
    with a paragraph. `named`: the title a breadcrumb gave; when one of the first lines is that title, what stands
    before it (a photo's alternative text, its credit) is not the title and not the text."""
    if named:
        for position, line in enumerate(lines[:TITLE_SEARCH_LINES]):
            if _same_title(line, named):
                return line.strip(), lines[position + 1 :]
    for position, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        if len(_words(text)) <= TITLE_MAX_WORDS:
            return text.lstrip("# ").strip(), lines[position + 1 :]
        return "", lines[position:]
    return "", []


def _is_heading(line: str, following: str | None) -> bool:
    text = line.strip()
    words = _words(text)
    if not words or len(words) > HEADING_MAX_WORDS or LIST_MARK_RE.match(text):
        return False
    if re.search(r"[.,;:…]$", text) or not (text[:1].isupper() or text[:1].isdigit()):
        return False
    if following is None or len(_words(following)) <= len(words):
        return False
    return _is_prose(following) or len(_words(following)) >= 8  # running text, or the first line of wrapped text


def structure(lines: list[str], wrapped: bool = False) -> str:
    """Markdown-like text: inferred headings as `## ...`, paragraphs separated by blank lines.

    `wrapped`: the lines are hard-wrapped (PDF text): a line that ends a sentence ends a paragraph only when it is
    clearly shorter than a full line."""
    rows = [line.strip() for line in lines]
    rows = rows if wrapped else label_value_pairs(rows)
    box = set() if wrapped else fact_box(rows)
    rows = [_as_fact(row) if position in box else row for position, row in enumerate(rows)]
    full = statistics.median([len(r) for r in rows if len(_words(r)) > 6] or [0])
    blocks: list[list[str]] = []
    current: list[str] = []

    def close() -> None:
        nonlocal current
        if current:
            blocks.append(current)
            current = []

    listing = False  # the rows since a line that introduces a list ("Kontaktpersoner är:") are its items
    for position, row in enumerate(rows):
        if not row:
            close()
            continue
        following = next((r for r in rows[position + 1 :] if r), None)
        # ... up to a heading over the next paragraph (an item with a comma is a name and its details, not a heading)
        listing = listing and _is_unmarked_item(row) and not (
            following is not None and _is_prose(following) and _is_heading(row, following) and "," not in row)
        if listing:  # an item saved without its mark, maybe after a blank line: a line of the list's paragraph
            if not current:
                current = blocks.pop()
            current.append(row)
            continue
        listing = not wrapped and row.endswith(":") and not row.startswith("#")  # (a PDF's lines are all short)
        if position in box:  # a fact box: one paragraph of lines, never a heading
            if not (current and position - 1 in box):
                close()
            current.append(row)
            continue
        if row.startswith("#") or _is_heading(row, following):
            close()
            blocks.append(["## " + row.lstrip("# ").strip()])
            continue
        if current and _continues(current[-1], row, wrapped, full):
            current[-1] = f"{current[-1]} {row}"
        elif current and (LIST_MARK_RE.match(row) or _is_item(row) and _is_item(current[-1])):
            current.append(row)  # list items stay lines of one paragraph
        else:
            close()
            current = [row]
    close()
    return "\n\n".join("\n".join(block) for block in blocks)


def label_value_pairs(rows: list[str]) -> list[str]:
    """A list of labels, each with its value on the line below (a page's definition list saved as text: "• Startdato"
    over "06.02.2018", "• Finansiering" over "Socialfonden"), as "Label: value" lines in a row, when FACT_BOX_LINES or
    more such pairs follow each other; other rows stay as they are."""
    filled = [position for position, row in enumerate(rows) if row]
    out: list[str] = []
    done = 0  # rows before this position are in `out`
    start = 0
    while start < len(filled):
        pairs = []
        at = start
        while at + 1 < len(filled) and _is_label_row(rows[filled[at]]) and _is_value_row(rows[filled[at + 1]]):
            pairs.append((filled[at], filled[at + 1]))
            at += 2
        if len(pairs) >= FACT_BOX_LINES:
            out.extend(rows[done : pairs[0][0]])
            out.extend(f"{LIST_MARK_RE.sub('', rows[label]).strip().rstrip(':')}: {rows[value]}" for label, value in pairs)
            done = pairs[-1][1] + 1
            start = at
        else:
            start += 1
    return out + rows[done:]


def _is_label_row(row: str) -> bool:
    """A list item that is a label: a few words, no figure, no sentence."""
    label = LIST_MARK_RE.sub("", row)
    return (bool(LIST_MARK_RE.match(row)) and 0 < len(_words(label)) <= LABEL_MAX_WORDS
            and not any(ch.isdigit() for ch in label) and not re.search(r"[.!?]$", label))


def _is_value_row(row: str) -> bool:
    """The value under a label: short, not a list item, not a sentence."""
    return not LIST_MARK_RE.match(row) and _is_phrase(row, FACT_BOX_MAX_WORDS)


def _is_phrase(line: str, max_words: int) -> bool:
    """A line of at most `max_words` words that is not a whole sentence (four words or more ending in . ! ?)."""
    words = _words(line)
    return 0 < len(words) <= max_words and not (len(words) >= 4 and re.search(r"[.!?]$", line))


def fact_box(rows: list[str]) -> set[int]:
    """The positions of the lines of fact boxes: FACT_BOX_LINES or more short lines in a row, none of them a sentence or
    wrapped onto the next line (owner, contact, grant, period of a project page; a photo credit and a date)."""
    box: set[int] = set()
    run: list[int] = []
    padded = [*rows, ""]
    for position, row in enumerate(padded):
        short = row and len(_words(row)) <= FACT_BOX_MAX_WORDS and not row.startswith("#")
        following = next((r for r in padded[position + 1 :] if r), None)
        wraps = padded[position + 1][:1].islower() if position + 1 < len(padded) else False  # a hard-wrapped text
        if short and not SENTENCE_END_RE.search(row) and not wraps and not (
                following and _is_prose(following) and _is_heading(row, following)):
            run.append(position)
            continue
        if len(run) >= FACT_BOX_LINES:
            box.update(run)
        run = []
    return box


def _as_fact(line: str) -> str:
    """A fact box line as "Label: value", so that "who is the contact" finds "Kontaktperson: Anna Frestadius"."""
    match = FACT_LABEL_RE.match(line) or GLUED_FACT_RE.match(line)
    return f"{match.group(1).strip()}: {match.group(2).strip()}" if match else line


def _is_item(line: str) -> bool:
    """A short line that is not a sentence of its own (a list item saved without its mark)."""
    return bool(LIST_MARK_RE.match(line)) or (len(_words(line)) <= 15 and line[:1].islower())


def _is_unmarked_item(line: str) -> bool:
    """A short line after a line that introduces a list, not a paragraph of its own: a name with contact details
    ("Camilla Spennare, e-post: ..., telefon: ..."), a place, a short phrase."""
    return not line.startswith("#") and _is_phrase(line, UNMARKED_ITEM_MAX_WORDS)


def _continues(previous: str, row: str, wrapped: bool, full: float) -> bool:
    """Whether `row` continues the line before it (a hard wrap)."""
    if LIST_MARK_RE.match(row):
        return False
    ends_sentence = bool(SENTENCE_END_RE.search(previous))
    if wrapped:
        return not ends_sentence or (full > 0 and len(previous) >= 0.85 * full)
    return not ends_sentence and row[:1].islower() and len(_words(previous)) >= 8
