"""The shipped knowledge base: every file loads, ids are unique, the curriculum is complete in nb and sv,
mentors cover every topic, and every evaluation question points at material that exists and states its facts."""

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bot.mentors import TOPICS, load_mentors
from ingest.loaders import load_document

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
MODULE_SLUGS = [
    "m01-social-enterprise", "m02-problem-to-idea", "m03-business-models", "m04-legal-form", "m05-funding",
    "m06-impact", "m07-public-sector", "m08-people-governance", "m09-marketing", "m10-economy",
    "m11-cross-border", "m12-rural",
]


@pytest.fixture(scope="module")
def documents():
    docs = {}
    for path in sorted(KNOWLEDGE.rglob("*.md")):
        if path.name == "README.md":
            continue
        document = load_document(path, str(path.relative_to(KNOWLEDGE.parent)))
        assert document.id not in docs, f"duplicate id {document.id} in {path}"
        docs[document.id] = document
    return docs


@pytest.fixture(scope="module")
def questions():
    with open(KNOWLEDGE / "eval" / "questions.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_every_module_exists_in_bokmal_and_swedish_and_four_in_nynorsk(documents):
    for slug in MODULE_SLUGS:
        for lang in ("nb", "sv"):
            assert f"{slug}-{lang}" in documents, f"missing {slug}-{lang}"
    assert sum(f"{slug}-nn" in documents for slug in MODULE_SLUGS) >= 4


def test_modules_have_front_matter_sources_and_a_sensible_length(documents):
    for doc_id, document in documents.items():
        meta = document.meta
        assert meta.get("lang") in ("nb", "nn", "sv", "en"), doc_id
        assert meta.get("sources"), f"{doc_id} names no public sources"
        if meta.get("kind") == "module":
            words = len(document.body.split())
            assert 800 <= words <= 2000, f"{doc_id} has {words} words"
            assert re.search(r"^## .*(sjekkliste|checklista|øving|övning|oppgåve|oppgave)", document.body, re.I | re.M), \
                f"{doc_id} ends without a checklist or exercise"
            assert doc_id.startswith(f"m{int(meta['module']):02d}-"), doc_id


def test_time_bound_material_is_current(documents):
    today = dt.date(2026, 11, 23)
    for doc_id, document in documents.items():
        valid_until = document.meta.get("valid_until")
        if valid_until:
            assert dt.date.fromisoformat(str(valid_until)) > today, f"{doc_id} expired on {valid_until}"


def test_articles_faqs_and_glossary(documents):
    kinds = Counter(d.meta.get("kind") for d in documents.values())
    assert kinds["article"] + kinds["faq"] + kinds["glossary"] >= 12
    assert {"faq-nb", "faq-nn", "faq-sv", "glossary"} <= set(documents)


def test_mentors_cover_every_topic_region_and_language():
    mentors = load_mentors(KNOWLEDGE / "mentors.yaml")
    assert len(mentors) >= 12
    assert all("sample" in m.name.lower() for m in mentors), "mentors must be recognisable sample entries"
    assert set(TOPICS) <= {t for m in mentors for t in m.topics}
    assert {"Trøndelag", "Jämtland", "Västernorrland", "Nordland", "Härjedalen", "digital"} <= {
        r for m in mentors for r in m.regions
    }
    assert {"nb", "nn", "sv", "en"} <= {lang for m in mentors for lang in m.languages}


def test_question_set_shape(questions):
    assert len({q["id"] for q in questions}) == len(questions)
    langs = Counter(q["lang"] for q in questions)
    assert langs["nb"] >= 90 and langs["sv"] >= 90 and langs["nn"] >= 40 and langs["en"] >= 10
    assert sum(q["cross_lingual"] for q in questions) >= 30
    assert sum(not q["expect_ids"] for q in questions) >= 25


def test_questions_point_at_existing_material_and_facts_it_states(documents, questions):
    for q in questions:
        if not q["expect_ids"]:
            assert not q["expect_facts"] and not q["expect_mentor_topic"], q["id"]
            continue
        assert set(q["expect_ids"]) <= set(documents), q["id"]
        assert q["expect_mentor_topic"] in TOPICS, q["id"]
        bodies = [documents[i].body.lower() for i in q["expect_ids"]]
        for fact in q["expect_facts"]:
            assert any(fact.lower() in body for body in bodies), f"{q['id']}: {fact!r} is in none of {q['expect_ids']}"


def test_every_fact_is_stated_as_whole_words_by_an_expected_document(documents, questions):
    """A fact is a word or phrase the material states, never a fragment ("tilsk", "betal") that a substring test
    would find inside many longer words; the eval counts it only as whole words (benchmarks/facts.py)."""
    from benchmarks.facts import fact_found

    for q in questions:
        for fact in q["expect_facts"]:
            assert any(fact_found(fact, documents[i].body) for i in q["expect_ids"]), \
                f"{q['id']}: {fact!r} is not stated as whole words by any of {q['expect_ids']}"


def test_facts_are_stated_in_the_askers_language_where_material_in_it_is_expected(documents, questions):
    """When an expected document is in the asker's language, one of those states the fact as whole words (an nb
    question is not marked with a word that only the nn or sv version states)."""
    from benchmarks.facts import fact_found

    for q in questions:
        same = [i for i in q["expect_ids"] if documents[i].meta.get("lang") == q["lang"]] or q["expect_ids"]
        for fact in q["expect_facts"]:
            assert any(fact_found(fact, documents[i].body) for i in same), f"{q['id']}: {fact!r} is in none of {same}"


# --- The organisation directory and the calls (issue 14) ---------------------------------------------------------

CLOCK = dt.date(2026, 12, 1)  # a fixed "today": every shipped call must still be open on it


@pytest.fixture(scope="module")
def organisations():
    from bot.organisations import load_organisations

    return load_organisations(KNOWLEDGE / "organisations.yaml")


def test_the_directory_is_complete_known_and_safe(organisations):
    """At least 30 organisations in both countries, every topic and region one the project knows, https addresses
    and sources, unique ids, an offer in nb, nn and sv (load_organisations refuses anything else)."""
    from bot.mentors import REGION_COUNTRY

    assert len(organisations) >= 30
    assert len({o.id for o in organisations}) == len(organisations)
    assert {"NO", "SE", "both"} == {o.country for o in organisations}
    assert all(set(o.topics) <= set(TOPICS) and o.topics for o in organisations)
    assert all(o.url.startswith("https://") and o.source.startswith("https://") for o in organisations)
    assert all({"nb", "nn", "sv"} <= set(o.offer) for o in organisations)
    covered = {r for o in organisations for r in o.regions}
    assert set(REGION_COUNTRY) <= covered, f"no regional service for {set(REGION_COUNTRY) - covered}"
    assert {"agency", "cooperative-development", "funder", "network", "regional", "programme"} <= {o.kind for o in organisations}


def test_calls_are_open_on_the_fixed_clock_and_sourced(documents):
    calls = {i: d for i, d in documents.items() if d.meta.get("kind") == "call"}
    assert len({i.rsplit("-", 1)[0] for i in calls}) >= 10, "at least ten real calls"
    for doc_id, document in calls.items():
        meta = document.meta
        assert dt.date.fromisoformat(meta["valid_until"]) > CLOCK, f"{doc_id} closed on {meta['valid_until']}"
        assert meta.get("sources") and all(s.startswith("https://") for s in meta["sources"]), doc_id
        assert meta.get("url", "").startswith("https://") and meta.get("country") in ("NO", "SE", "both"), doc_id
        assert doc_id.startswith("call-") and doc_id.endswith(f"-{meta['lang']}"), doc_id
    assert {d.meta["country"] for d in calls.values()} >= {"NO", "SE"}


def test_organisation_questions_expect_organisations_that_exist(questions, organisations):
    known = {o.id for o in organisations}
    expecting = [q for q in questions if q.get("expect_org")]
    assert len(expecting) >= 20 and {"nb", "nn", "sv", "en"} <= {q["lang"] for q in expecting}
    for q in expecting:
        assert q["expect_org"] in known, f"{q['id']}: unknown organisation {q['expect_org']}"
