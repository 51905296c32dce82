"""The directory of real support organisations (`knowledge/organisations.yaml`) and matching a question to the one
or two that fit its topic, country and region."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.country import HOME_COUNTRY, mentioned_country
from bot.language import readable_by
from bot.links import safe_url
from bot.mentors import REGION_COUNTRY, TOPICS, regions_in
from bot.models import LANGUAGES, OrganisationRef

KINDS = ("agency", "cooperative-development", "incubator", "funder", "network", "regional", "programme")
COUNTRIES = ("NO", "SE", "both")
OFFER_LANGUAGES = ("nb", "nn", "sv")
REQUIRED = ("id", "name", "kind", "country", "topics", "languages", "url", "offer", "source")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Personal data has no place in the directory: no e-mail addresses, no phone numbers.
EMAIL_RE = re.compile(r"[^\s@]+@[^\s@]+\.[a-z]{2,}", re.I)
PHONE_RE = re.compile(r"(?:\+\d[\d ]{6,}|\b\d{2,3}(?:[ -]?\d{2,3}){3,}\b)")
SENTENCE_BREAK_RE = re.compile(r"[.!?]\s+[A-ZÆØÅÄÖ]")
MAX_OFFER_CHARS = 320


class OrganisationFileError(ValueError):
    """organisations.yaml is malformed; the message names the entry and what to change."""


class _Loader(yaml.SafeLoader):
    """YAML without the 1.1 booleans yes/no/on/off, so `country: NO` stays the string "NO"."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: str
    country: str  # NO | SE | both
    regions: tuple[str, ...]  # empty: the whole country (or both)
    topics: tuple[str, ...]
    languages: tuple[str, ...]
    url: str
    offer: dict[str, str]  # one sentence per language: nb, nn, sv (en optional)
    source: str  # the public page the entry was checked against
    keywords: tuple[str, ...] = ()  # words in a question that point straight at this organisation (its name too)

    def offer_in(self, lang: str) -> str:
        """The offer in the asker's language; English and Danish readers get English when written, else the
        language of the organisation's country."""
        if lang in self.offer:
            return self.offer[lang]
        return self.offer["sv"] if self.country == "SE" or lang == "sv" else self.offer["nb"]

    def ref(self, lang: str) -> OrganisationRef:
        return OrganisationRef(self.id, self.name, self.url, self.offer_in(lang))


def load_organisations(path: Path) -> list[Organisation]:
    """Read and validate `organisations.yaml`; an absent file means no organisations. Raises
    `OrganisationFileError` naming the entry and the problem."""
    if not path.exists():
        return []
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        raise OrganisationFileError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    rows = data.get("organisations") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise OrganisationFileError(f"{path}: expected a list under 'organisations:'")
    organisations: list[Organisation] = []
    seen: set[str] = set()
    for position, row in enumerate(rows, start=1):
        label = f"{path}: organisation #{position}" + (f" ({row.get('id')})" if isinstance(row, dict) and row.get("id") else "")
        if not isinstance(row, dict):
            raise OrganisationFileError(f"{label} must be a mapping of fields (id: ..., name: ...)")
        organisation = _parse(row, label)
        if organisation.id in seen:
            raise OrganisationFileError(f"{label}: id {organisation.id!r} is used twice; give each entry its own id")
        seen.add(organisation.id)
        organisations.append(organisation)
    return organisations


