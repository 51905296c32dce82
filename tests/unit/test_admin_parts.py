"""Pure parts of the admin side: confined paths, uploads judged by content, gap groups and CSV, SVG charts,
the ingest summary."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import pytest

from bot.admin.charts import bars, stacked_bars
from bot.admin.files import FileProblem, confine, save_upload, sniff
from bot.admin.gaps import GapGrouper, groups_csv
from bot.admin.summary import summary
from bot.i18n import Translator


@pytest.mark.parametrize("path", ["", "..", "../x.md", "a/../../x.md", "/etc/passwd", "C:/x.md", "a\\..\\x.md",
                                  "%2e%2e/x.md", "a/%2F/x", ".git/config", "a/.hidden/x.md", "a/./x.md", "x\x00.md"])
def test_paths_outside_or_odd_are_refused(tmp_path, path):
    with pytest.raises(FileProblem) as refused:
        confine(tmp_path, path)
    assert refused.value.status == 400


def test_plain_paths_stay_inside_and_links_out_are_refused(tmp_path):
    root = tmp_path / "knowledge"
    (root / "modules").mkdir(parents=True)
    assert confine(root, "modules/nb/x.md") == root.resolve() / "modules/nb/x.md"
    (root / "modules" / "out").symlink_to(tmp_path)
    with pytest.raises(FileProblem, match="outside"):
        confine(root, "modules/out/secret.md")


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize("name,data,ok", [
    ("a.md", "# Tittel\nlitt tekst".encode(), True),
    ("a.txt", "Tittel\nlitt tekst".encode(), True),
    ("a.pdf", b"%PDF-1.4 ...", True),
    ("a.docx", docx_bytes(), True),
    ("a.html", b"<!doctype html><p>x</p>", True),
    ("a.md", b"\x89PNG\r\n\x1a\n\x00\x00", False),
    ("a.md", "latin-1 tekst æøå".encode("latin-1"), False),
    ("a.pdf", b"<html>not a pdf</html>", False),
    ("a.docx", b"PK\x03\x04garbage", False),
    ("a.html", b"no markup at all", False),
    ("a.exe", b"MZ", False),
    ("a.md", b"", False),
])
def test_uploads_are_judged_by_content(name, data, ok):
    if ok:
        sniff(name, data)
    else:
        with pytest.raises(FileProblem):
            sniff(name, data)


def test_a_corrupt_upload_replaces_nothing(tmp_path):
    (tmp_path / "m.pdf").write_bytes(b"the good old file")
    with pytest.raises(FileProblem, match="cannot be used"):
        save_upload(tmp_path, "", "m.pdf", b"%PDF-1.4\n garbage", 1_000_000)
    assert (tmp_path / "m.pdf").read_bytes() == b"the good old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pdf"]
    with pytest.raises(FileProblem) as too_big:
        save_upload(tmp_path, "", "n.md", b"# x\n" + b"y " * 100, 50)
    assert too_big.value.status == 413


def fake_embed(texts):
    """Each text's vector is its topic's (the first word) plus a little of its own, normalised."""
    rng = {t: np.random.default_rng(abs(hash(t)) % 2**32) for t in texts}
    topics = {"funding": 0, "parking": 1, "volunteers": 2}
    vectors = []
    for text in texts:
        base = np.zeros(8)
        base[topics[text.split()[0].lower()]] = 1.0
        vectors.append(base + 0.05 * rng[text].standard_normal(8))
    vectors = np.array(vectors)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_gaps_group_wordings_count_rows_and_keep_the_span():
    day = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    rows = [{"id": i, "created_at": day + dt.timedelta(hours=i), "language": "sv" if i == 7 else "nb",
             "question": q} for i, q in enumerate(
        ["Funding from the municipality?", "funding from the municipality", "Funding, from the municipality!!",
         "Funding grants for starters", "Parking downtown?", "Volunteers and insurance", "Funding for a café",
         "funding municipal grants"])]
    grouper = GapGrouper(fake_embed)
    groups = grouper.group(rows)
    assert [g.count for g in groups] == [6, 1, 1]
    top = groups[0]
    assert top.question == "Funding from the municipality?" and top.languages == ["nb", "sv"]
    assert top.first_seen == day and top.last_seen == day + dt.timedelta(hours=7)
    assert sorted(top.ids) == [0, 1, 2, 3, 6, 7]
    csv_text = groups_csv(groups + [type(top)("=HYPERLINK(1)", 1, ["nb"], day, day)])
    assert csv_text.splitlines()[0] == "question,count,languages,first_seen,last_seen,variants"
    assert "'=HYPERLINK(1)" in csv_text


def test_charts_are_svg_without_script_or_style_and_escape_labels():
    svg = stacked_bars("Per day", [("01.12", {"web": 3, "slack": 1}), ("02.12", {"web": 2})], ["web", "slack"], "none")
    assert svg.startswith("<svg") and svg.count("<rect") >= 3 + 2
    labelled = bars("Top", [("<script>x</script>", 5), ("B", 2)], "none")
    for chart in (svg, labelled):
        assert "<script" not in chart and "style=" not in chart
    assert "&lt;script&gt;" in labelled
    assert "none" in bars("Empty", [], "none")


def test_the_ingest_summary_names_counts_and_bad_files_in_the_staff_language():
    report = {"added": 1, "updated": 2, "removed": 0, "unchanged": 9, "chunks": 40,
              "errors": [{"path": "knowledge/x.pdf", "error": "corrupt PDF"}]}
    text = summary(report, Translator(), "sv", "slack")
    assert text.startswith("Ny inläsning (Slack): 1 tillagda, 2 uppdaterade, 0 borttagna, 9 oförändrade; 40")
    assert "knowledge/x.pdf: corrupt PDF" in text
