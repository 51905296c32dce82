"""Tokenising, stemming and sentence splitting for Norwegian, Swedish, Danish and English."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Bump when tokenising or stemming changes: lexical indexes built with another version are rebuilt.
TOKENIZER_VERSION = 7
WORD_RE = re.compile(r"\w+", re.UNICODE)
PREFIX_LETTERS = 6  # see `search_terms`
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅÄÖÉ«\"(*])")
# Abbreviations after which a full stop does not end the sentence ("4 kap. 18 §", "bl.a. Bolagsverket").
ABBREVIATION_RE = re.compile(
    r"(?:\b(?:kap|nr|ca|jf|jfr|dvs|mfl|osv|bl\.a|t\.ex|f\.eks|m\.m|m\.fl|e\.l|o\.l|s|st|pkt|prop|ref|tlf|tel|inkl|ekskl|exkl|resp)|\b[A-ZÆØÅÄÖ])\.$",
    re.I,
)

# Snowball has no Nynorsk stemmer; the Norwegian one handles both written standards.
_STEMMER_FOR_LANG = {"nb": "norwegian", "nn": "norwegian", "no": "norwegian", "sv": "swedish", "da": "danish", "en": "english"}


# Function words that carry no topic; dropped from lexical queries and documents alike.
STOP_WORDS = frozenset(
    """
    og i jeg det at en et den til er som på de med han av ikke ikkje der så var meg seg men ett har om vi min mitt
    ha hadde hun nå over da ved fra du ut sin dem oss opp man kan hans hvor eller hva skal selv sjøl her alle vil bli
    ble blei blitt kunne inn når være kom noen noe ville dere deres kun ja etter ned skulle denne for deg si sine sitt
    mot å meget hvorfor dette disse uten hvordan ingen din ditt blir samme hvilken hvilke sånn inni mellom vår hver
    hvem vors hvis både bare enn fordi før mange også slik vært båe begge siden dykk dykkar dei deira deires deim
    di didan diss eg ein eit eitt elles honom hjå ho hoe henne hennar hennes hoss hossen ingi inkje korleis korso kva
    kvar kvarhelst kven kvi kvifor me medan mi mine mykje no nokon noka nokor noko nokre sia sidan so somt somme um
    upp vere vore verte vort varte vart och att jag hon sig för med till är på av som inte vad hur varför vem vilken
    vilka där här när från eller om ni mig dig oss er dem kan ska skulle vill måste blir bli blev varit vara
    the a an and or of to in is are was were be been for on with as by at it this that what how why who which do does
    can i you we they my your our their me
    """.split()
)
# Chat fillers and colloquial spellings that carry no topic either ("funker det egentlig", "nån", "dom").
CHAT_FILLERS = frozenset(
    """
    egentlig eigentleg egentligen liksom typ funker funkar lurt snacka snakke prate nån nåt nånting dom o å sånt
    sånn ju ba asså ok okei hei hej hallo takk tack please pls plz tips hjelp hjälp help
    """.split()
)
STOP_WORDS = STOP_WORDS | CHAT_FILLERS


# Characters that carry nothing readable: lone surrogates (invalid UTF-16 halves), control characters other than
# tab and line breaks (NUL cuts an embedded text short), and invisible format characters (zero-width space and
# joiners, word joiner, byte-order mark, soft hyphen) that split words without showing.
INVISIBLE_RE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def clean_text(text: str) -> str:
    """Text as it may be read by every later step: NFC, without invisible or invalid characters. Used for both
    questions and ingested documents, so the two always compare alike."""
    return unicodedata.normalize("NFC", INVISIBLE_RE.sub("", text))


def normalise(text: str) -> str:
    """`clean_text`, then collapse white space, keeping line breaks."""
    text = clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def question_focus(text: str, max_chars: int) -> str:
    """At most `max_chars` of a message, keeping what asks: a long message ("we are a group in ... so: how do we
    ...?") is represented by its last questions, or by its beginning when it asks nothing."""
    if len(text) <= max_chars:
        return text
    asked = [sentence for sentence in sentences(text.replace("\n", " ")) if sentence.rstrip().endswith("?")]
    focus: list[str] = []
    for sentence in reversed(asked):
        if sum(len(s) + 1 for s in focus) + len(sentence) > max_chars:
            break
        focus.insert(0, sentence)
    return " ".join(focus) if focus else clip_words(text, max_chars)


def clip_words(text: str, max_chars: int) -> str:
    """At most `max_chars` of `text`, cut at a word boundary."""
    if len(text) <= max_chars:
        return text
    whole_words = re.match(rf"(.{{1,{max_chars}}})(?=\s)", text, re.S)
    return whole_words.group(1).rstrip() if whole_words else text[:max_chars]


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return WORD_RE.findall(text.lower())


@lru_cache(maxsize=8)
def _stemmer(lang: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_STEMMER_FOR_LANG.get(lang, "norwegian"))


def stem_word(word: str, lang: str) -> str:
    """One lower-cased word stemmed with the stemmer of `lang`."""
    return _stemmer(lang).stemWord(word)


def content_words(text: str) -> list[str]:
    """Lower-cased words that carry a topic (no stop words or chat fillers)."""
    return [w for w in words(text) if w not in STOP_WORDS]


def stems(text: str, lang: str) -> list[str]:
    """Stemmed content-word tokens for lexical search, using the stemmer of `lang`."""
    return _stemmer(lang).stemWords(content_words(text))


# The letters the Scandinavian spellings of one word differ in ("framgång" / "framgang", "förening" / "forening",
# "Jämtland" / "Jæmtland"), folded to one in prefix terms.
_FOLD = str.maketrans("åäæöøéèü", "aaaooeeu")
# ... and the spellings Norwegian and Danish write differently from Swedish (and English): "organisasjon" /
# "organisation", "sosial" / "social", "eksempel" / "exempel", "prosjekt" / "projekt", "sentrum" / "centrum",
# "hvit" / "vit", in this order. (Folding doubled letters too cost NorQuAD's dev set a query; it was left out.)
_SPELLINGS = (
    (re.compile(r"sjon"), "tion"),
    (re.compile(r"sjekt"), "jekt"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"ck|c"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"^hv"), "v"),
)


@lru_cache(maxsize=65536)
def folded(word: str) -> str:
    """A lower-cased word in the spelling shared by its Norwegian, Danish and Swedish forms (`_FOLD`, `_SPELLINGS`)."""
    word = word.translate(_FOLD)
    for pattern, replacement in _SPELLINGS:
        word = pattern.sub(replacement, word)
    return word


def prefix_term(word: str) -> str:
    """The prefix term of a long lower-cased word: the first PREFIX_LETTERS letters of its `folded` spelling, marked
    with "#"."""
    return f"#{folded(word)[:PREFIX_LETTERS]}"


def search_terms(text: str, lang: str) -> list[str]:
    """The terms BM25 indexes: stemmed content words plus, for long words, their `prefix_term`. Norwegian and
    Swedish glue words into compounds ("vaccinationsintyg", "momsregistrering") that no stemmer splits; a shared
    beginning still matches them, whichever Scandinavian spelling it has."""
    content = content_words(text)
    return _stemmer(lang).stemWords(content) + [prefix_term(w) for w in content if len(w) > PREFIX_LETTERS]


def sentences(text: str) -> list[str]:
    """Split prose into sentences; list items and lines stay whole, abbreviations do not end a sentence."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        parts = [part.strip() for part in SENTENCE_END_RE.split(line) if part.strip()]
        merged: list[str] = []
        for part in parts:
            if merged and ABBREVIATION_RE.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        out.extend(merged)
    return out
