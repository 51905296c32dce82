"""One language version of a translated document among the hits: the asker's own, else the best-ranked one."""

from bot.models import Chunk, Hit
from bot.retrieval import one_version_per_translation


def hit(doc: str, lang: str, country: str, score: float, part: int = 0) -> Hit:
    chunk = Chunk(id=f"{doc}#{part:03d}", text="…", doc_id=doc, title=doc, section="", path=f"{doc}.md", lang=lang,
                  kind="module", country=country)
    return Hit(chunk=chunk, score=score)


def docs(hits: list[Hit]) -> list[str]:
    return [h.chunk.id for h in hits]


def test_the_askers_own_version_replaces_a_better_ranked_translation():
    hits = [hit("m04-legal-form-nn", "nn", "NO", 0.9), hit("m04-legal-form-nb", "nb", "NO", 0.8),
            hit("m05-funding-nb", "nb", "NO", 0.7), hit("m04-legal-form-nn", "nn", "NO", 0.6, part=1)]
    assert docs(one_version_per_translation(hits, "nb")) == ["m04-legal-form-nb#000", "m05-funding-nb#000"]


def test_without_the_askers_version_the_best_ranked_version_stays():
    hits = [hit("m04-legal-form-nn", "nn", "NO", 0.9), hit("m04-legal-form-nb", "nb", "NO", 0.8),
            hit("m04-legal-form-nn", "nn", "NO", 0.7, part=1)]
    assert docs(one_version_per_translation(hits, "en")) == ["m04-legal-form-nn#000", "m04-legal-form-nn#001"]


def test_the_same_module_for_the_other_country_is_another_text():
    hits = [hit("m04-legal-form-sv", "sv", "SE", 0.9), hit("m04-legal-form-nb", "nb", "NO", 0.8)]
    assert docs(one_version_per_translation(hits, "nb")) == ["m04-legal-form-sv#000", "m04-legal-form-nb#000"]


def test_documents_without_a_language_suffix_are_left_alone():
    hits = [hit("norquad/rapport", "nb", "NO", 0.9), hit("rapport-2024", "nb", "NO", 0.8)]
    assert docs(one_version_per_translation(hits, "sv")) == ["norquad/rapport#000", "rapport-2024#000"]
