"""`Records` on both backends: SQLite in a temporary folder and a real PostgreSQL server (tests/conftest.py)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.models import Answer, Question, Source
from bot.records import HistoryTurn, Records, UnknownMentorRequest, UnknownTurn
from bot.records.engine import make_engine
from bot.records.migrate import current_revision, head_revision, upgrade
from bot.records.schema import Base

pytestmark = pytest.mark.integration

TABLES = {"turns", "feedback", "history", "unanswered", "deliveries", "mentor_requests", "preferences",
          "content_versions", "leases", "staff", "alembic_version"}


class FakeClock:
    """An injectable `now`: a fixed UTC moment that tests move forward."""

    def __init__(self) -> None:
        self.at = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(scope="session")
def migrated_postgres_template(postgres_server) -> str:
    """A PostgreSQL database brought to head by the migrations once, which tests copy (CREATE DATABASE ... TEMPLATE)."""
    name = postgres_server.create_database()
    Records.open(postgres_server.url(name)).close()
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def records_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A fresh database per test; on PostgreSQL a copy of the migrated template (migrating takes longer)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records' / 'veiviser.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    name = server.create_database(template=request.getfixturevalue("migrated_postgres_template"))
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A fresh, empty database per test (no tables yet), for the migration tests."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records' / 'veiviser.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def records(records_url: str, clock: FakeClock):
    store = Records.open(records_url, history_turns=3, history_ttl_s=600, now=clock)
    yield store
    store.close()


def ask(text: str, channel: str = "telegram", user: str = "u1", conversation: str = "") -> Question:
    return Question(text=text, channel=channel, user_id=user, conversation_id=conversation)


def reply(text: str, language: str = "nb", confident: bool = True, kind: str = "answer") -> Answer:
    sources = [Source("m04-legal-form-nb", "Selskapsform", "m04.md", None, "4", 0.9),
               Source("faq", "FAQ", "f.md", None, None, 0.5)]
    return Answer(question="?", language=language, answer=text, confident=confident, sources=sources, kind=kind,
                  composer="llm:test")


# turns and unanswered questions -------------------------------------------------------------------------------


def test_tokens_and_the_condensed_question_are_recorded_and_summed_per_person_and_day(records: Records,
                                                                                   clock: FakeClock) -> None:
    from dataclasses import replace

    spent = replace(reply("svar"), prompt_tokens=300, completion_tokens=45, condensed="Hvordan starter jeg et AB i Sverige?")
    first = records.record_turn(ask("og i Sverige?", user="u1", conversation="c1"), spent)
    records.record_turn(ask("noe annet", user="u2", conversation="c2"), replace(spent, condensed=None))
    stored = records.turn(first)
    assert stored["condensed"].endswith("AB i Sverige?") and stored["prompt_tokens"] == 300
    day = clock.at - timedelta(hours=1)
    assert records.tokens_used(day) == 690
    assert records.tokens_used(day, channel="telegram", user_id="u1") == 345
    assert records.tokens_used(day, channel="telegram", conversation_id="c2") == 345
    assert records.tokens_used(clock.at + timedelta(seconds=1)) == 0


def test_turn_ids_are_unique_and_carry_the_turn(records: Records, clock: FakeClock) -> None:
    ids = [records.record_turn(ask(f"spørsmål {i}", conversation="c1"), reply(f"svar {i}")) for i in range(12)]
    assert len(set(ids)) == 12 and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    turn = records.turn(ids[3])
    assert turn == {
        "id": ids[3], "created_at": clock.at, "channel": "telegram", "user_id": "u1", "conversation_id": "c1",
        "language": "nb", "question": "spørsmål 3", "answer": "svar 3", "confident": True, "kind": "answer",
        "composer": "llm:test", "sources": ["m04-legal-form-nb", "faq"], "feedback": None, "request_id": None,
        "condensed": None, "prompt_tokens": 0, "completion_tokens": 0,
    }
    assert turn["created_at"].tzinfo == timezone.utc
    assert records.turn("0" * 32) is None


def test_uncovered_questions_are_kept_for_staff_newest_first(records: Records, clock: FakeClock) -> None:
    records.record_turn(ask("dekket"), reply("ja"))
    records.record_turn(ask("småprat"), reply("hei", confident=False, kind="smalltalk"))
    clock.advance(seconds=1)
    records.record_turn(ask("avslått", channel="slack"), reply("vet ikke", kind="declined", confident=False))
    clock.advance(seconds=1)
    records.record_turn(ask("usikker"), reply("kanskje", language="sv", confident=False))
    rows = records.unanswered()
    assert rows == [
        {"ts": clock.at, "channel": "telegram", "language": "sv", "question": "usikker"},
        {"ts": clock.at - timedelta(seconds=1), "channel": "slack", "language": "nb", "question": "avslått"},
    ]
    assert records.unanswered(limit=1) == rows[:1]


# feedback -----------------------------------------------------------------------------------------------------


def test_feedback_is_one_row_per_turn_and_unknown_turns_raise(records: Records, clock: FakeClock) -> None:
    turn_id = records.record_turn(ask("q"), reply("a"))
    records.add_feedback(turn_id, True, "bra")
    assert records.turn(turn_id)["feedback"] == {"helpful": True, "comment": "bra", "at": clock.at}
    clock.advance(seconds=5)
    records.add_feedback(turn_id, False, "x" * 5000)
    assert records.turn(turn_id)["feedback"] == {"helpful": False, "comment": "x" * 2000, "at": clock.at}
    assert records.counts()["feedback"] == 1
    with pytest.raises(UnknownTurn) as raised:
        records.add_feedback("f" * 32, True)
    assert isinstance(raised.value, KeyError)


# history ------------------------------------------------------------------------------------------------------


def test_history_is_per_conversation_bounded_and_oldest_first(records: Records, clock: FakeClock) -> None:
    ids = []
    for i in range(5):
        ids.append(records.record_turn(ask(f"q{i}", conversation="c1"), reply(f"a{i}", language="nn")))
        clock.advance(seconds=10)
    records.record_turn(ask("other", conversation="c2"), reply("x"))
    records.record_turn(ask("other channel", channel="slack", conversation="c1"), reply("y"))
    records.record_turn(ask("no conversation"), reply("z"))

    history = records.history("telegram", "c1")  # history_turns=3 keeps the three latest
    assert [h.question for h in history] == ["q2", "q3", "q4"]
    assert history[-1] == HistoryTurn(question="q4", answer="a4", language="nn", turn_id=ids[4],
                                      at=datetime(2026, 3, 1, 12, 0, 40, tzinfo=timezone.utc))
    assert [h.question for h in records.history("telegram", "c1", limit=2)] == ["q3", "q4"]
    assert [h.question for h in records.history("slack", "c1")] == ["other channel"]
    assert records.history("telegram", "") == [] and records.history("telegram", "nope") == []
    assert records.counts()["history"] == 5  # 3 + 1 + 1: trimmed when written


def test_history_expires_after_its_ttl(records: Records, clock: FakeClock) -> None:
    records.record_turn(ask("gammel", conversation="c1"), reply("a"))
    clock.advance(seconds=599)
    assert [h.question for h in records.history("telegram", "c1")] == ["gammel"]
    clock.advance(seconds=2)
    assert records.history("telegram", "c1") == []
    records.record_turn(ask("ny", conversation="c1"), reply("b"))
    assert [h.question for h in records.history("telegram", "c1")] == ["ny"]
    assert records.counts()["history"] == 1  # the expired entry went when the new one was written


def test_last_language_is_the_conversations_latest(records: Records, clock: FakeClock) -> None:
    assert records.last_language("telegram", "c1") is None
    records.record_turn(ask("q", conversation="c1"), reply("a", language="nn"))
    clock.advance(seconds=1)
    records.record_turn(ask("q", conversation="c1"), reply("a", language="sv"))
    records.record_turn(ask("q", channel="slack", conversation="c1"), reply("a", language="da"))
    assert records.last_language("telegram", "c1") == "sv"
    assert records.last_language("slack", "c1") == "da"
    assert records.last_language("telegram", "") is None


# deliveries, content versions, leases ------------------------------------------------------------------------


def test_a_delivery_is_claimed_once_across_threads(records: Records) -> None:
    barrier = threading.Barrier(8)

    def claim(_: int) -> bool:
        barrier.wait()
        return records.claim_delivery("telegram", "update-42")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(claim, range(8)))
    assert results.count(True) == 1
    assert records.claim_delivery("slack", "update-42") is True  # per channel
    assert records.claim_delivery("telegram", "update-42") is False


def _in_processes(count: int, work, *args):  # noqa: ANN001, ANN202
    """Run `work(barrier, *args)` in `count` forked processes at once; returns their results."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(count), context.Queue()
    processes = [context.Process(target=_report_to, args=(results, work, barrier, *args)) for _ in range(count)]
    for process in processes:
        process.start()
    try:
        outcomes = [results.get(timeout=60) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=10)
    failures = [o for o in outcomes if isinstance(o, str) and o.startswith("error: ")]
    assert not failures, failures
    return outcomes


