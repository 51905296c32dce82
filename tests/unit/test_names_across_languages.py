"""Names, acronyms and years count as lexical evidence in material of any language; a Scandinavian question's
other words count in material in any Scandinavian language (each read by its own stemmer, prefixes folded); an
English question's other words count in Scandinavian material only where they are spelled alike (their folded
prefixes: "cooperative" / "kooperativ")."""

from __future__ import annotations

import numpy as np

from bot.lexical import name_terms
from bot.live_index import FixedSnapshot
from bot.models import Chunk
from bot.retrieval import Retriever
from bot.snapshot import IndexSnapshot


def chunk(doc: str, text: str, lang: str) -> Chunk:
    return Chunk(id=f"{doc}#000-x", text=text, doc_id=doc, title=doc, section="", path=f"{doc}.txt", lang=lang,
                 kind="article", country="both")


CHUNKS = [
    chunk("gront-belte-nb", "Prosjektet GRØBE ledes av Kari Nordmann i Trøndelag og fikk 4,2 millioner kroner i 2024.", "nb"),
    chunk("kooperativ-sv", "Ett kooperativ ägs av sina medlemmar och leds av en styrelse som väljs på stämman.", "sv"),
    chunk("socialt-da", "Registrerede socialøkonomiske virksomheder (RSV) skal have et socialt formål.", "da"),
    chunk("samvirke-nb", "Et samvirke eller kooperativ eies av medlemmene sine.", "nb"),
]


def retriever() -> tuple[Retriever, IndexSnapshot]:
    vectors = np.eye(len(CHUNKS), 4, dtype=np.float32)
    snapshot = IndexSnapshot.build(CHUNKS, 1, vectors)
    return Retriever(store=None, snapshots=FixedSnapshot(snapshot)), snapshot  # type: ignore[arg-type]


def lexical_docs(question: str, lang: str) -> list[str]:
    rt, snapshot = retriever()
    found = rt.candidates(snapshot, question, lang, query_vector=np.zeros(4, dtype=np.float32)).lexical
    return [c.doc_id for c, _ in found]


def test_name_terms_are_names_acronyms_and_years_not_the_first_word():
    assert name_terms("Vem leder projektet GRØBE i Trøndelag sedan 2024?") >= {"grøbe", "trøndelag", "2024"}
    assert not name_terms("Vem leder projektet?")  # "Vem" opens the sentence: not a name


def test_a_swedish_question_reaches_a_norwegian_page_by_its_acronym():
    assert lexical_docs("Vem leder projektet GRØBE?", "sv")[0] == "gront-belte-nb"


def test_a_swedish_question_reaches_a_danish_page_by_an_agency_acronym():
    assert lexical_docs("Vad krävs för att bli RSV?", "sv")[0] == "socialt-da"


def test_a_scandinavian_questions_words_match_material_in_every_scandinavian_language():
    # "kooperativ" is written alike in Swedish and Norwegian: a Norwegian question reads the Swedish passage too
    # (fusion then prefers the asker's own language: bot/retrieval.py, same_language_bonus)
    assert set(lexical_docs("hvem eier et kooperativ", "nb")) == {"samvirke-nb", "kooperativ-sv"}
    assert lexical_docs("hva er socialøkonomiske virksomheder", "nb") == ["socialt-da"]


def test_an_english_questions_long_words_match_scandinavian_material_spelled_alike_and_its_short_words_do_not():
    # "cooperative" is spelled "kooperativ" in Swedish and Norwegian (folded prefix terms); "owns" and "farm" are not
    assert set(lexical_docs("who owns a cooperative", "en")) == {"samvirke-nb", "kooperativ-sv"}
    assert lexical_docs("who owns the farm", "en") == []
    assert lexical_docs("what does RSV stand for", "en") == ["socialt-da"]  # a name matches in any language


def test_the_passages_holding_the_questions_rare_names_are_marked_for_fusion():
    rt, snapshot = retriever()
    named = rt.candidates(snapshot, "Vem leder projektet GRØBE?", "sv", query_vector=np.zeros(4, dtype=np.float32)).named
    assert named == {"gront-belte-nb#000-x"}
    assert not rt.candidates(snapshot, "vem äger ett kooperativ", "sv", query_vector=np.zeros(4, dtype=np.float32)).named


def test_an_english_question_reads_english_material_with_the_same_evidence_as_scandinavian_material():
    """English is the fallback language: most material answering an English question is Scandinavian. Its short,
    everyday words ("kinds", "run", "work") would otherwise make any English page outrank the Scandinavian page the
    question is about; its names and long words count in every language alike."""
    chunks = [chunk("asf-sv", "Arbetsintegrerande sociala företag i Norrbotten driver catering, second hand och städning.", "sv"),
              chunk("other-en", "What kinds of work do people run? They run many kinds of work, all kinds.", "en")]
    snapshot = IndexSnapshot.build(chunks, 1, np.eye(len(chunks), 4, dtype=np.float32))
    rt = Retriever(store=None, snapshots=FixedSnapshot(snapshot))  # type: ignore[arg-type]
    found = rt.candidates(snapshot, "What kinds of work do the social enterprises in Norrbotten run?", "en",
                          query_vector=np.zeros(4, dtype=np.float32)).lexical
    assert [c.doc_id for c, _ in found] == ["asf-sv"]
