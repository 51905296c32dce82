"""The mentor directory and matching a question to one or two fitting mentors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.country import HOME_COUNTRY, mentioned_country
from bot.language import readable_by
from bot.models import Hit, MentorRef

TOPICS = (
    "social-enterprise", "problem-to-idea", "business-models", "legal-form", "funding", "impact",
    "public-sector", "people-governance", "marketing", "economy", "cross-border", "rural",
)
MODULE_ID_RE = re.compile(r"^m\d\d-(?P<topic>[a-z-]+)-(?:nb|nn|sv|en)$")
REGION_WORDS = {
    "Trøndelag": ("trøndelag", "trondheim", "steinkjer", "levanger", "stjørdal", "namsos", "røros", "verdal"),
    "Jämtland": ("jämtland", "jamtland", "östersund", "åre", "krokom", "strömsund", "jemtland"),
    "Västernorrland": ("västernorrland", "sundsvall", "härnösand", "örnsköldsvik", "kramfors", "timrå"),
    "Nordland": ("nordland", "bodø", "mo i rana", "narvik", "mosjøen", "vefsn", "helgeland"),
    "Härjedalen": ("härjedalen", "sveg", "funäsdalen", "härjedal"),
}
REGION_COUNTRY = {"Trøndelag": "NO", "Nordland": "NO", "Jämtland": "SE", "Västernorrland": "SE", "Härjedalen": "SE"}


class MentorFileError(ValueError):
    """mentors.yaml is missing a field or malformed."""


@dataclass(frozen=True)
class Mentor:
    id: str
    name: str
    organisation: str
    languages: tuple[str, ...]
    regions: tuple[str, ...]
    topics: tuple[str, ...]
    contact: dict[str, str] = field(default_factory=dict)
    available: str = ""

    def ref(self) -> MentorRef:
        contact = ", ".join(v for k, v in self.contact.items() if k in ("telegram", "email") and v)
        return MentorRef(self.name, self.organisation, contact, list(self.topics), list(self.languages))


def load_mentors(path: Path) -> list[Mentor]:
    """Read and validate `mentors.yaml`; an absent file means no mentors."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    mentors = []
    for position, row in enumerate(data.get("mentors", []), start=1):
        missing = [k for k in ("id", "name", "organisation", "languages", "topics") if not row.get(k)]
        if missing:
            raise MentorFileError(f"{path}: mentor #{position} lacks {', '.join(missing)}")
        unknown = set(row["topics"]) - set(TOPICS)
        if unknown:
            raise MentorFileError(f"{path}: mentor {row['id']} has unknown topics {sorted(unknown)}; use {TOPICS}")
        mentors.append(
            Mentor(
                id=row["id"],
                name=row["name"],
                organisation=row["organisation"],
                languages=tuple(row["languages"]),
                regions=tuple(row.get("regions") or ()),
                topics=tuple(row["topics"]),
                contact={k: str(v) for k, v in (row.get("contact") or {}).items()},
                available=str(row.get("available") or ""),
            )
        )
    return mentors


def topic_of(doc_id: str) -> str | None:
    """The course topic of a module id such as `m04-legal-form-nb`."""
    match = MODULE_ID_RE.match(doc_id)
    return match.group("topic") if match and match.group("topic") in TOPICS else None


def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Whole words or phrases only: "åre" is Åre, not the end of "året", "våre" or "Kåre" (a genitive -s is
    allowed: "Östersunds kommun")."""
    alternatives = "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases)
    return re.compile(rf"(?<!\w)(?:{alternatives})s?(?!\w)", re.IGNORECASE)


REGION_PATTERNS = {region: _phrase_pattern(words) for region, words in REGION_WORDS.items()}


def regions_in(text: str) -> set[str]:
    """The regions a text names, by their names and towns as whole words."""
    return {region for region, pattern in REGION_PATTERNS.items() if pattern.search(text)}


def topic_weights(hits: list[Hit]) -> dict[str, float]:
    """How strongly the best retrieved material speaks to each course topic (1 / (1 + rank) per module hit)."""
    weights: dict[str, float] = {}
    for rank, hit in enumerate(hits[:5]):
        topic = topic_of(hit.chunk.doc_id)
        if topic:
            weights[topic] = weights.get(topic, 0.0) + 1.0 / (1 + rank)
    return weights


def match_mentors(
    mentors: list[Mentor], hits: list[Hit], lang: str, question: str, region: str | None = None, limit: int = 2,
    topics: dict[str, float] | None = None,
) -> list[Mentor]:
    """Mentors whose topics fit the retrieved material (or `topics`, a weight per topic), who speak the asker's
    language, in the country the question is about and near the asker."""
    topic_weight = topic_weights(hits) if topics is None else topics
    wanted_regions = regions_in(question) | ({region} if region else set())
    readable = readable_by(lang)
    country = mentioned_country(question) or HOME_COUNTRY.get(lang)

    def score(mentor: Mentor) -> float:
        topical = sum(topic_weight.get(t, 0.0) for t in mentor.topics)
        speaks = any(l in readable for l in mentor.languages)
        own_language = lang in mentor.languages
        nearby = bool(wanted_regions & set(mentor.regions))
        same_country = any(REGION_COUNTRY.get(r) == country for r in mentor.regions)
        return (
            topical * (1.0 if speaks else 0.3)
            + (0.3 if speaks else 0.0)
            + (0.05 if own_language else 0.0)
            + (0.1 if same_country else 0.0)
            + (0.5 if nearby else 0.0)
        )

    ranked = sorted(mentors, key=lambda m: (-score(m), m.id))
    return [m for m in ranked if score(m) > 0.0][:limit]
