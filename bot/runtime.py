"""Builds the object graph once from `Settings`; channels and the CLI receive the parts they need."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answer_service import AnswerService
from bot.assistant import AnswerPolicy, Assistant
from bot.compose import Composer
from bot import metrics
from bot.embedder import Embedder, make_embedder
from bot.health import DependencyMonitor, chroma_server_check, llm_check
from bot.i18n import Translator
from bot.knowledge_index import KnowledgeIndex
from bot.language import LanguageDetector
from bot.live_index import LiveIndex
from bot.budget import TokenBudget
from bot.generate import AnswerWriter
from bot.llm import ChatClient, make_chat_model
from bot.llm_stats import LLMStats
from bot.mentors import load_mentors
from bot.organisations import load_organisations
from bot.prompts import Prompts
from bot.retrieval import Retriever
from bot.settings import Settings
from bot.store import make_chroma_client
from bot.store_lock import StoreLock
from ingest.coordinator import IngestCoordinator
from ingest.pipeline import Ingester

if TYPE_CHECKING:
    from bot.records import Records

log = logging.getLogger(__name__)
SERVICE_EMBED_BATCH = 4  # an ingest inside a service embeds a few passages per call: questions wait a moment at most


@dataclass
class Runtime:
    settings: Settings
    embedder: Embedder
    index: KnowledgeIndex
    live: LiveIndex
    records: "Records"
    detector: LanguageDetector
    translator: Translator
    retriever: Retriever
    assistant: Assistant
    answers: AnswerService
    ingest: IngestCoordinator
    health: DependencyMonitor
    llm_stats: LLMStats | None = None  # the language model's recent calls and errors (None without a model)

    def close(self) -> None:
        self.health.stop()
        self.live.stop()
        self.answers.close()
        self.records.close()


def open_records(settings: Settings) -> "Records":
    """The records database named by the settings (SQLite in the store folder unless DATABASE_URL says otherwise).

    A SQLite file that is not a database any more is moved aside (kept for recovery) and a new one is started:
    the service keeps answering, and the log says where the old records are."""
    from sqlalchemy.exc import DatabaseError

    from bot.records import Records

    url = settings.database_url_resolved
    try:
        return Records.open(url, history_ttl_s=settings.history_ttl_s, history_turns=settings.history_turns)
    except DatabaseError as exc:
        damaged = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
        if damaged is None or not damaged.exists() or "not a database" not in str(exc) and "malformed" not in str(exc):
            raise
        aside = damaged.with_name(f"{damaged.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        log.warning("the records database %s is damaged (%s); moved to %s, starting a new one", damaged, exc, aside)
        damaged.rename(aside)
        for suffix in ("-wal", "-shm"):
            damaged.with_name(damaged.name + suffix).unlink(missing_ok=True)
        return Records.open(url, history_ttl_s=settings.history_ttl_s, history_turns=settings.history_turns)


def build_index(settings: Settings, embedder: Embedder | None = None, repair: bool = False) -> KnowledgeIndex:
    """The knowledge index of the configured store and embedder (shared by ingest and queries); `repair` (ingest)
    replaces a damaged embedded store by an empty one that the ingest fills again."""
    embedder = embedder or make_embedder(
        settings.embedder, settings.embedder_base_url, settings.embedder_api_key.get_secret_value(),
        settings.embedder_threads, settings.embedder_instances or 1,
    )
    client = make_chroma_client(settings.veiviser_store, settings.chroma_host, settings.chroma_port, repair)
    return KnowledgeIndex(settings.veiviser_store, client, embedder)


def hold_store(settings: Settings, role: str, url: str = "") -> StoreLock | None:
    """Become the one writer of an embedded store (raises `StoreBusy` naming the holder); None with a Chroma
    server, which coordinates its writers itself."""
    if settings.chroma_host:
        return None
    lock = StoreLock(settings.veiviser_store)
    lock.acquire({"role": role, "url": url})
    return lock


def build_runtime(
    settings: Settings, embedder: Embedder | None = None, llm=None, records: "Records | None" = None  # noqa: ANN001
) -> Runtime:
    """Everything the assistant needs, with the current content loaded; `embedder`, `llm` and `records` may be
    injected (tests, benchmarks)."""
    records = records or open_records(settings)
    index = build_index(settings, embedder)
    live = LiveIndex(index, records, poll_s=settings.content_poll_s)
    live.refresh(force=True)
    detector = LanguageDetector()
    translator = Translator()
    retriever = Retriever(index.vectors, live, max_embedded_chars=settings.max_embedded_chars)
    model = llm if llm is not None else make_chat_model(settings)
    llm_stats = LLMStats(observer=llm_metrics(settings)) if model is not None else None
    composer = Composer(translator, make_writer(settings, model, llm_stats) if model is not None else None)
    assistant = Assistant(
        retriever,
        detector,
        translator,
        composer,
        load_mentors(settings.mentors_file),
        records,
        AnswerPolicy(
            confidence_threshold=settings.confidence_threshold,
            supported_threshold=settings.supported_threshold,
            coverage_threshold=settings.coverage_threshold,
            cross_lingual_threshold=settings.cross_lingual_threshold,
            k=settings.retrieval_k,
            max_question_chars=settings.max_question_chars,
            public_base_url=settings.public_base_url,
            history_turns=settings.history_turns,
        ),
        organisations=load_organisations(settings.organisations_file),
        budget=TokenBudget(records, settings.llm_daily_tokens_per_user, settings.llm_daily_tokens),
    )
    health = DependencyMonitor(dependency_checks(settings, index, records), poll_s=settings.health_poll_s)
    answers = AnswerService(assistant, settings.answer_workers, settings.answer_deadline_s, health)

    def ingested(report) -> None:  # noqa: ANN001 - an IngestReport
        metrics.ingest_run("with_errors" if report.errors else "ok", report.seconds)
        live.refresh()

    ingest = IngestCoordinator(
        Ingester(index, detector, records, embed_batch=SERVICE_EMBED_BATCH),
        list(settings.knowledge_dirs),
        leases=records if settings.chroma_host else None,
        on_done=ingested,
    )
    return Runtime(settings, index.embedder, index, live, records, detector, translator, retriever, assistant,
                   answers, ingest, health, llm_stats)


def dependency_checks(settings: Settings, index: KnowledgeIndex, records: "Records") -> dict:
    """How to tell that each part answers: the store, the database and (when configured and checkable) the LLM."""
    from sqlalchemy import text

    def database() -> str:
        with records.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"

    def embedded_store() -> str:
        index.vectors.count()
        return "ok"

    checks = {
        "store": chroma_server_check(settings.chroma_host, settings.chroma_port) if settings.chroma_host
        else embedded_store,
        "database": database,
    }
    llm_url = llm_base_url(settings)
    if llm_url:
        checks["llm"] = llm_check(llm_url, settings.llm_api_key.get_secret_value())
    return checks


def llm_base_url(settings: Settings) -> str:
    """The OpenAI-compatible endpoint to check for readiness ("" when no LLM, or one that cannot be checked)."""
    if not settings.llm:
        return ""
    from bot.llm import OPENAI_COMPATIBLE

    provider = settings.llm.partition(":")[0]
    if provider not in OPENAI_COMPATIBLE:  # Anthropic's API is not checked this way
        return ""
    if settings.llm_base_url:
        return settings.llm_base_url
    return {"openai": "https://api.openai.com/v1"}.get(provider) or OPENAI_COMPATIBLE.get(provider, "")


def llm_metrics(settings: Settings):  # noqa: ANN201 - an LLMStats observer
    """Every model call counted in the Prometheus metrics too, by provider and outcome."""
    provider = settings.llm.partition(":")[0]

    def observe(outcome: str, seconds: float | None) -> None:
        metrics.llm_call(provider, outcome, seconds)
    return observe


def make_writer(settings: Settings, model, stats: LLMStats) -> AnswerWriter:  # noqa: ANN001 - a LangChain chat model
    """The answer writer over `model`, with the prompts folder checked once at start-up."""
    prompts = Prompts(settings.prompts_dir)
    missing = prompts.missing()
    if missing:
        raise ValueError(f"LLM is set but the prompts folder {settings.prompts_dir} lacks {', '.join(missing)}; "
                         "restore them (see prompts/README.md) or set PROMPTS_DIR.")
    client = ChatClient(model, stats, settings.llm_timeout_s, settings.llm_retries)
    return AnswerWriter(client, prompts, settings.llm_passages, settings.llm_deadline_s)

