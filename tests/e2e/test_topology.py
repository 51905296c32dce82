"""The production topology on loopback (tests/topology.py): a real PostgreSQL server, `chroma run` on a port and two
`veiviser serve` processes sharing them, started once for this module. What scaling out and faults must not break:
content ingested through one process is answered from by the other, a redelivered update or event is answered once,
a killed process loses no turn it answered with a 200, an outage of Chroma or PostgreSQL gives 503s and then answers
again without a restart, a killed ingest leaves nothing the next one does not complete exactly, and `serve --workers 2`
answers with both workers, counts both in one /metrics scrape and replaces a worker killed with SIGKILL."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import FIXTURES
from tests.platform_requests import slack_mention, telegram_update
from tests.topology import Serve, Topology, post_slack, post_telegram

pytestmark = pytest.mark.e2e
RECOVERY_S = 10.0  # the target: answers again within this long of a dependency coming back
SECONDS = 15.0  # "within seconds": the other process answers from new content (it polls every 0.5 s; the machine
# running the tests may be busy)
QUESTIONS = ("hvor mye aksjekapital trenger et AS", "hur mycket aktiekapital behöver ett aktiebolag",
             "hvordan får vi frivillige til å bli", "hvor kan vi søke om tilskudd")
ANSWERED = QUESTIONS[:3]  # the fixture knowledge holds no grants: the fourth is declined
_ids = itertools.count(int(time.time() * 1000) % 10**9 * 100)


@pytest.fixture(scope="module")
def topology(tmp_path_factory, postgres_server):
    root = tmp_path_factory.mktemp("topology")
    knowledge = root / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", knowledge)
    topo = Topology(root, postgres_server, knowledge, FIXTURES / "mentors.yaml")
    try:
        topo.start()
        report = topo.ingest()
        assert report["added"] == 7 and not report["errors"]
        for serve in topo.serves:  # both follow the content version
            wait_until(lambda s=serve: httpx.get(f"{s.url}/healthz").json()["chunks"] == report["chunks"], 30)
        yield topo
    finally:
        topo.stop()


@pytest.fixture()
def topo(topology):
    topology.ensure_running()
    return topology


def wait_until(condition, seconds: float, step: float = 0.1, what=None):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"not within {seconds} s" + (f": {what()}" if what else "")
        time.sleep(step)


@dataclass
class Reply:
    at: float
    serve: str
    status: int  # 0: no connection
    body: dict = field(default_factory=dict)


class Load:
    """Clients asking over HTTP in threads, round-robin over the given processes, until stopped."""

    def __init__(self, serves, clients: int = 4) -> None:  # noqa: ANN001
        self.serves, self.clients = serves, clients
        self.replies: list[Reply] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)]

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _client(self, number: int) -> None:
        with httpx.Client(timeout=30) as http:
            for turn in itertools.count():
                if self._stop.is_set():
                    return
                serve = self.serves[(number + turn) % len(self.serves)]
                try:
                    response = http.post(f"{serve.url}/api/ask", json={"question": QUESTIONS[turn % len(QUESTIONS)]})
                    reply = Reply(time.monotonic(), serve.name, response.status_code, response.json())
                except (httpx.HTTPError, ValueError):
                    reply = Reply(time.monotonic(), serve.name, 0)
                    time.sleep(0.05)
                self.replies.append(reply)

    def since(self, moment: float, serve: str | None = None) -> list[Reply]:
        return [r for r in list(self.replies) if r.at >= moment and (serve is None or r.serve == serve)]


def recorded_turns(topo: Topology, turn_ids: list[str]) -> set[str]:
    import psycopg

    with psycopg.connect(topo.database_url.replace("postgresql+psycopg", "postgresql")) as connection:
        rows = connection.execute("SELECT id FROM turns WHERE id = ANY(%s)", (turn_ids,)).fetchall()
    return {row[0] for row in rows}


def report_version(serve) -> int:  # noqa: ANN001
    return httpx.get(f"{serve.url}/healthz").json()["content_version"]


def ask(serve, question: str) -> dict:  # noqa: ANN001
    return httpx.post(f"{serve.url}/api/ask", json={"question": question}, timeout=30).json()


# --- the tests ----------------------------------------------------------------------------------------------------

def test_content_ingested_through_one_process_is_answered_from_by_the_other_within_seconds(topo):
    first, second = topo.serves
    (topo.knowledge / "kombucha.md").write_text(
        "---\nid: topology-kombucha\nlang: nb\nkind: article\ncountry: NO\n---\n# Kombuchabryggeriet i Steinkjer\n\n"
        "Kombuchabryggeriet i Steinkjer er et arbeidsintegrerende sosialt foretak som lærer opp ungdom i brygging.\n",
        "utf-8")
    report = topo.ingest(first)
    assert report["added"] == 1 and not report["errors"]
    returned = time.monotonic()
    version = wait_until(lambda: httpx.get(f"{second.url}/healthz").json()["content_version"] == report_version(first)
                         and time.monotonic(), SECONDS, what=lambda: httpx.get(f"{second.url}/healthz").json())
    answer = ask(second, "hva gjør kombuchabryggeriet i Steinkjer")
    assert answer["confident"] and answer["sources"][0]["id"] == "topology-kombucha", answer
    assert "Steinkjer" in answer["answer"] and version - returned < SECONDS


def test_the_same_telegram_update_and_slack_event_posted_to_both_processes_are_answered_once(topo):
    chat, update_id = 7_000_000 + next(_ids) % 1_000_000, next(_ids)
    update = telegram_update(update_id, chat, "hvor mye aksjekapital trenger et AS")
    channel, event_id = f"C{next(_ids)}", f"Ev{next(_ids)}"
    event = slack_mention(event_id, channel, "U0TOPOLOGY", "hur mycket aktiekapital behöver ett aktiebolag")
    with httpx.Client(timeout=30) as http:
        barrier = threading.Barrier(8)

        def deliver(serve, kind: str) -> int:  # noqa: ANN001
            barrier.wait()
            return post_telegram(http, serve, update) if kind == "telegram" else post_slack(http, serve, event)

        threads: list[int] = []
        workers = [threading.Thread(target=lambda s=s, k=k: threads.append(deliver(s, k)))
                   for s in topo.serves for k in ("telegram", "slack") for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    assert threads == [200] * 8
    sent = topo.telegram.wait_for("sendMessage", 1, 30, where=lambda c: int(c["chat_id"]) == chat)
    posted = topo.slack.wait_for("chat.postMessage", 1, 30, where=lambda c: c.get("channel") == channel)
    assert "30 000" in sent[0]["text"] and "aktiekapital" in posted[0]["text"]
    time.sleep(2.0)  # a second answer would have come by now
    assert len([c for c in topo.telegram.calls_of("sendMessage") if int(c["chat_id"]) == chat]) == 1
    assert len([c for c in topo.slack.calls_of("chat.postMessage") if c.get("channel") == channel]) == 1
    hits = sum(float(line.rsplit(" ", 1)[1]) for serve in topo.serves
               for line in httpx.get(f"{serve.url}/metrics").text.splitlines()
               if line.startswith("veiviser_dedupe_hits_total"))
    assert hits >= 6  # 3 of the 4 deliveries of each were recognised as seen


def test_outages_of_chroma_and_postgresql_give_503s_then_answers_again_without_a_restart(topo):
    with Load(topo.serves, clients=2) as load:
        time.sleep(1.0)
        for part, stop, start in (("store", topo.chroma.stop, topo.chroma.start),
                                  ("database", topo.postgres.pause, topo.postgres.resume)):
            stopped = time.monotonic()
            stop()
            try:
                for serve in topo.serves:  # every process notices and says so, in the asker's language
                    down = wait_until(lambda s=serve: [r for r in load.since(stopped, s.name) if r.status == 503], 15)
                    notice = {"nb": "midlertidig utilgjengelig", "sv": "tillfälligt otillgängligt"}[down[0].body["language"]]
                    assert down[0].body["error"] == "unavailable" and notice in down[0].body["detail"]
                    ready = httpx.get(f"{serve.url}/readyz", timeout=10)
                    assert ready.status_code == 503 and ready.json()[part].startswith("down")
                if part == "database":  # the channels give the same short message
                    chat = 7_500_000 + next(_ids) % 1_000_000
                    assert post_telegram(httpx.Client(timeout=30), topo.serves[0],
                                         telegram_update(next(_ids), chat, "hvor mye aksjekapital trenger et AS")) == 200
                    channel = f"C{next(_ids)}"
                    assert post_slack(httpx.Client(timeout=30), topo.serves[1], slack_mention(
                        f"Ev{next(_ids)}", channel, "U0OUTAGE", "hvor mye aksjekapital trenger et AS")) == 200
                    notice = topo.telegram.wait_for("sendMessage", 1, 15, where=lambda c: int(c["chat_id"]) == chat)
                    assert "midlertidig utilgjengelig" in notice[0]["text"]
                    posted = topo.slack.wait_for("chat.postMessage", 1, 15, where=lambda c: c.get("channel") == channel)
                    assert "midlertidig utilgjengelig" in posted[0]["text"]
            finally:
                start()
            back = time.monotonic()
            for serve in topo.serves:
                wait_until(lambda s=serve: [r for r in load.since(back, s.name) if r.status == 200], RECOVERY_S)
    statuses = {r.status for r in load.replies}
    assert statuses <= {200, 503}, f"only answers and 503s, never a 500 or a dropped connection: {statuses}"
    answered = [r.body["turn_id"] for r in load.replies if r.status == 200 and r.body.get("turn_id")]
    assert recorded_turns(topo, answered) == set(answered)
    for serve in topo.serves:
        assert httpx.get(f"{serve.url}/readyz").status_code == 200
        lines = [json.loads(line) for line in serve.log.read_text().splitlines() if line.startswith("{")]
        assert any("database is down" in line["message"] for line in lines)  # JSON logs, one object per line


def test_kill_9_of_an_ingest_then_the_next_ingest_gives_what_a_clean_ingest_gives(topo, tmp_path, embedder, detector):
    from bot.runtime import build_index, open_records
    from ingest.coordinator import IngestCoordinator
    from ingest.pipeline import Ingester
    from tests.conftest import ingest_folder, make_settings

    files = 40  # more than one embedding batch (32), so that the kill lands between two of them
    batch = topo.knowledge / "batch"
    batch.mkdir(exist_ok=True)
    for n in range(files):
        (batch / f"note-{n:02d}.md").write_text(
            f"---\nid: topology-note-{n:02d}\nlang: nb\nkind: article\ncountry: NO\n---\n# Notat {n} om andelslag\n\n"
            f"Andelslag nummer {n} i bygda driver butikk og kafé med {n + 3} frivillige og et styre på fem.\n", "utf-8")
    store = tmp_path / "ingest-store"
    before = count_chunks(topo)
    killed = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", "--json"], cwd=tmp_path,
                              env=topo.env | {"VEIVISER_STORE": str(store)}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    wait_until(lambda: count_chunks(topo) > before or killed.poll() is not None, 120, step=0.05)
    killed.kill()
    killed.wait(timeout=30)
    assert killed.returncode == -9, "the ingest finished before it could be killed"
    partial = count_chunks(topo)
    assert before < partial < before + files

    # The next ingest, as `veiviser ingest` runs it (same host, so the dead holder's lease is taken over at once)
    settings = make_settings(store, chroma_host="127.0.0.1", chroma_port=topo.chroma.port,
                             database_url=topo.database_url, knowledge_dirs=[topo.knowledge])
    records = open_records(settings)
    try:
        report = IngestCoordinator(Ingester(build_index(settings, embedder), detector, records), [topo.knowledge],
                                   leases=records).run().to_json()
    finally:
        records.close()
    assert not report["errors"] and report["added"] >= files - (partial - before)

    clean_settings = make_settings(tmp_path / "clean", knowledge_dirs=[topo.knowledge])
    _, clean = ingest_folder(clean_settings, topo.knowledge, embedder, detector)
    assert report["chunks"] == clean.chunks == count_chunks(topo)

    from bot.models import Question
    from bot.runtime import build_runtime

    clean_runtime = build_runtime(clean_settings, embedder)
    try:
        for question in ("hvor mange frivillige har andelslag nummer 17", *QUESTIONS[:2]):
            expected = clean_runtime.assistant.answer(Question(text=question, channel="web"))
            for serve in topo.serves:
                got = wait_until(lambda s=serve: (a := ask(s, question))["sources"] and
                                 a["sources"][0]["id"] == expected.sources[0].id and a, SECONDS)
                assert got["answer"] == expected.answer
                assert [s["id"] for s in got["sources"]] == [s.id for s in expected.sources]
    finally:
        clean_runtime.close()


def test_kill_9_of_one_process_under_load_loses_no_answered_turn_and_the_other_goes_on(topo):
    victim, survivor = topo.serves
    with Load(topo.serves, clients=4) as load:
        time.sleep(2.0)
        victim.kill9()
        killed = time.monotonic()
        time.sleep(3.0)
    answered = [r.body["turn_id"] for r in load.replies if r.status == 200]
    assert len(answered) > 10 and all(answered)
    assert recorded_turns(topo, answered) == set(answered)  # every 200 carried a turn that is in the database
    after = load.since(killed + 0.5, survivor.name)
    assert after and all(r.status == 200 for r in after)
    assert all(r.status == 0 for r in load.since(killed + 0.5, victim.name))


def count_chunks(topo: Topology) -> int:
    """Chunks in the Chroma server's collections, asked over its HTTP API as an operator would."""
    base = f"http://127.0.0.1:{topo.chroma.port}/api/v2/tenants/default_tenant/databases/default_database/collections"
    with httpx.Client(timeout=10) as http:
        return sum(int(http.get(f"{base}/{c['id']}/count").json()) for c in http.get(base).json())


