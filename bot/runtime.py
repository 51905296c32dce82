"""Builds the object graph once from `Settings`; channels and the CLI receive the parts they need."""

from __future__ import annotations

from dataclasses import dataclass

from bot.assistant import AnswerPolicy, Assistant
from bot.compose import Composer
from bot.conversations import ConversationStore
from bot.embedder import Embedder, make_embedder
from bot.i18n import Translator
from bot.knowledge_index import KnowledgeIndex
from bot.language import LanguageDetector
from bot.llm import make_chat_model
from bot.mentors import load_mentors
from bot.retrieval import Retriever
from bot.settings import Settings
from bot.store import make_chroma_client


@dataclass
class Runtime:
    settings: Settings
    embedder: Embedder
    index: KnowledgeIndex
    detector: LanguageDetector
    translator: Translator
    retriever: Retriever
    conversations: ConversationStore
    assistant: Assistant

    def close(self) -> None:
        self.conversations.close()


def build_index(settings: Settings, embedder: Embedder | None = None) -> KnowledgeIndex:
    """The knowledge index of the configured store and embedder (shared by ingest and queries)."""
    embedder = embedder or make_embedder(
        settings.embedder, settings.embedder_base_url, settings.embedder_api_key.get_secret_value()
    )
    client = make_chroma_client(settings.veiviser_store, settings.chroma_host, settings.chroma_port)
    return KnowledgeIndex(settings.veiviser_store, client, embedder)


def build_runtime(settings: Settings, embedder: Embedder | None = None, llm=None) -> Runtime:  # noqa: ANN001
    """Everything the assistant needs; `embedder` and `llm` may be injected (tests, benchmarks)."""
    if settings.database_url and not settings.database_url.startswith("sqlite:///"):
        raise ValueError("DATABASE_URL supports sqlite:///path only; leave it empty for the store's own SQLite file.")
    index = build_index(settings, embedder)
    detector = LanguageDetector()
    translator = Translator()
    retriever = Retriever(index.vectors, index.lexical_path)
    conversations = ConversationStore(settings.sqlite_path)
    composer = Composer(
        translator, llm if llm is not None else make_chat_model(settings), settings.prompts_dir, retriever.term_weight
    )
    assistant = Assistant(
        retriever,
        detector,
        translator,
        composer,
        load_mentors(settings.mentors_file),
        conversations,
        AnswerPolicy(
            confidence_threshold=settings.confidence_threshold,
            supported_threshold=settings.supported_threshold,
            coverage_threshold=settings.coverage_threshold,
            cross_lingual_threshold=settings.cross_lingual_threshold,
            k=settings.retrieval_k,
            max_question_chars=settings.max_question_chars,
            public_base_url=settings.public_base_url,
        ),
    )
    return Runtime(settings, index.embedder, index, detector, translator, retriever, conversations, assistant)
