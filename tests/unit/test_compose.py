from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from bot.compose import MAX_ANSWER_WORDS, Composer, SentenceWeights, key_sentences, ranked_sentences, usable_sentences
from bot.i18n import Translator
from bot.models import Chunk, Hit


def hit(text: str, lang: str = "nb", title: str = "Selskapsform") -> Hit:
    chunk = Chunk(id="c", text=text, doc_id="d", title=title, section="", path="p", lang=lang, kind="module",
                  country="NO", module=4)
    return Hit(chunk=chunk, score=1.0, dense=0.9)


TEXT = ("Det finnes flere selskapsformer. Et aksjeselskap må ha minst 30 000 kroner i aksjekapital. "
        "Enkeltpersonforetak har ingen krav til kapital. Været i Trøndelag er ofte vått om høsten.")


def test_key_sentences_prefer_the_question_terms_and_keep_reading_order():
    chosen = key_sentences("hvor mye aksjekapital trenger et aksjeselskap", "nb", [hit(TEXT)], limit=2)
    assert chosen == ["Det finnes flere selskapsformer.", "Et aksjeselskap må ha minst 30 000 kroner i aksjekapital."]


def test_extractive_answer_has_a_lead_and_notes_another_language():
    composer = Composer(Translator())
    text = composer.extractive("hur mycket aktiekapital", "sv", [hit(TEXT)])
    assert text.startswith("Ur ”Selskapsform”:") and text.endswith("(Materialet är på norska (bokmål).)")
    assert "(Materialet" not in composer.extractive("kor mykje aksjekapital", "nn", [hit(TEXT)])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=30))
def test_answers_stay_short_whatever_the_passage(sentences):
    text = ". ".join(sentences)
    chosen = key_sentences("aksjekapital", "nb", [hit(text)])
    assert len(chosen) <= 4
    assert len(chosen) <= 1 or sum(len(s.split()) for s in chosen) <= MAX_ANSWER_WORDS


def test_a_question_after_an_amount_gets_the_sentence_with_the_figure():
    text = ("En stiftelse eier seg selv. **Stiftelse:** Formålet er vanskelig å endre. "
            "Stiftelsesloven krever en grunnkapital på minst 100 000 kroner. Stiftelsen registreres i Stiftelsesregisteret.")
    chosen = key_sentences("hvor mye penger må til for en stiftelse", "nb", [hit(text)], limit=2)
    assert chosen[-1] == "Stiftelsesloven krever en grunnkapital på minst 100 000 kroner."
    assert all("**" not in sentence for sentence in key_sentences("stiftelse formål", "nb", [hit(text)]))


def test_a_passage_with_only_a_table_is_passed_over_for_one_that_can_be_quoted():
    table = hit("| Sverige | Norge |\n|---|---|\n| Aktiebolag | AS |", title="Jämförelse")
    prose = hit(TEXT)
    text = Composer(Translator()).extractive("aksjekapital", "nb", [table, prose])
    assert text.startswith("Fra «Selskapsform»:") and "30 000" in text


def test_time_bound_material_says_until_when_it_holds_in_the_askers_language():
    chunk = Chunk(id="c", text=TEXT, doc_id="d", title="Selskapsform", section="", path="p", lang="nb",
                  kind="module", country="NO", module=4, valid_until="2027-06-30")
    composer = Composer(Translator())
    assert composer.extractive("aksjekapital", "nb", [Hit(chunk=chunk, score=1.0, dense=0.9)]).endswith(
        "Dette materialet gjelder til 30. juni 2027; sjekk kilden for endringer.")
    assert "30 juni 2027" in composer.extractive("aktiekapital", "sv", [Hit(chunk=chunk, score=1.0, dense=0.9)])


def test_a_line_that_introduces_a_list_reads_with_the_names_of_its_items():
    from bot.compose import usable_sentences

    text = ("Bruk tal for å vise kor stort problemet er. Gode offentlege kjelder er:\n\n"
            "- **SSB (Statistisk sentralbyrå):** folketal, alder og inntekt.\n- **Ungdata:** lokale undersøkingar.\n"
            "- [ ] Eg har funne tal.")
    assert usable_sentences(text)[:2] == (
        "Bruk tal for å vise kor stort problemet er.",
        "Gode offentlege kjelder er: SSB (Statistisk sentralbyrå), Ungdata.",
    )


def test_question_words_match_sentence_words_in_another_scandinavian_spelling():
    from bot.compose import _matches, _sentence_stems

    wanted = {"sosial": 1.0, "prosjekt": 1.0, "organisasjon": 1.0}
    assert _matches(wanted, _sentence_stems("Projektet ägs av en social organisation i Jämtland.", "sv")) == set(wanted)