def worker_pids(serve) -> set[int]:  # noqa: ANN001 - a Serve
    """The worker processes uvicorn's supervisor runs for `serve --workers N` (not multiprocessing's resource tracker)."""
    pid = serve.process.pid
    children = {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    return {c for c in children if b"resource_tracker" not in _cmdline(c)}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # it ended meanwhile
        return b"resource_tracker"


def two_workers(serve, without: int | None = None) -> set[int] | None:  # noqa: ANN001 - a Serve
    """The two worker pids once both run (and `without` is gone), else None."""
    pids = worker_pids(serve)
    return pids if len(pids) == 2 and without not in pids else None


def answers_counted(serve) -> float:  # noqa: ANN001 - a Serve
    """The web answers in one scrape of /metrics (the workers' counts summed in prometheus-client's multiprocess mode)."""
    text = httpx.get(f"{serve.url}/metrics", timeout=10).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("veiviser_answers_total{") and 'channel="web"' in line)


def test_serve_with_two_workers_answers_with_both_counts_both_and_outlives_a_killed_worker(topo):
    serve = Serve("workers", topo.root / "serve-workers" / "store", topo.env, args=("--workers", "2"))
    serve.start()
    try:
        serve.wait_ready()
        workers = wait_until(lambda: two_workers(serve), 60, what=lambda: f"workers {worker_pids(serve)}")
        asked = list(ANSWERED) * 6
        with ThreadPoolExecutor(max_workers=6) as pool:
            replies = list(pool.map(lambda q: ask(serve, q), asked))
        assert all(r["confident"] and r["sources"] for r in replies), [r for r in replies if not r["confident"]]
        assert answers_counted(serve) == len(asked)  # whichever worker answers the scrape counts both

        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        with ThreadPoolExecutor(max_workers=4) as pool:
            after = list(pool.map(lambda q: ask(serve, q), ANSWERED))
        assert all(r["confident"] for r in after), after  # the other worker answers meanwhile
        replaced = wait_until(lambda: two_workers(serve, without=victim), 120,
                              what=lambda: f"workers {worker_pids(serve)}, killed {victim}")
        assert replaced - workers
        serve.wait_ready()
        assert ask(serve, QUESTIONS[0])["confident"]
    finally:
        serve.stop()