def _report_to(results, work, barrier, *args) -> None:  # noqa: ANN001
    try:
        results.put(work(barrier, *args))
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        results.put(f"error: {exc!r}")


def _claim_many(barrier, url: str, count: int) -> list[str]:  # noqa: ANN001
    """In a separate process: claim deliveries 0..count-1, return the ones this process won."""
    records = Records.open(url)
    try:
        barrier.wait(timeout=30)
        return [str(i) for i in range(count) if records.claim_delivery("slack", str(i))]
    finally:
        records.close()


def test_deliveries_are_claimed_once_across_processes(records: Records, records_url: str) -> None:
    won = _in_processes(3, _claim_many, records_url, 40)
    assert sorted(sum(won, []), key=int) == [str(i) for i in range(40)]
    assert sum(len(w) for w in won) == 40  # no delivery won twice


def test_many_threads_record_turns_and_feedback_at_once(records: Records) -> None:
    def converse(worker: int) -> list[str]:
        ids = []
        for i in range(8):
            ids.append(records.record_turn(ask(f"q{i}", user=f"u{worker}", conversation=f"c{worker}"),
                                           reply("a", confident=i % 2 == 0)))
            records.add_feedback(ids[-1], True)
            records.history("telegram", f"c{worker}")
        return ids

    with ThreadPoolExecutor(8) as pool:
        ids = [i for batch in pool.map(converse, range(8)) for i in batch]
    assert len(set(ids)) == 64
    assert records.counts() == {"turns": 64, "feedback": 64, "history": 24, "unanswered": 32, "mentor_requests": 0,
                                "preferences": 0}


