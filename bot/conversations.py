"""The conversation store (SQLite): turns, unanswered questions for staff, and feedback."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from bot.models import Answer, Question

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    language TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    confident INTEGER NOT NULL,
    kind TEXT NOT NULL,
    sources TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_conversation ON turns (conversation_id, ts);
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    turn_id INTEGER REFERENCES turns(id),
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    question TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    turn_id INTEGER NOT NULL REFERENCES turns(id),
    helpful INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
"""


class ConversationStore:
    """Thread-safe access to one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; no fsync on every turn
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def record(self, question: Question, answer: Answer) -> int:
        """Store a turn (and, when the material did not cover it, an unanswered question); returns the turn id."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO turns (ts, channel, user_id, conversation_id, language, question, answer, confident, kind, sources)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(), question.channel, question.user_id, question.conversation_id, answer.language,
                    question.text, answer.answer, int(answer.confident), answer.kind,
                    json.dumps([s.id for s in answer.sources]),
                ),
            )
            turn_id = int(cursor.lastrowid)
            if answer.kind == "declined":
                self._db.execute(
                    "INSERT INTO unanswered (ts, turn_id, channel, language, question) VALUES (?, ?, ?, ?, ?)",
                    (time.time(), turn_id, question.channel, answer.language, question.text),
                )
            return turn_id

    def add_feedback(self, turn_id: int, helpful: bool, comment: str = "") -> None:
        with self._lock:
            if not self._db.execute("SELECT 1 FROM turns WHERE id = ?", (turn_id,)).fetchone():
                raise KeyError(f"no turn {turn_id}")
            self._db.execute(
                "INSERT INTO feedback (ts, turn_id, helpful, comment) VALUES (?, ?, ?, ?)",
                (time.time(), turn_id, int(helpful), comment[:2000]),
            )

    def last_language(self, conversation_id: str) -> str | None:
        """The language of the previous turn in a conversation (a hint for close calls)."""
        if not conversation_id:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT language FROM turns WHERE conversation_id = ? ORDER BY id DESC LIMIT 1", (conversation_id,)
            ).fetchone()
        return row[0] if row else None

    def unanswered(self, limit: int = 100) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT ts, channel, language, question FROM unanswered ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [{"ts": r[0], "channel": r[1], "language": r[2], "question": r[3]} for r in rows]

    def close(self) -> None:
        self._db.close()
