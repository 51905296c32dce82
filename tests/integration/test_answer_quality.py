"""`make eval`'s answer-quality run through a model served by the local OpenAI-compatible stub (the stub quotes the
first passage and cites it, as a grounded model would), and its skip line when no LLM is configured."""

import json
import re

import pytest

from benchmarks.answer_quality import SKIPPED, answer_quality, render_answer_quality, supported
from benchmarks.question_split import split_of
from bot.llm import make_chat_model
from bot.runtime import build_runtime
from tests.conftest import make_settings
from tests.fakes.openai_stub import OpenAIStub

pytestmark = pytest.mark.integration
FIRST_PASSAGE_RE = re.compile(r'<passage number="1"[^>]*>\n[^\n]*\n(.*?)\n</passage>', re.S)


def quote_first_passage(body: dict) -> str:
    passage = FIRST_PASSAGE_RE.search(body["messages"][-1]["content"]).group(1)
    sentence = re.split(r"(?<=[.!?])\s+", passage.replace("#", "").strip())[0].rstrip(".")
    return f"{sentence} [1]."


def report_ids(count: int) -> list[str]:
    ids = (f"q-{n:03d}" for n in range(1000))
    return [i for i in ids if split_of(i) == "report"][:count]


def test_answer_quality_compares_the_model_with_the_extractive_answer(ingested_store, tmp_path, embedder):
    ids = report_ids(4) + [next(i for i in (f"t-{n}" for n in range(100)) if split_of(i) == "tune")]
    rows = [
        {"id": ids[0], "lang": "nb", "question": "hvor mye aksjekapital trenger et AS",
         "expect_ids": ["m04-legal-form-nb"], "expect_facts": ["30 000"]},
        {"id": ids[1], "lang": "sv", "question": "hur mycket aktiekapital behöver ett aktiebolag",
         "expect_ids": ["m04-legal-form-sv"], "expect_facts": ["25 000"]},
        {"id": ids[2], "lang": "nb", "question": "hva er beste oppskrift på kanelboller med kardemomme", "expect_ids": []},
        {"id": ids[3], "lang": "nn", "question": "korleis kan bygda eige butikken saman", "expect_ids": ["m12-rural-nn"]},
        {"id": ids[4], "lang": "nb", "question": "tuning-halvdelen er ikke med", "expect_ids": []},
    ]
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    with OpenAIStub(reply=quote_first_passage) as stub:
        settings = make_settings(ingested_store, llm="openai:stub-model", llm_base_url=stub.base_url,
                                 database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
        runtime = build_runtime(settings, embedder, make_chat_model(settings))
        result = answer_quality(runtime, questions)
        runtime.close()
    llm, extractive = result["llm"], result["extractive"]
    assert result["questions"] == 4 and result["model"] == "openai:stub-model"
    assert llm["citation_precision"] == 1.0 and "citation_precision" not in extractive
    assert llm["fell_back"] == 0.0 and llm["declined_correctly"] == extractive["declined_correctly"] == 1.0
    assert extractive["fact_coverage"] == 1.0 and 0.0 <= llm["fact_coverage"] <= 1.0
    assert llm["language_match"] == 1.0 and extractive["wrongly_declined"] == 0.0
    assert 0 < llm["latency_p50_s"] <= llm["latency_p95_s"]
    assert len(stub.chat_requests) == 3  # the covered questions only; the uncovered one is declined before the model
    table = render_answer_quality(result)
    assert table[-2].startswith("| llm | ") and table[-1].startswith("| extractive | ") and "–" in table[-1]


def test_without_a_model_the_run_is_skipped_with_a_clear_line(tmp_path, monkeypatch, capsys):
    from benchmarks.run_eval import generated_answers

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("LLM", "")
    assert generated_answers(tmp_path / "store") is None
    assert capsys.readouterr().out.strip() == SKIPPED and render_answer_quality(None) == [SKIPPED]
    assert "no LLM configured" in SKIPPED


def test_a_cited_sentence_is_backed_when_its_passage_shares_its_content_words():
    passage = "Et aksjeselskap må ha minst 30 000 kroner i aksjekapital."
    assert supported("Et aksjeselskap trenger 30 000 kroner i aksjekapital.", passage, "nb", "nb")
    assert not supported("Styret må ha tre medlemmer og møtes hver måned.", passage, "nb", "nb")
