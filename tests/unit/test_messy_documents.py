"""Files as staff really ingest them: a page saved as text with its menus and footer, a page in a second language
in places, an HTML page, a PDF with running headers and footers. Titles, languages and chunk boundaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language import LanguageDetector
from ingest.loaders import load_document
from ingest.page_text import is_boilerplate, strip_boilerplate
from ingest.pipeline import to_chunks
from tests.helpers import write_docx, write_pdf_pages

SAVED_PAGE = """Hopp til innhold
Hopp til søk
Meny
Logg inn
Vi bruker informasjonskapsler (cookies) for å gi deg en bedre opplevelse. Les mer i personvernerklæringen.
Godta alle
Forside › Prosjekter › Nordisk samarbeid
Grønt belte: sosiale entreprenører på tvers av grensen
Prosjektet Grønt belte samler sosiale entreprenører i Trøndelag og Jämtland. Det ledes av Kari Nordmann ved Inn på tunet Trøndelag, og budsjettet er 4,2 millioner kroner over tre år.
Målet er å skape arbeidsplasser for unge som står utenfor arbeidslivet. Prosjektet startet i mars 2024 og er finansiert av Interreg Aurora.
Hvem kan delta
Alle sosiale foretak i Trøndelag og Jämtland kan søke om å bli med i nettverket. Søknadsfristen er 1. oktober hvert år, og svaret kommer innen seks uker.
Projektet Gröna bältet samlar sociala företag i Jämtland och Trøndelag. I Sverige leds arbetet av Coompanion Jämtland, som ger rådgivning till nya kooperativ och sociala företag i hela länet.
Del artikkelen
Del på Facebook
Kopier lenke
Kontakt oss
Personvern
© 2025 Nordisk nettverk. Alle rettigheter reservert.
"""

BOILERPLATE = ("Hopp til", "informasjonskapsler", "Godta", "Forside ›", "Del på", "Kopier lenke", "©", "Personvern")


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


def saved_page(tmp_path: Path, text: str, name: str = "page.txt"):
    """A page saved as text into a knowledge folder, loaded as ingest reads it."""
    (tmp_path / name).write_text(text, "utf-8")
    return load_document(tmp_path / name, name)


def test_a_saved_page_loses_its_menus_and_footer_and_keeps_its_title(tmp_path: Path):
    doc = saved_page(tmp_path, SAVED_PAGE, "gront-belte.txt")
    assert doc.title == "Grønt belte: sosiale entreprenører på tvers av grensen"
    assert not [marker for marker in BOILERPLATE if marker in doc.body]
    assert doc.body.startswith("Prosjektet Grønt belte samler")
    assert "## Hvem kan delta" in doc.body  # a short line before a paragraph reads as a heading
    assert doc.body.rstrip().endswith("i hela länet.")


def test_each_chunk_has_its_own_language_and_chunks_follow_paragraphs(tmp_path: Path, detector: LanguageDetector):
    chunks = to_chunks(saved_page(tmp_path, SAVED_PAGE, "gront-belte.txt"), detector)
    assert [(c.section, c.lang) for c in chunks] == [("", "nb"), ("Hvem kan delta", "nb"), ("Hvem kan delta", "sv")]
    assert chunks[0].text.startswith("Prosjektet Grønt belte") and chunks[0].text.endswith("Interreg Aurora.")
    assert chunks[2].text.startswith("Projektet Gröna bältet") and "Søknadsfristen" not in chunks[2].text
    assert all(c.title == "Grønt belte: sosiale entreprenører på tvers av grensen" for c in chunks)


def test_country_comes_from_the_text_when_no_front_matter_names_it(tmp_path: Path):
    page = tmp_path / "page.txt"
    page.write_text("Registrering i Norge\n\nEt foretak i Norge registreres i Brønnøysundregistrene gjennom Altinn. "
                    "NAV hjelper med lønnstilskudd.\n", "utf-8")
    assert load_document(page, "page.txt").meta["country"] == "NO"
    page.write_text("Starta företag\n\nI Sverige registrerar du företaget hos Bolagsverket och Skatteverket. "
                    "Verksamt.se samlar e-tjänsterna.\n", "utf-8")
    assert load_document(page, "page.txt").meta["country"] == "SE"
    page.write_text("---\ncountry: both\n---\nI Sverige registrerar du företaget hos Bolagsverket och Skatteverket.\n",
                    "utf-8")
    assert load_document(page.rename(tmp_path / "page.md"), "page.md").meta["country"] == "both"


def test_a_pdf_loses_its_running_header_footer_and_page_numbers(tmp_path: Path, detector: LanguageDetector):
    header, footer = "Grønt belte - årsrapport 2025", "Nordisk nettverk for sosialt entreprenørskap"
    pages = [
        [header, "Årsrapport for Grønt belte",
         "Prosjektet har i 2025 hjulpet 40 sosiale entreprenører i Trøndelag og",
         "Jämtland med rådgivning, nettverk og små lån til oppstart av nye",
         "virksomheter.", "Resultater",
         "Tolv nye foretak ble registrert i løpet av året, og de fleste av dem",
         "ansatte minst én person som hadde stått utenfor arbeidslivet i mer enn", footer, "Side 1 av 3"],
        [header, "ett år. Samarbeidet med kommunene har gjort det enklere å finne",
         "lokaler og kunder til de nye foretakene i regionen.", footer, "Side 2 av 3"],
        [header, "Økonomi", "Budsjettet for 2025 var 4,2 millioner kroner, og regnskapet viser et lite",
         "overskudd som overføres til neste år.", footer, "Side 3 av 3"],
    ]
    path = tmp_path / "rapport.pdf"
    write_pdf_pages(path, pages)
    doc = load_document(path, "rapport.pdf")
    assert doc.title == "Årsrapport for Grønt belte"
    assert header not in doc.body and footer not in doc.body and "Side " not in doc.body
    chunks = to_chunks(doc, detector)
    assert [c.section for c in chunks] == ["Årsrapport for Grønt belte", "Resultater", "Økonomi"]
    # a sentence that runs over the page break is one sentence in one chunk
    assert "mer enn ett år. Samarbeidet med kommunene" in chunks[1].text
    assert chunks[2].text == ("Budsjettet for 2025 var 4,2 millioner kroner, og regnskapet viser et lite overskudd "
                              "som overføres til neste år.")
    assert {c.lang for c in chunks} == {"nb"}


def test_an_html_page_keeps_its_article_and_headings_and_drops_the_rest(tmp_path: Path):
    path = tmp_path / "side.html"
    path.write_text(
        "<html lang='nb'><head><title>Grønt belte | Nordisk nettverk</title></head><body>"
        "<header><a href='/'>Forside</a> <a href='/om'>Om oss</a></header>"
        "<div id='cookie-banner'><p>Vi bruker informasjonskapsler for å gi deg en bedre opplevelse.</p>"
        "<button>Godta alle</button></div><nav><ul><li><a href='/a'>Prosjekter</a></li><li><a href='/b'>Nyheter</a>"
        "</li></ul></nav><main><article><h1>Grønt belte</h1><p>Prosjektet Grønt belte samler sosiale entreprenører i "
        "Trøndelag og Jämtland, og det ledes av Kari Nordmann.</p><h2>Økonomi</h2><p>Budsjettet er 4,2 millioner "
        "kroner over tre år, finansiert av Interreg Aurora og kommunene i regionen.</p></article></main>"
        "<footer><p>© 2025 Nordisk nettverk. Alle rettigheter reservert.</p><a href='/p'>Personvern</a></footer>"
        "</body></html>",
        "utf-8",
    )
    doc = load_document(path, "side.html")
    assert doc.title in ("Grønt belte", "Grønt belte | Nordisk nettverk")
    assert "## Økonomi" in doc.body and "Kari Nordmann" in doc.body
    assert not [marker for marker in ("informasjonskapsler", "Godta", "©", "Prosjekter", "Personvern") if marker in doc.body]


def test_docx_headings_stay_headings(tmp_path: Path):
    import docx

    document = docx.Document()
    document.add_heading("Grønt belte", level=1)
    document.add_paragraph("Prosjektet samler sosiale entreprenører i Trøndelag og Jämtland.")
    document.add_heading("Økonomi", level=2)
    document.add_paragraph("Budsjettet er 4,2 millioner kroner over tre år.")
    document.save(str(tmp_path / "a.docx"))
    doc = load_document(tmp_path / "a.docx", "a.docx")
    assert doc.title == "Grønt belte" and "## Økonomi" in doc.body
    write_docx(tmp_path / "b.docx", "Styret", ["Styret har ansvar for at foretaket drives forsvarlig."])
    assert load_document(tmp_path / "b.docx", "b.docx").title == "Styret"


@pytest.mark.parametrize("line", ["Hopp til hovedinnhold", "Skip to main content", "Hoppa till innehåll", "Meny",
                                  "Startsida › Privatperson › Arbete", "Forside › Prosjekter", "Dela på LinkedIn", "© 2024 Mediehuset AS",
                                  "Godkänn alla", "Nyheter Sport Kultur Debatt Økonomi", "Les mer om personvern",
                                  "Hem / Aktuellt / Interreg Sverige-Norge stöttar tre nya projekt", "Forside / Nyheter",
                                  "Hjem / Prosjekter / Hva er sosialt entreprenørskap?", "Logotyp på utskrifter",
                                  "Dette innholdet er ikke tilgjengelig på språket du har valgt. Vi viser det på Dansk.",
                                  "This page is not available in your language.",
                                  "Til hovedmeny (Alt + m + enter)Til innhold (Alt + c + enter)"])
def test_boilerplate_lines(line: str):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", ["Harry S. Truman", "Hans Thomas Lange Schaanning", "Carlsen vant Norway Chess",
                                  "Kontaktinformasjon til Innovasjon Norge finner du nederst på siden.",
                                  "Grønt belte: sosiale entreprenører på tvers av grensen", "Ja / nei",
                                  "Prosjektet er ikke tilgjengelig for nye deltakere i år, uansett språk og bakgrunn.",
                                  "Tre år / to partnere / en felles plan for grenseregionen",
                                  "Til innhold i denne saken står det mye."])
def test_titles_and_text_are_not_boilerplate(line: str):
    assert not is_boilerplate(line)


def test_a_fact_box_between_the_title_and_the_text_is_kept():
    """A project page: the title and its facts (owner, contact, grant, period), then a stray "In English" link."""
    lines = ["Till innehållet", "Meny", "Startsida > Resultat > Projektbanken", "Framgångsfaktorer för arbete i sociala företag",
             "Projektägare Coompanion Jämtlands län", "Kontaktperson Anna Frestadius", "Beviljat ESF-stöd 666 680 kr",
             "Projektperiod 2014-01-02 till 2014-12-31", "In English", "Sammanfattning",
             "Förstudien vill identifiera framgångsfaktorer för arbete i arbetsintegrerande sociala företag."]
    assert strip_boilerplate(lines) == lines[3:]


def test_boilerplate_inside_the_text_is_kept():
    lines = ["Meny", "Tittel", "Første avsnitt er en hel setning med nok ord til å være tekst.", "Kontakt",
             "Ring oss på telefon 22 00 00 00 mellom klokka ni og fire.", "Del"]
    assert strip_boilerplate(lines) == lines[1:5]


def test_a_fact_box_becomes_label_and_value_lines_of_one_paragraph(tmp_path: Path):
    page = ("Hoppa till innehållet\nMeny\nStartsida > Projekt > Mellersta Norrland\n"
            "Framgångsfaktorer för arbete i sociala företag\n"
            "ProjektägareCoompanion Jämtlands län\nKontaktpersonAnna Exempelsson\nBeviljat ESF-stöd666 680 kr\n"
            "Projektperiod\t2014-01-02 till 2014-12-31\nIn English\nSammanfattning\n"
            "Förstudien vill genom identifiering av framgångsfaktorer få ökad tillämpning av sociala hänsyn.\n")
    doc = saved_page(tmp_path, page, "esf.txt")
    assert doc.title == "Framgångsfaktorer för arbete i sociala företag"
    assert doc.body.startswith("Projektägare: Coompanion Jämtlands län\nKontaktperson: Anna Exempelsson\n"
                               "Beviljat ESF-stöd: 666 680 kr\nProjektperiod: 2014-01-02 till 2014-12-31\n")
    assert "## Sammanfattning" in doc.body and "## Projekt" not in doc.body


def test_lines_after_a_list_lead_in_stay_its_items_not_headings(tmp_path: Path, detector: LanguageDetector):
    """A page saved as text loses its list marks: the names after "Kontaktpersoner är:" are neither headings nor a
    chunk of their own; the next project's name over its paragraph is still a heading."""
    page = ("Meny\nStöttar två nya projekt\n\n"
            "Projektet ägs av Civilisationen som vill stärka arbetsmarknadens effektivitet över gränsen mellan länderna.\n\n"
            "Kontaktpersoner är:\n\n"
            "Tomas Exempel, e-post: tomas@example.org, telefon: +46702000000\n\n"
            "Lars Erik Prov, e-post: lars.erik@example.no, telefon: +4748000000\n\n"
            "Integrerad gränsregion\n\n"
            "Projektets fokus ligger på integration och samarbete inom näringslivet i gränsregionerna efter pandemin.\n")
    doc = saved_page(tmp_path, page, "projekt.txt")
    assert ("Kontaktpersoner är:\nTomas Exempel, e-post: tomas@example.org, telefon: +46702000000\n"
            "Lars Erik Prov, e-post: lars.erik@example.no, telefon: +4748000000\n\n## Integrerad gränsregion") in doc.body
    chunks = to_chunks(doc, detector, max_words=40)
    holding = [c for c in chunks if "Tomas Exempel" in c.text]
    assert len(holding) == 1 and "Kontaktpersoner är:" in holding[0].text and holding[0].lang == "sv"
    assert all("Tomas" not in c.section for c in chunks)


