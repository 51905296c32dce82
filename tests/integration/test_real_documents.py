"""Pages as staff drop them in, through the real ingest, embedder and assistant: a Danish page answers a Swedish
question (with a note that the source is Danish), a project name reaches a Norwegian page from Swedish, and titles
come from the pages, not from their menus."""

from pathlib import Path

import pytest

from bot.models import Question
from bot.runtime import build_runtime
from tests.conftest import ingest_folder, make_settings

pytestmark = pytest.mark.integration

DANISH_PAGE = """Spring til indhold
Menu
Vi bruger cookies for at forbedre din oplevelse på hjemmesiden.
Accepter alle
Forside › Erhverv › Socialøkonomi
Registrering som socialøkonomisk virksomhed
En socialøkonomisk virksomhed kan registreres som RSV hos Erhvervsstyrelsen. Registreringen er gratis og foregår digitalt.
For at blive registreret skal virksomheden have et socialt formål, drive en væsentlig erhvervsmæssig aktivitet og være uafhængig af det offentlige. Overskuddet skal primært geninvesteres i virksomheden eller gå til sociale formål.
Del siden
Kontakt os
© 2025 Erhvervsstyrelsen
"""

NORWEGIAN_PAGE = """Hopp til innhold
Meny
Forside › Prosjekter
Grønt belte: sosiale entreprenører på tvers av grensen
Prosjektet Grønt belte samler sosiale entreprenører i Trøndelag og Jämtland. Prosjektet ledes av Kari Nordmann ved Inn på tunet Trøndelag, og budsjettet er 4,2 millioner kroner over tre år.
Projektet Gröna bältet samlar sociala företag i Jämtland och Trøndelag. I Sverige samordnas arbetet av Coompanion Jämtland, som ger rådgivning till nya kooperativ.
Del artikkelen
© 2025 Nordisk nettverk
"""


@pytest.fixture()
def runtime(tmp_path: Path, knowledge_copy: Path, embedder, detector):
    pages = knowledge_copy / "pages"
    pages.mkdir()
    (pages / "rsv-dk.txt").write_text(DANISH_PAGE, "utf-8")
    (pages / "gront-belte.txt").write_text(NORWEGIAN_PAGE, "utf-8")
    settings = make_settings(tmp_path / "store", knowledge_dirs=[knowledge_copy])
    _, report = ingest_folder(settings, knowledge_copy, embedder, detector)
    assert not report.errors, report.errors
    rt = build_runtime(settings, embedder)
    yield rt
    rt.close()


def test_a_danish_page_answers_a_swedish_question_with_a_note(runtime):
    answer = runtime.assistant.answer(Question(text="Vad krävs för att registreras som RSV i Danmark?"))
    assert answer.language == "sv" and answer.confident
    assert answer.sources[0].title == "Registrering som socialøkonomisk virksomhed"
    assert "socialt formål" in answer.answer and "(Materialet är på danska.)" in answer.answer


def test_a_project_name_reaches_a_norwegian_page_from_swedish(runtime):
    answer = runtime.assistant.answer(Question(text="Vem är det som leder projektet Grønt belte?"))
    assert answer.language == "sv" and answer.confident
    assert answer.sources[0].title == "Grønt belte: sosiale entreprenører på tvers av grensen"
    assert "Kari Nordmann" in answer.answer