def test_content_version_bumps_are_atomic_across_threads(records: Records) -> None:
    assert records.content_version("knowledge") == 0

    def bump(_: int) -> list[int]:
        return [records.bump_content_version("knowledge") for _ in range(5)]

    with ThreadPoolExecutor(6) as pool:
        per_thread = list(pool.map(bump, range(6)))
    assert sorted(v for values in per_thread for v in values) == list(range(1, 31))
    assert all(values == sorted(values) for values in per_thread)
    assert records.content_version("knowledge") == 30 and records.content_version("other") == 0


def test_lease_is_held_by_one_holder_until_released_or_expired(records: Records, clock: FakeClock) -> None:
    assert records.acquire_lease("ingest", "host-a", ttl_s=60)
    assert not records.acquire_lease("ingest", "host-b", ttl_s=60)
    clock.advance(seconds=50)
    assert records.acquire_lease("ingest", "host-a", ttl_s=60)  # renewed: now valid until +110 s
    clock.advance(seconds=50)
    assert not records.acquire_lease("ingest", "host-b", ttl_s=60)
    clock.advance(seconds=11)
    assert records.acquire_lease("ingest", "host-b", ttl_s=60)  # expired: taken over
    assert not records.acquire_lease("ingest", "host-a", ttl_s=60)
    records.release_lease("ingest", "host-a")  # not the holder: no effect
    assert not records.acquire_lease("ingest", "host-a", ttl_s=60)
    records.release_lease("ingest", "host-b")
    assert records.acquire_lease("ingest", "host-a", ttl_s=60)
    assert records.acquire_lease("other", "host-b", ttl_s=60)


