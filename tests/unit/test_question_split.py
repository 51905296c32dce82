"""The own question set is split once, by a fixed rule on the question id, into a tuning and a reporting half."""

import json
from collections import Counter
from pathlib import Path

from benchmarks.question_split import SPLITS, split_of

QUESTIONS = Path(__file__).resolve().parents[2] / "knowledge" / "eval" / "questions.jsonl"


def _rows() -> list[dict]:
    with open(QUESTIONS, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_every_row_stores_the_half_the_rule_gives():
    for row in _rows():
        assert row.get("split") in SPLITS, row["id"]
        assert row["split"] == split_of(row["id"]), f"{row['id']}: stored {row['split']!r}, rule says {split_of(row['id'])!r}"


def test_the_rule_is_the_parity_of_the_sha256_of_the_id():
    # sha256("en-001") and sha256("sva-001") pinned, so that a change of the rule cannot go unnoticed
    assert split_of("en-001") == "report"
    assert split_of("sva-001") == "tune"
    assert split_of("x") == split_of("x")


def test_both_halves_hold_every_language_and_kind_of_question():
    counts = Counter((row["split"], row["lang"]) for row in _rows())
    for half in SPLITS:
        for lang in ("nb", "nn", "sv", "en"):
            assert counts[(half, lang)] >= 5, (half, lang)
    declines = Counter(row["split"] for row in _rows() if not row["expect_ids"])
    cross = Counter(row["split"] for row in _rows() if row.get("cross_lingual"))
    assert min(declines[h] for h in SPLITS) >= 10 and min(cross[h] for h in SPLITS) >= 10
