from pathlib import Path

import numpy as np

from bot.lexical import LexicalIndex
from bot.retrieval import rrf_fuse

DOCS = [
    ("a", "Et aksjeselskap trenger aksjekapital og registrering i Foretaksregisteret", "nb"),
    ("b", "Frivillige organisasjoner registrerer seg i Frivillighetsregisteret", "nb"),
    ("c", "Ett aktiebolag behöver aktiekapital och registreras hos Bolagsverket", "sv"),
]


def test_bm25_ranks_the_matching_document_first():
    index = LexicalIndex.build(DOCS)
    assert index.search("hvor mye aksjekapital trenger aksjeselskapet", "nb", 3)[0][0] == "a"


def test_stemming_matches_inflected_forms():
    index = LexicalIndex.build(DOCS)
    # "aktiebolagen" and "aktiebolag" differ on the surface but share a stem
    hits = index.search("aktiebolagen", "sv", 3)
    assert [doc_id for doc_id, _ in hits] == ["c"]


def test_mask_and_unknown_terms():
    index = LexicalIndex.build(DOCS)
    assert index.search("aksjekapital", "nb", 3, allowed=np.array([False, True, True])) == []
    assert index.search("zzzz", "nb", 3) == []


def test_save_and_load_round_trip(tmp_path: Path):
    index = LexicalIndex.build(DOCS, payload=["pa", "pb", "pc"])
    index.save(tmp_path / "lex.pkl")
    loaded = LexicalIndex.load(tmp_path / "lex.pkl")
    assert loaded.ids == index.ids and loaded.payload == ["pa", "pb", "pc"]
    assert LexicalIndex.load(tmp_path / "absent.pkl").ids == []


def test_rrf_rewards_agreement_and_respects_weights():
    fused = rrf_fuse([(["a", "b", "c"], 1.0), (["b", "a", "d"], 1.0)], rrf_k=60)
    assert max(fused, key=fused.get) in ("a", "b")
    assert fused["a"] == fused["b"] > fused["c"] > 0
    weighted = rrf_fuse([(["a", "b"], 2.0), (["b", "a"], 1.0)], rrf_k=60)
    assert weighted["a"] > weighted["b"]


def test_convex_fusion_normalises_each_ranking():
    from bot.retrieval import convex_fuse

    fused = convex_fuse([("a", 0.9), ("b", 0.8), ("c", 0.7)], [("c", 12.0), ("d", 3.0)], 0.5, 0.5)
    assert fused["a"] == 0.5 and fused["c"] == 0.5 and abs(fused["b"] - 0.25) < 1e-9 and fused["d"] == 0.0
    assert convex_fuse([], [("x", 1.0)], 0.5, 0.5) == {"x": 0.0}


def test_coverage_counts_query_words_found_in_allowed_documents():
    index = LexicalIndex.build(DOCS)
    assert index.coverage("aksjekapital foretaksregisteret", "nb") == 1.0
    assert 0.0 < index.coverage("aksjekapital kanelboller", "nb") < 0.5  # the unknown word weighs most
    assert index.coverage("aksjekapital", "nb", allowed=np.array([False, True, True])) == 0.0
    assert index.coverage("og i på", "nb") == 0.0  # only stop words
    assert 0.0 < index.specificity("aksjekapital", "nb") <= 1.0 and index.specificity("zzz", "nb") == 0.0


def test_coverage_finds_names_and_close_spellings_across_languages():
    index = LexicalIndex.build([("no", "Merkur-programmet støtter bygdebutikker i distriktene.", "nb")])
    assert index.coverage("vad är merkur", "sv") == 1.0  # a name is spelled alike in Swedish
    assert index.coverage("bygdebutik", "sv") == 1.0  # Swedish spelling, Norwegian stem "bygdebutikk"
    assert index.coverage("lägenhet", "sv") == 0.0


def test_coverage_forgives_a_typo_inside_a_long_word_but_not_another_short_word():
    index = LexicalIndex.build([("a", "Solsystemet ligger i Orion-armen. En industrielektriker arbetar aldrig ensam.", "nb")])
    assert index.coverage("solystemet", "nb") == 1.0  # a letter left out
    assert index.coverage("indusrtielektikern", "sv") == 1.0  # two letters swapped and one left out
    assert index.coverage("ensom", "nb") == 0.0  # five letters, one from "ensam": too short to be read as a typo
    assert index.coverage("kjøleskap", "nb") == 0.0


def test_a_single_lexical_match_counts_in_full_when_the_ranking_is_complete():
    from bot.retrieval import convex_fuse

    fused = convex_fuse([("a", 0.9), ("b", 0.8)], [("b", 7.0)], 0.5, 0.5, lexical_complete=True)
    assert fused["b"] == 0.5 and fused["a"] == 0.5  # without the floor of 0, "b" would get no lexical credit
    assert convex_fuse([("a", 0.9), ("b", 0.8)], [("b", 7.0)], 0.5, 0.5)["b"] == 0.0


def test_rare_names_are_names_the_material_holds_in_few_passages():
    docs = [(f"d{i}", f"Interreg støtter prosjekt nummer {i} i grenseregionen.", "nb") for i in range(200)]
    docs.append(("sing", "Prosjektet SING samler sosiale entreprenører i Trøndelag og Jämtland.", "nb"))
    index = LexicalIndex.build(docs)
    assert index.rare_names("Hva står forkortelsen SING for?") == ["sing"]
    assert index.rare_names("Hvordan søker jeg Interreg-midler?") == []  # in every passage: names nothing
    assert index.rare_names("Hva er aksjekursen til Equinor?") == []  # not in the material at all


def test_scandinavian_terms_read_a_question_in_every_scandinavian_spelling():
    from bot.lexical import scandinavian_terms
    from bot.text import prefix_term

    assert prefix_term("framgångsfaktorer") == prefix_term("framgangsfaktorer") == "#framga"
    assert prefix_term("övervakningskommittén") == prefix_term("overvakingskomiteen")
    for norwegian, swedish in [("prosjektet", "projektet"), ("sosiale", "sociala"), ("organisasjonen", "organisationen"),
                               ("eksempelet", "exemplet"), ("sentrumet", "centrumet")]:
        assert prefix_term(norwegian) == prefix_term(swedish), (norwegian, swedish)
    assert prefix_term("kooperativ") != prefix_term("kontaktperson")
    index = LexicalIndex.build([
        ("nb", "Prosjektet hjelper sosiale foretak med å finne kunder.", "nb"),
        ("sv", "Förstudien om framgångsfaktorer för sociala företag leds av Coompanion i Jämtland.", "sv"),
    ])
    terms = scandinavian_terms("Hvem leder prosjektet om framgangsfaktorer for sosiale foretak?")
    assert {"#framga", "#foreta"} <= terms
    assert index.search("", "nb", 5, np.array([False, True]), terms)[0][0] == "sv"