# mentor requests and preferences --------------------------------------------------------------------------------


def test_mentor_requests_move_through_their_statuses(records: Records, clock: FakeClock) -> None:
    turn_id = records.record_turn(ask("q"), reply("a"))
    first = records.add_mentor_request("telegram", "u1", "finansiering", "kari", turn_id=turn_id,
                                       summary="trenger lån")
    clock.advance(seconds=1)
    second = records.add_mentor_request("slack", "U9", "selskapsform", "sven")
    assert first != second
    rows = records.mentor_requests()
    assert [r["id"] for r in rows] == [second, first]
    assert rows[1] == {"id": first, "created_at": clock.at - timedelta(seconds=1),
                       "updated_at": clock.at - timedelta(seconds=1), "channel": "telegram", "user_id": "u1",
                       "topic": "finansiering", "mentor_id": "kari", "turn_id": turn_id, "summary": "trenger lån",
                       "status": "new"}
    records.set_mentor_request_status(first, "contacted")
    assert [r["id"] for r in records.mentor_requests(status="contacted")] == [first]
    assert [r["id"] for r in records.mentor_requests(channel="slack", user_id="U9", status="new")] == [second]
    assert records.mentor_requests(channel="slack", user_id="u1") == []
    with pytest.raises(ValueError):
        records.set_mentor_request_status(first, "lost")
    with pytest.raises(UnknownMentorRequest):
        records.set_mentor_request_status("0" * 32, "done")
    assert records.add_mentor_request("web", "w1", "t", "m", turn_id="gone")  # a vanished turn is not linked


def test_language_preference_per_person_and_channel(records: Records) -> None:
    assert records.preferred_language("telegram", "u1") is None
    records.set_language("telegram", "u1", "nn")
    records.set_language("slack", "u1", "sv")
    records.set_language("telegram", "u1", "nb")
    assert records.preferred_language("telegram", "u1") == "nb"
    assert records.preferred_language("slack", "u1") == "sv"
    records.set_language("telegram", "u1", None)
    assert records.preferred_language("telegram", "u1") is None


# privacy ------------------------------------------------------------------------------------------------------


def test_purge_deletes_old_turns_with_everything_hanging_off_them(records: Records, clock: FakeClock) -> None:
    old = records.record_turn(ask("gammel", conversation="c0"), reply("a", kind="declined", confident=False))
    records.add_feedback(old, True)
    request = records.add_mentor_request("telegram", "u1", "t", "kari", turn_id=old)
    records.claim_delivery("telegram", "1")
    clock.advance(days=40)
    new = records.record_turn(ask("ny", conversation="c1"), reply("b", kind="declined", confident=False))
    records.add_feedback(new, False)
    assert records.purge(30) == {"turns": 1, "feedback": 1, "history": 1, "unanswered": 1, "deliveries": 1}
    assert records.turn(old) is None and records.turn(new) is not None
    assert [u["question"] for u in records.unanswered()] == ["ny"]
    assert [r["turn_id"] for r in records.mentor_requests()] == [None] and records.mentor_requests()[0]["id"] == request
    assert records.purge(30) == {"turns": 0, "feedback": 0, "history": 0, "unanswered": 0, "deliveries": 0}


