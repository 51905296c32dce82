"""Names, acronyms and years count as lexical evidence in material of any language; so do long words the asker's
own material does not know; other words only in the asker's own (and its neighbours')."""

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


def test_other_words_match_only_material_in_the_askers_language():
    # "kooperativ" is written alike in Swedish and Norwegian, but it is no name, and each language's material
    # knows it: it does not reach across
    assert lexical_docs("hvem eier et kooperativ", "nb") == ["samvirke-nb"]
    assert lexical_docs("vem äger ett kooperativ", "sv") == ["kooperativ-sv"]


def test_a_long_word_only_other_languages_material_knows_is_looked_up_there():
    assert lexical_docs("hva er socialøkonomiske virksomheder", "nb") == ["socialt-da"]
    assert lexical_docs("what are socialøkonomiske virksomheder", "en") == []  # English shares no spelling
