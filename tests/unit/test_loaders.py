from pathlib import Path

import pytest

from ingest.loaders import LoadError, load_document
from tests.helpers import write_docx, write_pdf


def test_markdown_front_matter(tmp_path: Path):
    path = tmp_path / "m.md"
    path.write_text("---\nid: x-nb\ntitle: Tittel\nkind: module\nmodule: 4\nlang: nb\ncountry: NO\nupdated: 2026-10-01\n---\n## Del\n\nTekst om aksjeselskap her.\n", "utf-8")
    doc = load_document(path, "k/m.md")
    assert (doc.id, doc.title, doc.meta["module"], doc.meta["updated"]) == ("x-nb", "Tittel", 4, "2026-10-01")
    assert doc.body.startswith("## Del")


def test_plain_text_first_line_is_the_title(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("Slik søker du tilskudd\nSkriv søknaden tidlig og les kriteriene nøye.\n", "utf-8")
    doc = load_document(path, "notes.txt")
    assert doc.title == "Slik søker du tilskudd" and doc.id == "notes.txt"


def test_html_keeps_headings_and_drops_scripts(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text("<html lang='sv'><head><title>Moms</title><script>alert(1)</script></head><body><h2>Gräns</h2><p>Momsbefrielse gäller upp till en viss omsättning.</p></body></html>", "utf-8")
    doc = load_document(path, "page.html")
    assert doc.title == "Moms" and doc.meta["lang"] == "sv"
    assert "## Gräns" in doc.body and "alert" not in doc.body


def test_docx_and_pdf(tmp_path: Path):
    write_docx(tmp_path / "a.docx", "Styret", ["Styret har ansvar for at foretaket drives forsvarlig."])
    doc = load_document(tmp_path / "a.docx", "a.docx")
    assert doc.title == "Styret" and "forsvarlig" in doc.body
    write_pdf(tmp_path / "b.pdf", ["Budsjett og likviditet", "Lag et budsjett for hele aret og folg likviditeten."])
    doc = load_document(tmp_path / "b.pdf", "b.pdf")
    assert "likviditeten" in doc.body


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("corrupt.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "DOCX"),
        ("binary.md", b"\x00\x01\x02\x03" * 10, "binary"),
        ("latin1.md", "Søknad om tilskudd til bygdebutikk".encode("latin-1"), "UTF-8"),
        ("empty.md", b"", "empty"),
        ("only-front.md", b"---\ntitle: T\n---\n", "no text"),
        ("bad-yaml.md", b"---\ntitle: [unclosed\n---\nText text text", "YAML"),
        ("bad-kind.md", b"---\nkind: poem\n---\nText text text text", "kind"),
        ("image.png", b"\x89PNG....", "unsupported"),
    ],
)
def test_bad_files_raise_a_clear_reason(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_document(path, name)


def test_front_matter_keeps_only_http_links(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    path = tmp_path / "links.md"
    path.write_text(
        "---\nid: links-nb\ntitle: Lenker\nurl: javascript:alert(1)\n"
        "sources: [' https://www.brreg.no/ ', 'JAVASCRIPT:alert(2)', 'data:text/html,x', 'http://example.org/a',"
        " '/relative']\n"
        "---\nTekst om aksjeselskap og lenker her.\n",
        "utf-8",
    )
    with caplog.at_level("WARNING", logger="ingest.loaders"):
        doc = load_document(path, "k/links.md")
    assert doc.id == "links-nb" and "aksjeselskap" in doc.body  # the document still ingests
    assert doc.meta["url"] is None
    assert doc.meta["sources"] == ["https://www.brreg.no/", "http://example.org/a"]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 4 and all("k/links.md" in w for w in warnings)
    assert any("javascript:alert(1)" in w and "url" in w for w in warnings)


def test_front_matter_http_url_and_single_source_string(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    path = tmp_path / "ok.md"
    path.write_text(
        "---\nurl: https://example.org/moduler/4\nsources: https://www.brreg.no/\n---\nTekst om aksjeselskap her.\n",
        "utf-8",
    )
    with caplog.at_level("WARNING", logger="ingest.loaders"):
        doc = load_document(path, "ok.md")
    assert doc.meta["url"] == "https://example.org/moduler/4" and doc.meta["sources"] == ["https://www.brreg.no/"]
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    empty = tmp_path / "empty-url.md"
    empty.write_text("---\nurl:\n---\nTekst om aksjeselskap her.\n", "utf-8")
    assert load_document(empty, "empty-url.md").meta["url"] is None


def test_front_matter_languages_are_known_codes(tmp_path):
    from ingest.loaders import LoadError, load_document

    path = tmp_path / "a.md"
    path.write_text("---\nid: a\nlang: no\n---\nEn tekst om sosiale foretak i Norge.\n", "utf-8")
    assert load_document(path, "a.md").meta["lang"] == "nb"
    path.write_text("---\nid: a\nlang: de\n---\nEin Text über Sozialunternehmen.\n", "utf-8")
    with pytest.raises(LoadError, match="lang 'de' is not one of nb, nn, sv, en, da"):
        load_document(path, "a.md")
    page = tmp_path / "p.html"
    page.write_text('<html lang="de"><body><h1>Titel</h1><p>Ein Text über Sozialunternehmen und Vereine.</p></body></html>',
                    "utf-8")
    assert "lang" not in load_document(page, "p.html").meta  # detected from the text instead
