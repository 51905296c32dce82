"""What a question asks for (a person, an amount, a time, a place, one of several) and whether a sentence holds
that kind of answer: a name, a figure, a date, a list. Used to choose the sentences an extractive answer quotes.

The question words are those of nb, nn, sv, da and en; a sentence's names are its capitalised words after the
first that the question does not already name, so "Hvem slo Helene Fossenholm?" prefers the sentence naming
someone else than Fossenholm.
"""

from __future__ import annotations

import re

from bot.text import words

_AMOUNT = (
    r"hvor (?:mye|mange|stor|store|høy|høyt|lang|langt|lenge|gammel|mykje)|"
    r"kor (?:mykje|mange|stor|høg|lang|langt|lenge|gammal)|"
    r"hur (?:mycket|många|stor|stort|hög|högt|lång|långt|länge|gammal)|"
    r"hvor meget|hvor langt|how (?:much|many|big|high|long|old|far)|"
    r"antall|antal|beløp|belopp|beløb|prosent|procent|kostar|koster|costs?|summen|summa|grensen?|grensa|gränsen?|"
    r"minst|maks"
)
ASKS = {
    "amount": re.compile(rf"\b(?:{_AMOUNT})\b", re.I),
    "time": re.compile(
        r"\b(?:når|när|whenever|when|hvilket år|hvilket århundre|vilket år|vilket årtionde|kva år|hvilken dato|"
        r"vilket datum|what year|which year|what date|hvilken dag|vilken dag|hvilket tidspunkt|frist|deadline|"
        r"(?:hvilken|hvilket|kva for ein|vilken|vilket|which|what) (?:tidsperiode|tidsperiod|periode|period|tidsrom|"
        r"tidsrum|måned|månad|month|uke|veke|vecka|week))\b",
        re.I,
    ),
    "person": re.compile(r"\b(?:hvem|kven|vem|who|whom|whose)\b", re.I),  # not "hvis": in Bokmål mostly "if"
    "place": re.compile(
        r"^(?:hvor|kvar|var|where)\b(?! (?:mye|mange|stor|lenge|mykje|mycket|många|much|many|ofte|ofta))|"
        r"\b(?:hvor|kvar|where) (?:ligger|ligg|bor|holder|finnes|is|are|was)\b|"
        r"\b(?:hvilken by|hvilket land|hvilket sted|vilken stad|vilket land|which country|which city|fra hvor|"
        r"fra hvilken|från vilken|i hvilken by|i vilken stad)\b",
        re.I,
    ),
    "choice": re.compile(r"\b(?:hvilken|hvilke|hvilket|kva for|kva slags|vilken|vilka|vilket|which|what kind)\b", re.I),
}
NUMBER_WORDS = frozenset(
    """
    tre fire fem seks sju syv åtte ti elleve tolv femten tjue tjuefem tretti førti femti hundre tusen million
    millioner milliard milliarder to tvo tre fire fem seks sju åtte ni ti tolv tjue hundre tusen millionar
    två fyra sex sju åtta nio tio elva tolv femton tjugo trettio fyrtio femtio hundra tusen miljon miljoner miljard
    miljarder halvparten hälften dobbelt dubbelt
    two three four five six seven eight nine ten eleven twelve twenty hundred thousand million millions billion
    prosent procent percent kroner kronor krone krona kr nok sek euro dollar
    """.split()
)
MONTHS = frozenset(
    """
    januar februar mars april mai juni juli august september oktober november desember
    januari februari maj augusti december january february march may june july october
    mandag tirsdag onsdag torsdag fredag lørdag søndag måndag tisdag lördag söndag monday tuesday wednesday thursday
    friday saturday sunday våren høsten hösten sommeren sommaren vinteren århundre århundradet century
    """.split()
)
# A span of time counted out ("etter drøye 20 minutter", "da han var elleve år gammel", "inom tre veckor").
_COUNT = r"\d+(?:[.,]\d+)?|" + "|".join(sorted(
    "en ett ei to tvo två tre fire fyra fem seks sex sju syv åtte åtta ni nio ti tio elleve elva tolv femten femton "
    "tjue tjugo tretti trettio førti fyrtio femti femtio hundre hundra noen några".split(), key=len, reverse=True))
DURATION_RE = re.compile(
    rf"\b(?:{_COUNT})\s+(?:sekund|minutt|minut|time|timme|timmar|dag|døgn|dygn|uke|uker|veke|veker|vecka|veckor|"
    r"måned|måneder|månad|månader|år|årene|åren|week|weeks|month|months|year|years|day|days|hour|hours|minute|minutes)"
    r"\w*", re.I)
YEAR_RE = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})\b|\b\d{1,2}\.\s?\w+|\b\d{1,2}/\d{1,2}\b")
CAPITALISED_RE = re.compile(r"(?<=\s)[«\"(]?([A-ZÆØÅÄÖÉÜ][\w-]+)")


def asked_for(question: str) -> str | None:
    """The kind of answer the question asks for: "amount", "time", "person", "place", "choice", or None."""
    for kind, pattern in ASKS.items():
        if pattern.search(question):
            return kind
    return None


def names_in(sentence: str, question: str) -> set[str]:
    """Capitalised words after a sentence's first word that the question does not contain."""
    asked = set(words(question))
    return {m.group(1).lower() for m in CAPITALISED_RE.finditer(sentence)} - asked


def holds(kind: str | None, sentence: str, question: str) -> bool:
    """Whether `sentence` holds the kind of answer `kind` asks for."""
    if kind is None:
        return False
    tokens = set(words(sentence))
    if kind == "amount":
        return any(ch.isdigit() for ch in sentence) or bool(tokens & NUMBER_WORDS)
    if kind == "time":
        return bool(YEAR_RE.search(sentence)) or bool(tokens & MONTHS) or bool(DURATION_RE.search(sentence))
    if kind in ("person", "place"):
        return bool(names_in(sentence, question))
    return bool(names_in(sentence, question)) or sentence.count(",") >= 2