def _parse(row: dict, label: str) -> Organisation:
    missing = [k for k in REQUIRED if not row.get(k)]
    if missing:
        raise OrganisationFileError(f"{label} lacks {', '.join(missing)}")
    if not ID_RE.match(str(row["id"])):
        raise OrganisationFileError(f"{label}: id must be lower-case letters, digits and hyphens (e.g. coompanion-jamtland)")
    if row["kind"] not in KINDS:
        raise OrganisationFileError(f"{label}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
    if row["country"] not in COUNTRIES:
        raise OrganisationFileError(f"{label}: country {row['country']!r} is not one of {', '.join(COUNTRIES)}")
    topics, regions, languages = (_strings(row.get(k), k, label) for k in ("topics", "regions", "languages"))
    unknown = sorted(set(topics) - set(TOPICS))
    if unknown:
        raise OrganisationFileError(f"{label}: unknown topics {unknown}; use {', '.join(TOPICS)}")
    unknown = sorted(set(regions) - set(REGION_COUNTRY))
    if unknown:
        raise OrganisationFileError(f"{label}: unknown regions {unknown}; use {', '.join(REGION_COUNTRY)} "
                                    "(or none for the whole country)")
    unknown = sorted(set(languages) - set(LANGUAGES))
    if unknown:
        raise OrganisationFileError(f"{label}: unknown languages {unknown}; use {', '.join(LANGUAGES)}")
    for key in ("url", "source"):
        value = str(row[key])
        if not value.startswith("https://") or safe_url(value) != value:
            raise OrganisationFileError(f"{label}: {key} {value!r} must be a full https:// address")
    offer = row["offer"]
    if not isinstance(offer, dict):
        raise OrganisationFileError(f"{label}: offer must give one sentence per language (nb:, nn:, sv:)")
    offer = {str(k): str(v).strip() for k, v in offer.items() if v}
    missing = [lang for lang in OFFER_LANGUAGES if not offer.get(lang)]
    if missing:
        raise OrganisationFileError(f"{label}: offer lacks {', '.join(missing)}; write one sentence in each of nb, nn, sv")
    for lang, sentence in offer.items():
        if lang not in LANGUAGES:
            raise OrganisationFileError(f"{label}: offer language {lang!r} is not one of {', '.join(LANGUAGES)}")
        if len(sentence) > MAX_OFFER_CHARS or SENTENCE_BREAK_RE.search(sentence) or sentence[-1] not in ".!":
            raise OrganisationFileError(
                f"{label}: offer ({lang}) must be one sentence ending with a full stop, at most {MAX_OFFER_CHARS} characters"
            )
    keywords = _strings(row.get("keywords"), "keywords", label)
    texts = [str(row["name"]), *offer.values(), *keywords]
    if any(EMAIL_RE.search(t) or PHONE_RE.search(t) for t in texts):
        raise OrganisationFileError(f"{label}: remove e-mail addresses and phone numbers (no personal data; link the "
                                    "organisation's public page instead)")
    return Organisation(
        id=str(row["id"]), name=str(row["name"]), kind=row["kind"], country=row["country"], regions=regions,
        topics=topics, languages=languages, url=str(row["url"]), offer=offer, source=str(row["source"]),
        keywords=tuple(k.lower() for k in keywords),
    )


def _strings(value: object, key: str, label: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise OrganisationFileError(f"{label}: {key} must be a list of names, e.g. [{key[:-1]}-a, {key[:-1]}-b]")
    return tuple(v.strip() for v in value)


def _named(organisation: Organisation, question: str) -> tuple[bool, bool]:
    """(by its name, by its name or a keyword): whole words, a genitive -s allowed; a keyword ending in `*` may begin
    a longer word ("samvirke*" finds "samvirkeforetak")."""
    by_name = bool(_phrases_re((organisation.name.lower(),)).search(question))
    return by_name, by_name or bool(organisation.keywords and _phrases_re(organisation.keywords).search(question))


@lru_cache(maxsize=4096)
def _phrases_re(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern finding any of `phrases` (compiled once per organisation, not per question)."""
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(_phrase_pattern, phrases))})", re.I)


def _phrase_pattern(phrase: str) -> str:
    open_end = phrase.endswith("*")
    body = r"\s+".join(map(re.escape, phrase.rstrip("*").split()))
    return body + ("" if open_end else r"s?(?!\w)")


def match_organisations(
    organisations: list[Organisation], topics: dict[str, float], lang: str, question: str,
    region: str | None = None, limit: int = 2,
) -> list[Organisation]:
    """The organisations that fit the question: named in it, or serving its topic (`topics`: weight per course
    topic of the retrieved material) in the country it is about, regional ones only in the region it names."""
    wanted_regions = regions_in(question) | ({region} if region else set())
    country = mentioned_country(question) or HOME_COUNTRY.get(lang)
    readable = readable_by(lang)

    def score(organisation: Organisation) -> float:
        by_name, named = _named(organisation, question)
        in_country = country is None or organisation.country in (country, "both")
        if not in_country and not by_name:
            return 0.0  # a keyword points within the country the question is about; a name reaches across
        nearby = bool(wanted_regions & set(organisation.regions))
        if organisation.regions and not nearby and not by_name:
            return 0.0  # a regional service elsewhere, or a regional one when no region is asked about
        fits = sorted((topics.get(t, 0.0) for t in organisation.topics), reverse=True)
        topical = (fits[0] + 0.25 * sum(fits[1:])) if fits else 0.0  # the best fit, and a little for breadth
        if topical == 0.0 and not named:
            return 0.0
        return (
            topical
            + (1.0 if named else 0.0)
            + (0.6 if nearby else 0.0)
            + (0.1 if in_country and country is not None else 0.0)
            + (0.05 if set(readable) & set(organisation.languages) else 0.0)
        )

    ranked = sorted(((score(o), o) for o in organisations), key=lambda pair: (-pair[0], pair[1].id))
    return [o for s, o in ranked if s > 0.0][:limit]