def test_the_breadcrumbs_title_wins_over_a_photos_alternative_text_and_credits_are_dropped(tmp_path: Path):
    page = ("Skip to content\nInvest Stockholm\nNews\nWe use cookies to give you the best experience. Accept\n"
            "Home / News / How this free service supports Stockholm's social entrepreneurs\n"
            "Two people talking at a coworking space in Stockholm\nPhoto: Fond & Fond\n\n"
            "How this free service supports Stockholm’s social entrepreneurs\n\n"
            "Cooperation is a cornerstone of Swedish values and at the heart of everything from business culture.\n\n"
            "Fotograf\nKari Nordmann\n\n"
            "It is here Coompanion steps in with free support to would-be companies run by at least three people.\n")
    doc = saved_page(tmp_path, page, "page.txt")
    assert doc.title == "How this free service supports Stockholm’s social entrepreneurs"
    assert doc.body.startswith("Cooperation is a cornerstone")
    assert "Fotograf" not in doc.body and "Kari Nordmann" not in doc.body and "Fond & Fond" not in doc.body


def test_a_definition_list_saved_as_text_becomes_label_and_value_lines(tmp_path: Path):
    """A project page's facts as a list of labels, each value on the line below (HTML <dl> saved as text)."""
    page = ("Gå til hovedindhold\nMenu\nForside / Projekter / Inklusion gennem partnerskaber\n"
            "Inklusion gennem partnerskaber\n\nInfo om indsatsen\n\n • Startdato\n\n  06.02.2018\n • Slutdato\n\n"
            "  30.09.2022\n • EU-støtte til projektet (kr.)\n\n  17.076.404\n • Finansiering\n\n  Socialfonden\n\n"
            "Projektbeskrivelse\n\nFormålet er at få personer uden tilknytning til arbejdsmarkedet i beskæftigelse via "
            "partnerskaber mellem kommune og virksomhed.\n\n • Første punkt i en almindelig liste\n • Andet punkt\n")
    body = saved_page(tmp_path, page, "projekt.txt").body
    assert ("Startdato: 06.02.2018\nSlutdato: 30.09.2022\nEU-støtte til projektet (kr.): 17.076.404\n"
            "Finansiering: Socialfonden") in body
    assert "• Første punkt i en almindelig liste\n• Andet punkt" in body  # an ordinary list stays a list

    from bot.compose import usable_sentences
    assert "EU-støtte til projektet (kr.): 17.076.404." in usable_sentences(body)
