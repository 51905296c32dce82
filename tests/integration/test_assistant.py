"""The answer core on real Chroma and the real embedder over the fixture knowledge."""

import pytest

from bot.llm import make_chat_model
from bot.models import Filters, Question
from bot.runtime import build_runtime
from tests.conftest import make_settings
from tests.fakes.openai_stub import OpenAIStub

pytestmark = pytest.mark.integration


def ask(runtime, text: str, **kwargs):
    return runtime.assistant.answer(Question(text=text, **kwargs))


def test_bokmal_question_gets_a_grounded_bokmal_answer(runtime):
    answer = ask(runtime, "hvor mye aksjekapital trenger et AS")
    assert answer.language == "nb" and answer.confident and answer.kind == "answer"
    assert answer.sources[0].id == "m04-legal-form-nb"
    assert "30 000" in answer.answer and answer.answer.startswith("Fra «")
    assert answer.read_next[0].id == "m04-legal-form-nb" and answer.read_next[0].module == 4
    assert answer.mentors and answer.mentors[0].name.startswith("Kari")


def test_swedish_question_gets_swedish_material_and_mentor(runtime):
    answer = ask(runtime, "hur mycket aktiekapital behöver ett aktiebolag")
    assert answer.language == "sv" and answer.confident
    assert answer.sources[0].id == "m04-legal-form-sv" and "25 000" in answer.answer
    assert answer.mentors[0].name.startswith("Sven")


def test_a_question_about_the_other_country_reads_next_that_countrys_module(runtime):
    # The Swedish module on legal forms is another text (about Sweden), not a translation of the Norwegian one.
    answer = ask(runtime, "hur mycket aksjekapital behöver ett AS i Norge")
    assert answer.language == "sv" and answer.sources[0].id == "m04-legal-form-nb"
    assert answer.read_next[0].id == "m04-legal-form-nb"


def test_cross_lingual_question_is_framed_in_the_askers_language(runtime):
    answer = ask(runtime, "kan en bygdebutik ägas gemensamt av bygden")
    assert answer.language == "sv"
    assert answer.sources[0].id == "m12-rural-nn"
    assert answer.answer.startswith("Ur ”") and "(Materialet är på norska (nynorska).)" in answer.answer


def test_nynorsk_is_answered_in_nynorsk(runtime):
    answer = ask(runtime, "korleis kan bygda eige butikken saman")
    assert answer.language == "nn" and answer.answer.startswith("Frå «")
    assert answer.read_next[0].id == "m12-rural-nn"


def test_uncovered_question_is_declined_and_recorded(runtime):
    answer = ask(runtime, "hva er beste oppskrift på kanelboller med kardemomme", channel="test")
    assert not answer.confident and answer.kind == "declined" and answer.sources == []
    assert "fant ikke" in answer.answer and answer.mentors
    assert runtime.records.unanswered()[0]["question"].startswith("hva er beste oppskrift")


def test_greeting_and_capabilities_are_short_replies(runtime):
    hello = ask(runtime, "Hej!", lang_hint="sv")
    assert hello.kind == "smalltalk" and hello.answer.startswith("Hej! Jag är Veiviser")
    what = ask(runtime, "kva kan du hjelpe meg med")
    assert what.kind == "smalltalk" and what.language == "nn" and "Eg svarar" in what.answer


def test_bad_input_gets_a_clear_message(runtime):
    empty = ask(runtime, "   ")
    assert empty.kind == "error" and not empty.confident
    long = ask(runtime, "hvordan " * 400)
    assert long.kind == "error" and "2000" in long.answer and "for lang" in long.answer


def test_expired_material_is_not_used(runtime):
    answer = ask(runtime, "søknadsfrist for bygdemidler til dugnad og bygdebutikk")
    assert all(s.id != "m99-expired-nb" for s in answer.sources)


def test_filters_restrict_retrieval(runtime):
    hits = runtime.retriever.search(runtime.live.current(), "aksjekapital", "nb", 5, Filters(countries=("SE",)))
    assert hits and all(h.chunk.country == "SE" for h in hits)


def test_previous_turn_language_is_a_hint(runtime):
    first = ask(runtime, "korleis registrerer eg eit føretak", conversation_id="c1")
    follow_up = ask(runtime, "Takk", conversation_id="c1")
    assert first.language == follow_up.language == "nn"


def test_turns_are_recorded_and_answers_carry_their_id(runtime):
    answer = ask(runtime, "hvor mye aksjekapital trenger et AS", channel="test", user_id="u1")
    turn = runtime.records.turn(answer.turn_id)
    assert turn["user_id"] == "u1" and turn["question"] == "hvor mye aksjekapital trenger et AS"
    assert answer.to_json()["turn_id"] == answer.turn_id


