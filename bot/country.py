"""Which country a question is about, when it says so: Norway, Sweden or Denmark, named or implied by an agency."""

from __future__ import annotations

from bot.text import words

# Words that put a question in one country: the country and its adjectives in nb/nn/sv/en, and agencies,
# registers and programmes that exist in that country only.
NORWAY_WORDS = frozenset(
    """
    norge noreg norway norsk norske norska norskt norwegian nordmenn
    nav altinn brreg brønnøysund brønnøysundregistrene skatteetaten tolletaten innovasjon merkur
    enhetsregisteret einingsregisteret foretaksregisteret føretaksregisteret frivillighetsregisteret frivilligregisteret
    regnskapsregisteret stiftelsesregisteret samvirkeforetak samvirkeføretak enkeltpersonforetak aksjeselskap
    """.split()
)
SWEDEN_WORDS = frozenset(
    """
    sverige sweden svensk svenske svenska svenskt swedish svenskar
    bolagsverket skatteverket arbetsförmedlingen verksamt tillväxtverket kammarkollegiet tullverket
    upphandlingsmyndigheten konsumentverket länsstyrelsen coompanion skoopi aktiebolag
    """.split()
)
# Denmark: the programmes' partners and neighbours (Danish pages and reports are ingested beside the modules).
DENMARK_WORDS = frozenset(
    """
    danmark denmark dansk danske danska danskt danish danskar danskere
    erhvervsstyrelsen cvr virk socialøkonomisk socialøkonomiske
    """.split()
)
COUNTRY_WORDS = {"NO": NORWAY_WORDS, "SE": SWEDEN_WORDS, "DK": DENMARK_WORDS}
ANY_COUNTRY_WORDS = NORWAY_WORDS | SWEDEN_WORDS | DENMARK_WORDS
# The country a reader of each language lives in, unless the question names another.
HOME_COUNTRY = {"nb": "NO", "nn": "NO", "da": None, "sv": "SE", "en": None}


def _with_genitives(tokens: list[str]) -> set[str]:
    """The words, and those ending in a genitive s without it ("Tillväxtverkets", "Norges", "NAVs")."""
    return set(tokens) | {token[:-1] for token in tokens if len(token) > 3 and token.endswith("s")}


def mentioned_country(text: str) -> str | None:
    """"NO", "SE" or "DK" when the text points to exactly one of the countries, else None."""
    tokens = _with_genitives(words(text))
    named = [country for country, vocabulary in COUNTRY_WORDS.items() if tokens & vocabulary]
    return named[0] if len(named) == 1 else None


def country_of_text(text: str) -> str:
    """"NO", "SE" or "DK" when a longer text is clearly about one country (its words for it outnumber those for
    each other country at least three to one, and occur at least twice), else "both"."""
    tokens = words(text)
    counts = {country: sum(token in vocabulary for token in tokens) for country, vocabulary in COUNTRY_WORDS.items()}
    first, most = max(counts.items(), key=lambda item: item[1])
    others = max(count for country, count in counts.items() if country != first)
    return first if most >= 2 and most >= 3 * others else "both"


def foreign_country(text: str, lang: str) -> str | None:
    """The country the question is about when that is not the asker's home country (a cross-border question)."""
    country = mentioned_country(text)
    return country if country is not None and country != HOME_COUNTRY.get(lang) else None


def follow_up_query(previous: str, follow_up: str) -> str:
    """A short follow-up ("og i Sverige?") read together with the question before it; a country the follow-up
    names replaces the one the earlier question was about."""
    if mentioned_country(follow_up):
        previous = " ".join(
            word for word in previous.split() if not set(words(word)) & ANY_COUNTRY_WORDS
        )
    return f"{previous} {follow_up}"
