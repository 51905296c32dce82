"""The optional chat model behind LangChain; `LLM=provider:model`, empty for extractive answers."""

from __future__ import annotations

from bot.settings import Settings

# Providers that speak the OpenAI chat API, with their usual local base URL.
OPENAI_COMPATIBLE = {"openai": "", "ollama": "http://127.0.0.1:11434/v1", "vllm": "http://127.0.0.1:8000/v1"}


def make_chat_model(settings: Settings):  # noqa: ANN201 - LangChain's BaseChatModel
    """A LangChain chat model, or None when no LLM is configured."""
    if not settings.llm:
        return None
    provider, _, model = settings.llm.partition(":")
    if provider not in OPENAI_COMPATIBLE or not model:
        raise ValueError(
            f"LLM={settings.llm!r} is not understood: use e.g. 'openai:gpt-4o-mini' or 'ollama:llama3.1' "
            "(with LLM_BASE_URL for any OpenAI-compatible server), or leave it empty for extractive answers."
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model,
        base_url=settings.llm_base_url or OPENAI_COMPATIBLE[provider] or None,
        api_key=settings.llm_api_key.get_secret_value() or "not-needed",
        timeout=settings.llm_timeout_s,
        max_retries=0,
        temperature=0.2,
    )