def test_a_follow_up_is_read_with_the_question_before_it(runtime):
    first = ask(runtime, "hvor mye aksjekapital trenger et aksjeselskap i Norge", channel="test", conversation_id="f1")
    follow_up = ask(runtime, "og i Sverige?", channel="test", conversation_id="f1")
    alone = ask(runtime, "og i Sverige?", channel="test", conversation_id="f2")
    assert first.confident and follow_up.confident and not alone.confident
    assert follow_up.sources[0].id == "m04-legal-form-sv" and "25 000" in follow_up.answer


def test_a_stored_language_choice_wins_over_detection(runtime):
    runtime.records.set_language("test", "u-nn", "nn")
    answer = ask(runtime, "hvor mye aksjekapital trenger et AS", channel="test", user_id="u-nn")
    assert answer.language == "nn" and answer.answer.startswith("Frå «")


def test_invisible_and_invalid_characters_are_removed_before_answering(runtime):
    clean = ask(runtime, "hvor mye aksjekapital trenger et AS")
    for noisy in ("hvor mye aksje\u200bkapital trenger et AS", "hvor mye aksjekapital\x00 trenger et AS\ud800"):
        answer = ask(runtime, noisy)
        assert answer.confident and answer.sources[0].id == clean.sources[0].id and answer.answer == clean.answer


def test_the_quoted_document_leads_the_sources(runtime):
    for question in ("hvor mye aksjekapital trenger et AS", "kan en bygdebutik ägas gemensamt av bygden"):
        answer = ask(runtime, question)
        title = answer.sources[0].title
        assert title in answer.answer.splitlines()[0]


def _llm_runtime(ingested_store, tmp_path, embedder, stub: OpenAIStub):
    settings = make_settings(
        ingested_store, llm="openai:stub-model", llm_base_url=stub.base_url, llm_timeout_s=1.0,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    return build_runtime(settings, embedder, make_chat_model(settings))


def test_llm_answer_goes_through_the_openai_compatible_endpoint(ingested_store, tmp_path, embedder):
    with OpenAIStub(reply="Et AS trenger minst 30 000 kroner i aksjekapital [1].") as stub:
        runtime = _llm_runtime(ingested_store, tmp_path, embedder, stub)
        answer = ask(runtime, "hvor mye aksjekapital trenger et AS")
        runtime.close()
    assert answer.composer == "llm" and answer.answer.startswith("Et AS trenger")
    sent = stub.requests[0]["body"]
    assert stub.requests[0]["path"] == "/v1/chat/completions" and sent["model"] == "stub-model"
    assert "norsk bokmål" in sent["messages"][0]["content"] and "30 000" in sent["messages"][1]["content"]


@pytest.mark.parametrize("failure", [{"status": 500}, {"delay": 2.0}])
def test_failing_llm_falls_back_to_the_extractive_answer(ingested_store, tmp_path, embedder, failure):
    with OpenAIStub(**failure) as stub:
        runtime = _llm_runtime(ingested_store, tmp_path, embedder, stub)
        answer = ask(runtime, "hvor mye aksjekapital trenger et AS")
        runtime.close()
    assert answer.composer == "extractive-fallback" and answer.confident and "30 000" in answer.answer


SAVED_PROJECT_PAGE = """Hopp til hovedinnhold
Meny
Søk
Vi bruker informasjonskapsler. Godta alle
Forside / Aktuelt / Nytt grenseprosjekt
Nytt grenseprosjekt om energi i bygdene
Prosjektet Lokale Energifellesskap i Grenselandet (LEGG) hjelper bygdelag i Trøndelag og Jämtland å eie solceller og småkraft sammen. LEGG ledes av Bygdeenergi SA i Røros og varer i tre år.
Deltakerne lærer å organisere et samvirke, fordele strømmen og søke tilskudd til felles anlegg.
Del på Facebook
© Bygdeenergi SA
"""


def test_a_rare_name_in_the_best_passage_is_evidence_enough(tmp_path, knowledge_copy, embedder, detector):
    """"Hva står forkortelsen LEGG for?": "forkortelsen" is a word no material uses, but the acronym is named in one
    saved page only, so the question is about that page and is answered from it, not declined."""
    from tests.conftest import ingest_folder

    (knowledge_copy / "legg-prosjektet.txt").write_text(SAVED_PROJECT_PAGE, "utf-8")
    store = tmp_path / "store"
    _, report = ingest_folder(make_settings(store, knowledge_dirs=[knowledge_copy]), knowledge_copy, embedder, detector)
    assert not report.errors
    runtime = build_runtime(make_settings(store, knowledge_dirs=[knowledge_copy],
                                          database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}"), embedder)
    try:
        named = ask(runtime, "Hva står forkortelsen LEGG for?")
        unknown = ask(runtime, "Hva står forkortelsen QXZ for?")
    finally:
        runtime.close()
    assert named.confident and named.sources[0].title == "Nytt grenseprosjekt om energi i bygdene"
    assert "Lokale Energifellesskap i Grenselandet" in named.answer
    assert not unknown.confident and unknown.kind == "declined"