def test_a_line_introducing_a_sentence_reads_with_it_and_a_quotation_is_a_sentence():
    text = ("Regeringens definition af en socialøkonomisk virksomhed er følgende:\n\n"
            "”En privat virksomhed, der driver erhverv med det formål at fremme sociale og samfundsgavnlige formål.”\n\n"
            "”Det er en god definition”, siger hun til avisen.")
    assert usable_sentences(text) == (
        "Regeringens definition af en socialøkonomisk virksomhed er følgende: ”En privat virksomhed, der driver erhverv "
        "med det formål at fremme sociale og samfundsgavnlige formål.”",
        "”Det er en god definition”, siger hun til avisen.",
    )


def test_only_a_modules_lead_sentence_counts_extra():
    """Course modules open each section with its answer; a news article or a saved page does not."""
    text = ("Laget hadde en lang sesong bak seg og spillerne var slitne etter mange kamper. "
            "Treneren snakket lenge med pressen etterpå. Det var tre tilskuere som hadde reist fra Bodø.")
    module, article = hit(text, "nb"), replace(hit(text, "nb"), chunk=replace(hit(text, "nb").chunk, kind="article"))
    question = "hvor hadde tilskuerne reist fra"
    lead = "Laget hadde en lang sesong bak seg og spillerne var slitne etter mange kamper."
    score = {kind: {sentence: value for value, _, _, sentence in ranked_sentences(question, "nb", [h])}
             for kind, h in (("module", module), ("article", article))}
    assert score["module"][lead] - score["article"][lead] == pytest.approx(SentenceWeights().lead)
    assert score["article"][lead] < score["article"]["Det var tre tilskuere som hadde reist fra Bodø."]


def test_a_fact_box_line_deep_in_the_box_still_answers_its_question():
    """A box lists owner, contact, grant and period in any order: its last line is not worth less than its first."""
    box = ("Programområde: Ökat arbetskraftsutbud\nProjektfas: Genomförande\nProjektägare: Coompanion Jämtlands län\n"
           "Kontaktperson: Anna Exempelsson\nTelefonnummer: 0700000000\nBeviljat stöd: 666 680 kr\n"
           "Total projektbudget: 666 680 kr\nProjektperiod: 2014-01-02 till 2014-12-31")
    prose = ("Studier på arbetsintegrerande sociala företag visar att fasen mellan projekt och företagsstart är svår. "
             "Förstudien vill identifiera framgångsfaktorer för sociala företag och få till stånd en stödstruktur.")
    hits = [hit(prose, "sv"), Hit(chunk=replace(hit(box, "sv").chunk, id="c2"), score=0.9, dense=0.8, lexical=0.0)]
    chosen = key_sentences("Under vilken period pågick förstudien om framgångsfaktorer för sociala företag?", "sv", hits)
    assert "Projektperiod: 2014-01-02 till 2014-12-31." in chosen


def test_items_without_marks_read_with_the_line_that_introduces_them():
    """Contacts saved from a page ("Kontaktpersoner är:" and one person per line) are quoted as one sentence, with the
    people set apart by semicolons because their details hold commas."""
    text = ("Projektet pågår i tre år och drivs över gränsen mellan Sverige och Norge.\n\nKontaktpersoner är:\n"
            "Camilla Exempel, e-post: camilla@example.se, telefon: +4670000000\nTore Prov, e-post: tore@example.no")
    assert usable_sentences(text)[1] == ("Kontaktpersoner är: Camilla Exempel, e-post: camilla@example.se, telefon: "
                                         "+4670000000; Tore Prov, e-post: tore@example.no.")
    assert "Camilla Exempel" in " ".join(key_sentences("vem är kontaktperson för projektet", "sv", [hit(text, "sv")]))


def test_a_fact_box_line_is_quoted_for_the_question_it_answers():
    text = ("Projektägare: Coompanion Jämtlands län\nKontaktperson: Anna Exempelsson\nBeviljat stöd: 666 680 kr\n"
            "Projektperiod: 2014-01-02 till 2014-12-31\n\n"
            "Förstudien vill identifiera framgångsfaktorer för sociala företag. Workshops genomförs i hela länet.")
    chosen = key_sentences("hur mycket stöd beviljades projektet", "sv", [hit(text, "sv")], limit=1)
    assert chosen == ["Beviljat stöd: 666 680 kr."]
    assert key_sentences("vem är kontaktperson", "sv", [hit(text, "sv")], limit=1) == ["Kontaktperson: Anna Exempelsson."]


def test_a_question_word_matches_the_last_part_of_a_compound():
    text = ("Förstudien handlar om sociala företag i Jämtland och Västernorrland. "
            "Hela projektperioden varade från januari till december 2014. Workshops genomförs i hela länet.")
    assert key_sentences("hur lång period", "sv", [hit(text, "sv")], limit=1) == [
        "Hela projektperioden varade från januari till december 2014."]