def test_forget_removes_one_person_and_nothing_else(records: Records) -> None:
    def person(channel: str, user: str) -> str:
        turn_id = records.record_turn(ask("q", channel, user, conversation=f"{channel}-{user}"),
                                      reply("a", kind="declined", confident=False))
        records.add_feedback(turn_id, True)
        records.add_mentor_request(channel, user, "t", "kari", turn_id=turn_id)
        records.set_language(channel, user, "nn")
        return turn_id

    gone, same_user_elsewhere, someone_else = person("telegram", "u1"), person("slack", "u1"), person("telegram", "u2")
    records.record_turn(ask("again", "telegram", "u1", conversation="telegram-u1"), reply("b"))
    records.claim_delivery("telegram", "7")
    before = records.counts()
    counts = records.forget("telegram", "u1")
    assert counts == {"turns": 2, "feedback": 1, "history": 2, "unanswered": 1, "mentor_requests": 1, "preferences": 1}
    assert records.turn(gone) is None
    assert records.history("telegram", "telegram-u1") == [] and records.preferred_language("telegram", "u1") is None
    assert records.mentor_requests(channel="telegram", user_id="u1") == []
    for kept in (same_user_elsewhere, someone_else):
        assert records.turn(kept)["feedback"] is not None
    assert records.preferred_language("slack", "u1") == "nn" and records.preferred_language("telegram", "u2") == "nn"
    assert {k: before[k] - v for k, v in records.counts().items()} == counts
    assert records.claim_delivery("telegram", "7") is False  # deliveries are anonymous and stay
    assert records.forget("telegram", "u1") == dict.fromkeys(counts, 0)


# operations and migrations ----------------------------------------------------------------------------------------


def test_ping(records: Records) -> None:
    assert records.ping() is True


