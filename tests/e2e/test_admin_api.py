"""The staff API and the admin forms through HTTP: bearer tokens, CSRF, confined paths, checked uploads, one ingest at
a time, gap groups, the staff channel summary and the watched folder (real runtime, ingest and records)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.admin.auth import new_token
from bot.app import create_app
from bot.models import Answer, Question
from tests.helpers import STAFF_PASSWORD as PASSWORD, add_staff, ingested_runtime, write_pdf

pytestmark = pytest.mark.e2e
ADMIN_TOKEN = "admin-token-for-tests"
STAFF_CHANNEL = "C0STAFF"
ROUTES = [("post", "/admin/api/reingest"), ("post", "/admin/api/files"), ("delete", "/admin/api/files/x.md"),
          ("get", "/admin/api/gaps"), ("get", "/admin/api/feedback"), ("get", "/admin/api/mentor-requests")]


@pytest.fixture(scope="module")
def env(tmp_path_factory, embedder, fake_slack):
    """A writable knowledge folder ingested into its own store, a runtime over it and one staff account."""
    base = tmp_path_factory.mktemp("admin")
    (base / "outside.md").write_text("---\nid: outside\n---\nA secret file outside the knowledge folder.\n")
    with ingested_runtime(base, embedder, admin_token=ADMIN_TOKEN, admin_upload_max_mb=1, slack_bot_token="xoxb-test",
                          slack_api_base_url=fake_slack.base_url, slack_staff_channel=STAFF_CHANNEL,
                          watch_debounce_s=0.3) as (rt, knowledge):
        add_staff(rt, "staff@example.org")
        yield rt, knowledge, base


@pytest.fixture(scope="module")
def client(env):
    rt = env[0]
    with TestClient(create_app(rt.settings, rt)) as test_client:
        yield test_client


AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_staff_route_needs_a_valid_token(client, method, path):
    assert getattr(client, method)(path).status_code == 401
    response = getattr(client, method)(path, headers={"Authorization": "Bearer not-the-token"})
    assert response.status_code == 401 and "ADMIN_TOKEN" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_staff_members_own_token_works_and_a_replaced_one_does_not(client, env):
    rt = env[0]
    first, digest = new_token()
    rt.records.staff.update("staff@example.org", token_digest=digest)
    assert client.get("/admin/api/gaps", headers={"Authorization": f"Bearer {first}"}).status_code == 200
    second, digest = new_token()
    rt.records.staff.update("staff@example.org", token_digest=digest)
    assert client.get("/admin/api/gaps", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get("/admin/api/gaps", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_the_openapi_schema_lists_the_staff_api_and_not_the_pages(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/admin/api/reingest"]) == {"post"}
    assert set(paths["/admin/api/files"]) == {"post"} and "201" in paths["/admin/api/files"]["post"]["responses"]
    assert set(paths["/admin/api/files/{path}"]) == {"delete"}
    assert {"/admin/api/gaps", "/admin/api/feedback", "/admin/api/mentor-requests"} <= set(paths)
    assert not [p for p in paths if p.startswith("/admin") and not p.startswith("/admin/api")]
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"question", "count", "languages", "first_seen", "last_seen"} <= set(schema["GapGroupOut"]["properties"])


def test_upload_then_delete_a_file(client, env):
    rt, knowledge, _ = env
    body = "---\nid: api-upload-nb\ntitle: Opplastet\nlang: nb\n---\nEn kort tekst om opplasting av filer.\n"
    response = client.post("/admin/api/files", headers=AUTH, data={"folder": "articles/nb"},
                           files={"file": ("opplastet.md", body.encode(), "text/markdown")})
    assert response.status_code == 201 and response.json() == {"path": "articles/nb/opplastet.md"}
    assert (knowledge / "articles/nb/opplastet.md").read_text() == body
    assert client.delete("/admin/api/files/articles/nb/opplastet.md", headers=AUTH).status_code == 204
    assert not (knowledge / "articles/nb/opplastet.md").exists()
    assert client.delete("/admin/api/files/articles/nb/opplastet.md", headers=AUTH).status_code == 404


@pytest.mark.parametrize("path", [
    "..%2F..%2Foutside.md", "%2e%2e/outside.md", "modules/..%2F..%2F..%2Foutside.md", "%2Fetc%2Fpasswd",
    "%252e%252e%252foutside.md", "modules%5C..%5C..%5Coutside.md", ".hidden.md",
])
def test_delete_paths_are_confined_to_the_knowledge_folder(client, env, path):
    _, knowledge, base = env
    before = files_in(knowledge)
    response = client.delete(f"/admin/api/files/{path}", headers=AUTH)
    assert response.status_code in (400, 404), response.text
    assert (base / "outside.md").exists() and files_in(knowledge) == before


def test_a_link_out_of_the_folder_is_neither_followed_nor_deleted(client, env):
    _, knowledge, base = env
    link = knowledge / "articles" / "link-out.md"
    link.symlink_to(base / "outside.md")
    try:
        response = client.delete("/admin/api/files/articles/link-out.md", headers=AUTH)
        assert response.status_code == 400 and "outside" in response.json()["detail"]
        response = client.post("/admin/api/files", headers=AUTH, data={"folder": "articles"},
                               files={"file": ("link-out.md", b"# Title\nsome replacement words here", "text/markdown")})
        assert response.status_code in (400, 409)
        assert (base / "outside.md").read_text().startswith("---\nid: outside")
    finally:
        link.unlink()


@pytest.mark.parametrize("folder,name", [("../", "x.md"), ("/tmp", "x.md"), ("%2e%2e", "x.md"), ("a/../..", "x.md"),
                                         ("", "../../x.md"), ("", ".x.md"), ("", "x.exe")])
def test_upload_paths_and_names_are_confined(client, env, folder, name):
    _, knowledge, base = env
    before = files_in(knowledge)
    response = client.post("/admin/api/files", headers=AUTH, data={"folder": folder},
                           files={"file": (name, b"# Title\nsome words to index here", "text/markdown")})
    assert response.status_code in (400, 415), response.text
    assert files_in(knowledge) == before and not (base / "x.md").exists() and not Path("/tmp/x.md").exists()


def test_oversized_and_corrupt_uploads_are_refused_clearly_and_nothing_is_lost(client, env, tmp_path):
    rt, knowledge, _ = env
    before = files_in(knowledge)
    big = b"# Big\n" + b"word " * 300_000  # 1.5 MB, over ADMIN_UPLOAD_MAX_MB=1
    response = client.post("/admin/api/files", headers=AUTH, files={"file": ("big.md", big, "text/markdown")})
    assert response.status_code == 413 and "larger" in response.json()["detail"]
    corrupt = b"%PDF-1.4\n" + bytes(range(256)) * 20
    response = client.post("/admin/api/files", headers=AUTH, files={"file": ("m04-legal-form-nb.pdf", corrupt)})
    assert response.status_code == 422 and "PDF" in response.json()["detail"]
    response = client.post("/admin/api/files", headers=AUTH, data={"folder": "modules/nb"},
                           files={"file": ("m04-legal-form-nb.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00")})
    assert response.status_code == 415 and "binary" in response.json()["detail"]
    response = client.post("/admin/api/files", headers=AUTH, files={"file": ("page.html", b"just words, no markup")})
    assert response.status_code == 415 and "HTML" in response.json()["detail"]
    response = client.post("/admin/api/files", headers=AUTH, files={"file": ("fake.docx", b"PK\x03\x04 not a zip")})
    assert response.status_code == 415 and "Word" in response.json()["detail"]
    assert files_in(knowledge) == before
    assert client.post("/api/ask", json={"question": "Hvilken selskapsform passer for et sosialt foretak?"}).json()[
        "sources"]
    pdf = tmp_path / "real.pdf"
    write_pdf(pdf, ["Frivillige i sosiale foretak trenger tydelige roller og oppfolging."])
    response = client.post("/admin/api/files", headers=AUTH, files={"file": ("real.pdf", pdf.read_bytes())})
    assert response.status_code == 201
    assert client.delete("/admin/api/files/real.pdf", headers=AUTH).status_code == 204


def test_two_concurrent_reingests_one_runs_the_other_gets_409(client, env, fake_slack):
    rt, knowledge, _ = env
    paragraphs = "\n\n".join(f"## Del {i}\nAvsnitt {i} om styring, roller og ansvar i et sosialt foretak nummer {i}."
                             for i in range(120))
    (knowledge / "articles/nb/long.md").write_text(f"---\nid: long-nb\nlang: nb\n---\n# Lang\n{paragraphs}\n")
    fake_slack.clear()
    results: dict[str, object] = {}
    first = threading.Thread(target=lambda: results.update(a=client.post("/admin/api/reingest", headers=AUTH)))
    first.start()
    deadline = time.monotonic() + 10
    while not rt.ingest.running:
        assert time.monotonic() < deadline and first.is_alive(), "the first re-ingest never started"
        time.sleep(0.001)
    second = client.post("/admin/api/reingest", headers=AUTH)
    first.join(60)
    assert second.status_code == 409 and "already running" in second.json()["detail"]
    report = results["a"].json()
    assert results["a"].status_code == 200 and report["added"] == 1 and report["errors"] == []
    posted = fake_slack.wait_for("chat.postMessage", 1, where=lambda c: c["channel"] == STAFF_CHANNEL)
    assert "1 lagt til" in posted[0]["text"] and "ansatt-API-et" in posted[0]["text"]
    (knowledge / "articles/nb/long.md").unlink()
    report = client.post("/admin/api/reingest", headers=AUTH).json()
    assert report["removed"] == 1


def record_uncovered(rt, text: str, lang: str = "nb", channel: str = "web") -> None:
    rt.records.record_turn(Question(text=text, channel=channel, user_id="u"),
                           Answer(text, lang, "-", False, kind="declined"))


def test_gaps_are_grouped_by_similarity_with_counts_languages_and_dates(client, env):
    rt = env[0]
    wordings = ["Hvordan søker jeg om tilskudd fra kommunen?", "hvordan søke tilskudd fra kommunen",
                "Kan jeg få tilskudd fra kommunen min?", "Hvordan søker man støtte fra kommunen?"]
    for i in range(40):
        record_uncovered(rt, wordings[i % 4])
    record_uncovered(rt, "Hur ansöker jag om bidrag från kommunen?", "sv")
    record_uncovered(rt, "Hvordan får jeg tak i parkering i Oslo sentrum?")
    groups = client.get("/admin/api/gaps", headers=AUTH).json()["groups"]
    top = groups[0]
    assert top["count"] == 41 and top["languages"] == ["nb", "sv"] and top["first_seen"] <= top["last_seen"]
    assert any(g["question"].startswith("Hvordan får jeg tak i parkering") and g["count"] == 1 for g in groups)
    assert len(groups) == 2
    only_sv = client.get("/admin/api/gaps?lang=sv", headers=AUTH).json()["groups"]
    assert [g["count"] for g in only_sv] == [1]


def test_feedback_and_mentor_requests_are_listed_with_filters(client, env):
    rt = env[0]
    answer = client.post("/api/ask", json={"question": "Hvilken selskapsform passer for et sosialt foretak?"}).json()
    assert client.post("/api/feedback", json={"turn_id": answer["turn_id"], "helpful": False,
                                              "comment": "for kort"}).status_code == 201
    rows = client.get("/admin/api/feedback?channel=web&lang=nb", headers=AUTH).json()["feedback"]
    assert rows[0]["comment"] == "for kort" and rows[0]["helpful"] is False and rows[0]["sources"]
    assert client.get("/admin/api/feedback?channel=telegram", headers=AUTH).json()["feedback"] == []
    request_id = rt.records.add_mentor_request("telegram", "42", "finansiering", "mentor-1")
    listed = client.get("/admin/api/mentor-requests", headers=AUTH).json()["requests"]
    assert [r["status"] for r in listed if r["id"] == request_id] == ["new"]
    assert client.get("/admin/api/mentor-requests?status=bogus", headers=AUTH).status_code == 422


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_forms_need_the_sessions_csrf_token(env):
    rt = env[0]
    with TestClient(create_app(rt.settings, rt)) as browser:
        page = browser.get("/admin/login")
        token = csrf_of(page.text)
        refused = browser.post("/admin/login", data={"email": "staff@example.org", "password": PASSWORD})
        assert refused.status_code == 403 and "Skjemaet er utløpt" in refused.text
        wrong = browser.post("/admin/login", data={"email": "staff@example.org", "password": PASSWORD, "csrf": "x"})
        assert wrong.status_code == 403
        signed_in = browser.post("/admin/login", data={"email": "staff@example.org", "password": PASSWORD,
                                                       "csrf": token}, follow_redirects=False)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/admin"
        before = files_in(env[1])
        for path, data in (("/admin/content/reingest", {}), ("/admin/content/delete", {"path": "modules/nb/m04-legal-form-nb.md"}),
                           ("/admin/gaps/handled", {"ids": "1,2,3"}), ("/admin/logout", {})):
            response = browser.post(path, data=data | {"csrf": token})  # the token from before the login
            assert response.status_code == 403, path
        assert files_in(env[1]) == before
        fresh = csrf_of(browser.get("/admin/content").text)
        assert browser.post("/admin/content/delete", data={"path": "../outside.md", "csrf": fresh}).status_code == 400
        request_id = rt.records.add_mentor_request("slack", "U1", "styre", "mentor-1")
        assert f'data-request="{request_id}"' in browser.get("/admin/mentor-requests").text
        moved = browser.post(f"/admin/mentor-requests/{request_id}", data={"status": "contacted", "csrf": fresh},
                             follow_redirects=False)
        assert moved.status_code == 303
        assert [r["status"] for r in rt.records.mentor_requests(status="contacted") if r["id"] == request_id]
        assert browser.post(f"/admin/mentor-requests/{request_id}", data={"status": "lost", "csrf": fresh}
                            ).status_code == 404
    with TestClient(create_app(rt.settings, rt)) as stranger:
        assert stranger.get("/admin/content", follow_redirects=False).headers["location"].startswith("/admin/login")
        assert stranger.get("/admin/gaps.csv", follow_redirects=False).status_code == 303


def test_the_watched_folder_reingests_a_saved_file_by_itself(env, fake_slack):
    rt, knowledge, _ = env
    settings = rt.settings.model_copy(update={"watch_knowledge": True})
    with TestClient(create_app(settings, rt)) as watching:
        time.sleep(0.5)  # the watcher is up
        fake_slack.clear()
        (knowledge / "articles/nb/watched.md").write_text(
            "---\nid: watched-nb\nlang: nb\n---\n# Vaktbikkje\nVaktbikkjeordningen gir gratis regnskapshjelp.\n")
        deadline = time.monotonic() + 30
        while "watched-nb" not in rt.live.current().documents:
            assert time.monotonic() < deadline, "the saved file did not reach the answers"
            time.sleep(0.1)
        posted = fake_slack.wait_for("chat.postMessage", 1, where=lambda c: c["channel"] == STAFF_CHANNEL)
        assert "overvåket mappe" in posted[0]["text"]
        (knowledge / "articles/nb/watched.md").unlink()
        deadline = time.monotonic() + 30
        while "watched-nb" in rt.live.current().documents:
            assert time.monotonic() < deadline, "the deleted file stayed in the answers"
            time.sleep(0.1)
        assert watching.get("/healthz").status_code == 200


def test_sign_in_attempts_are_limited(env):
    rt = env[0]
    with TestClient(create_app(rt.settings, rt)) as browser:
        token = csrf_of(browser.get("/admin/login").text)
        statuses = [browser.post("/admin/login", data={"email": "guess@example.org", "password": f"guess {i}",
                                                       "csrf": token}).status_code for i in range(7)]
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
        refused = browser.post("/admin/login", data={"email": "staff@example.org", "password": PASSWORD, "csrf": token})
        assert refused.status_code == 429 and "Vent" in refused.text and int(refused.headers["retry-after"]) >= 1
