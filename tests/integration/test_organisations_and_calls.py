"""Organisations attached to real answers, and calls listed from ingested knowledge, on real Chroma and the real
embedder; the ingest's check of a broken organisation directory."""

import datetime as dt
from pathlib import Path

import pytest

from bot.models import Question
from bot.runtime import build_runtime
from tests.conftest import ingest_folder, make_settings

pytestmark = pytest.mark.integration


def test_answers_carry_organisations_that_fit_topic_and_country(runtime):
    norwegian = runtime.assistant.answer(Question("hvor mye aksjekapital trenger et AS"))
    assert norwegian.confident and "brreg" in [o.id for o in norwegian.organisations]
    assert len(norwegian.organisations) <= 2
    brreg = next(o for o in norwegian.organisations if o.id == "brreg")
    assert brreg.url == "https://www.brreg.no/" and brreg.offer.startswith("Registrerer nye foretak")
    swedish = runtime.assistant.answer(Question("hur mycket aktiekapital behöver ett aktiebolag"))
    ids = [o.id for o in swedish.organisations]
    assert "bolagsverket" in ids and "brreg" not in ids
    assert swedish.to_json()["organisations"][0].keys() == {"id", "name", "url", "offer"}


def write_call(folder: Path, doc_id: str, title: str, until: dt.date, lang: str = "nb", rolling: bool = False) -> None:
    (folder / f"{doc_id}.md").write_text(
        f"---\nid: {doc_id}\ntitle: \"{title}\"\nkind: call\nlang: {lang}\ncountry: NO\n"
        f"url: https://example.org/{doc_id}\nvalid_until: {until.isoformat()}\nrolling: {str(rolling).lower()}\n"
        f"sources: [https://example.org/{doc_id}]\n---\n\n## Hva kan du søke om?\n\n"
        f"{title} gir tilskudd til lokale tiltak. Søk innen fristen og les vilkårene nøye.\n",
        encoding="utf-8",
    )


@pytest.fixture()
def calls_runtime(knowledge_copy: Path, tmp_path: Path, embedder, detector):
    today = dt.date.today()
    calls = knowledge_copy / "calls"
    calls.mkdir()
    write_call(calls, "call-village-nb", "Bygdefondet: tilskudd til bygdeutvikling", today + dt.timedelta(days=40))
    write_call(calls, "call-soon-nb", "Inkluderingsfondet: tilskudd til arbeidstrening", today + dt.timedelta(days=5))
    write_call(calls, "call-rolling-nb", "Gründerfondet: oppstartstøtte (løpende)", today + dt.timedelta(days=200),
               rolling=True)
    write_call(calls, "call-gone-nb", "Kystfondet: tilskudd til havnemiljø", today - dt.timedelta(days=3))
    settings = make_settings(tmp_path / "store", knowledge_dirs=[knowledge_copy],
                             database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    _, report = ingest_folder(settings, knowledge_copy, embedder, detector)
    assert report.errors == []
    runtime = build_runtime(settings, embedder)
    yield runtime
    runtime.close()


def test_open_calls_are_listed_soonest_first_and_an_expired_one_never(calls_runtime):
    answer = calls_runtime.assistant.answer(Question("hvilke tilskudd kan jeg søke nå?"))
    assert answer.composer == "calls" and answer.language == "nb"
    titles = [line for line in answer.answer.splitlines() if line.startswith("• ")]
    assert [t.split(" — ")[0] for t in titles] == [
        "• Inkluderingsfondet: tilskudd til arbeidstrening", "• Bygdefondet: tilskudd til bygdeutvikling",
        "• Gründerfondet: oppstartstøtte (løpende)",
    ]
    assert "Kystfondet" not in answer.answer and "løpende, søk når som helst" in titles[2]
    assert [s.id for s in answer.sources] == ["call-soon-nb", "call-village-nb", "call-rolling-nb"]
    # Asked about by name, the expired call is said to be closed; ordinary answers never use it.
    closed = calls_runtime.assistant.answer(Question("kan jeg søke Kystfondet tilskudd til havnemiljø?"))
    assert "«Kystfondet: tilskudd til havnemiljø» stengte" in closed.answer
    other = calls_runtime.assistant.answer(Question("hvor mye aksjekapital trenger et AS"))
    assert all(s.id != "call-gone-nb" for s in other.sources)


def test_ingest_reports_a_broken_organisation_directory(knowledge_copy: Path, tmp_path: Path, embedder, detector):
    (knowledge_copy / "organisations.yaml").write_text(
        "organisations:\n  - id: x\n    name: X\n    kind: agency\n    country: NO\n    topics: [knitting]\n"
        "    languages: [nb]\n    url: https://example.org/\n    source: https://example.org/\n"
        "    offer: {nb: Hei., nn: Hei., sv: Hej.}\n", encoding="utf-8")
    _, report = ingest_folder(make_settings(tmp_path / "store"), knowledge_copy, embedder, detector)
    assert [e["path"] for e in report.errors] == ["knowledge/organisations.yaml"]
    assert "unknown topics ['knitting']" in report.errors[0]["error"] and report.added > 0