def test_ping_is_false_when_the_database_does_not_answer(tmp_path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe closes
    unreachable = Records(make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/none"))
    assert unreachable.ping() is False
    unreachable.close()


def test_migrations_create_the_schema_and_rerun_as_no_ops(empty_database_url: str) -> None:
    from alembic.autogenerate import compare_metadata

    records = Records.open(empty_database_url)
    engine = records.engine
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == TABLES
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    turn_id = records.record_turn(ask("q"), reply("a"))
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision() and records.turn(turn_id) is not None
    records.close()


def _open_and_report(barrier, url: str) -> str | None:  # noqa: ANN001
    barrier.wait(timeout=30)
    records = Records.open(url)
    try:
        return current_revision(records.engine)
    finally:
        records.close()


def test_several_processes_may_migrate_a_new_database_at_once(empty_database_url: str) -> None:
    assert _in_processes(3, _open_and_report, empty_database_url) == [head_revision()] * 3


LEGACY_SCHEMA = """
CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, channel TEXT NOT NULL,
    user_id TEXT NOT NULL, conversation_id TEXT NOT NULL, language TEXT NOT NULL, question TEXT NOT NULL,
    answer TEXT NOT NULL, confident INTEGER NOT NULL, kind TEXT NOT NULL, sources TEXT NOT NULL);
CREATE INDEX turns_conversation ON turns (conversation_id, ts);
CREATE TABLE unanswered (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, turn_id INTEGER REFERENCES turns(id),
    channel TEXT NOT NULL, language TEXT NOT NULL, question TEXT NOT NULL);
CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL,
    turn_id INTEGER NOT NULL REFERENCES turns(id), helpful INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '');
INSERT INTO turns VALUES (1, 1767225600.25, 'cli', '', 'c1', 'nb', 'hva koster det', 'svar', 1, 'answer', '["m04"]');
INSERT INTO turns VALUES (2, 1767225660.0, 'web', 'w1', '', 'sv', 'okänd fråga', 'vet ej', 0, 'declined', '[]');
INSERT INTO unanswered VALUES (1, 1767225660.0, 2, 'web', 'sv', 'okänd fråga');
INSERT INTO feedback VALUES (1, 1767225601.0, 1, 0, 'first');
INSERT INTO feedback VALUES (2, 1767225602.0, 1, 1, 'second');
"""


def test_a_legacy_sqlite_store_is_upgraded_and_its_rows_kept(tmp_path) -> None:
    path = tmp_path / "veiviser.sqlite3"
    with sqlite3.connect(path) as legacy:
        legacy.executescript(LEGACY_SCHEMA)
    records = Records.open(f"sqlite:///{path}")
    try:
        assert {"legacy_turns", "legacy_unanswered", "legacy_feedback"} < set(inspect(records.engine).get_table_names())
        turn = records.turn("legacy-1")
        assert turn["question"] == "hva koster det" and turn["sources"] == ["m04"] and turn["confident"] is True
        assert turn["created_at"] == datetime(2026, 1, 1, 0, 0, 0, 250000, tzinfo=timezone.utc)
        assert turn["feedback"]["comment"] == "second" and turn["feedback"]["helpful"] is True
        assert records.unanswered() == [{"ts": datetime(2026, 1, 1, 0, 1, tzinfo=timezone.utc), "channel": "web",
                                         "language": "sv", "question": "okänd fråga"}]
        records.add_feedback("legacy-2", True)
        assert records.forget("web", "w1")["turns"] == 1
    finally:
        records.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM legacy_turns").fetchone() == (2,)
    again = Records.open(f"sqlite:///{path}")  # a second start changes nothing
    assert current_revision(again.engine) == head_revision() and again.turn("legacy-1") is not None
    again.close()


def test_the_password_is_never_logged(empty_database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    url = empty_database_url.replace("postgres@", "postgres:s3cret@")  # trust auth ignores it
    with caplog.at_level("DEBUG"):
        Records.open(url).close()
    assert "records database" in caplog.text and "s3cret" not in caplog.text


def test_forget_and_purge_commands(tmp_path, capsys: pytest.CaptureFixture) -> None:
    import argparse
    import json

    from bot.records.cli_commands import add_parsers
    from tests.conftest import make_settings

    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))
    settings = make_settings(tmp_path, retention_days=0)
    records = Records.open(settings.database_url_resolved)
    records.record_turn(ask("q", "telegram", "u1", conversation="c"), reply("a"))
    records.set_language("telegram", "u1", "nn")
    records.close()

    args = parser.parse_args(["forget", "--channel", "telegram", "--user", "u1", "--json"])
    assert args.func(args, settings) == 0
    assert json.loads(capsys.readouterr().out) == {"turns": 1, "feedback": 0, "history": 1, "unanswered": 0,
                                                   "mentor_requests": 0, "preferences": 1}
    args = parser.parse_args(["purge"])
    assert args.func(args, settings) == 0 and "kept forever" in capsys.readouterr().out
    args = parser.parse_args(["purge", "--days", "30", "--json"])
    assert args.func(args, settings) == 0 and json.loads(capsys.readouterr().out)["turns"] == 0
    with pytest.raises(SystemExit):
        parser.parse_args(["purge", "--days", "0"])

def test_a_turn_keeps_the_request_id_and_a_dead_ingest_lease_can_be_taken_over(records: Records) -> None:
    from dataclasses import replace

    turn_id = records.record_turn(replace(ask("spørsmål"), request_id="telegram:4711"), reply("svar"))
    assert records.turn(turn_id)["request_id"] == "telegram:4711"
    assert records.acquire_lease("ingest:x", "host:1", 60) and records.lease_holder("ingest:x") == "host:1"
    assert not records.take_over_lease("ingest:x", "host:2", "host:3", 60)  # only from the holder named
    assert records.take_over_lease("ingest:x", "host:1", "host:3", 60) and records.lease_holder("ingest:x") == "host:3"
