"""The optional chat model, built by LangChain's `init_chat_model` from `LLM=provider:model`, and `ChatClient`: one
bounded retry, an overall deadline, streaming, token counts. Empty `LLM` means extractive answers."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Protocol

from bot.llm_stats import LLMStats
from bot.settings import Settings

log = logging.getLogger(__name__)

# Providers that speak the OpenAI chat API, with their usual base URL ("" = the client's default, OpenAI's own).
# Azure OpenAI's v1 API (https://<resource>.openai.azure.com/openai/v1/) is OpenAI-compatible too.
OPENAI_COMPATIBLE = {
    "openai": "",
    "azure": "",
    "mistral": "https://api.mistral.ai/v1",
    "ollama": "http://127.0.0.1:11434/v1",
    "vllm": "http://127.0.0.1:8000/v1",
    "llamacpp": "http://127.0.0.1:8080/v1",
}
NATIVE = ("anthropic",)  # providers with their own LangChain integration (their own API)
RETRYABLE = {"APITimeoutError", "APIConnectionError", "InternalServerError", "RateLimitError", "OverloadedError",
             "ServiceUnavailableError", "TimeoutException", "ConnectError", "ReadTimeout", "RemoteProtocolError"}
RETRY_PAUSE_S = 0.5


class ChatModel(Protocol):
    """What is used of a LangChain chat model."""

    def invoke(self, messages: list) -> Any: ...

    def stream(self, messages: list) -> Iterable[Any]: ...


def parse_llm(setting: str) -> tuple[str, str]:
    """`provider:model` as (provider, model); a ValueError that says what to write otherwise."""
    provider, _, model = setting.strip().partition(":")
    if provider not in OPENAI_COMPATIBLE and provider not in NATIVE or not model:
        known = ", ".join(sorted([*OPENAI_COMPATIBLE, *NATIVE]))
        raise ValueError(
            f"LLM={setting!r} is not understood: write provider:model with provider one of {known} (e.g. "
            "'openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-5', 'ollama:llama3.1'; any OpenAI-compatible server "
            "with LLM_BASE_URL), or leave LLM empty for extractive answers."
        )
    return provider, model


def make_chat_model(settings: Settings) -> ChatModel | None:
    """A LangChain chat model through `init_chat_model`, or None when no LLM is configured. The client itself never
    retries: `ChatClient` does, within the deadline."""
    if not settings.llm:
        return None
    from langchain.chat_models import init_chat_model

    provider, model = parse_llm(settings.llm)
    key = settings.llm_api_key.get_secret_value()
    common: dict[str, Any] = {"timeout": settings.llm_timeout_s, "max_retries": 0,
                              "temperature": settings.llm_temperature, "max_tokens": settings.llm_max_tokens}
    if provider == "anthropic":
        extra = {"base_url": settings.llm_base_url} if settings.llm_base_url else {}
        return init_chat_model(model, model_provider="anthropic", api_key=key or "not-set", **extra, **common)
    base_url = settings.llm_base_url or OPENAI_COMPATIBLE[provider] or None
    if provider == "azure" and not base_url:
        raise ValueError("LLM=azure:... needs LLM_BASE_URL=https://<resource>.openai.azure.com/openai/v1/")
    return init_chat_model(model, model_provider="openai", base_url=base_url, api_key=key or "not-needed",
                           stream_usage=True, **common)


class LLMFailure(Exception):
    """The model gave no usable reply; `reason` is one of the `LLMStats` outcomes (logged and counted)."""

    def __init__(self, reason: str, detail: str = "", prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.prompt_tokens = prompt_tokens  # spent on the unusable reply (they count against the budget)
        self.completion_tokens = completion_tokens


@dataclass(frozen=True)
class Reply:
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float = 0.0  # from the first request to the reply, retries included


def failure_reason(exc: BaseException) -> str:
    """The outcome name of a client exception (timeout, rate_limited, server_error, connection, error)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if names & {"APITimeoutError", "TimeoutException", "ReadTimeout", "TimeoutError"}:
        return "timeout"
    if status == 429 or "RateLimitError" in names:
        return "rate_limited"
    if isinstance(status, int) and status >= 500 or names & {"InternalServerError", "OverloadedError"}:
        return "server_error"
    if names & {"APIConnectionError", "ConnectError", "RemoteProtocolError", "ConnectionError"}:
        return "connection"
    return "error"


def _is_retryable(exc: BaseException) -> bool:
    return failure_reason(exc) in ("timeout", "rate_limited", "server_error", "connection")


def _usage(message: Any) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    return int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)


def estimate_tokens(text: str) -> int:
    """About four characters a token: for servers that report no usage (the budget still counts)."""
    return max(1, len(text) // 4)


class ChatClient:
    """Calls the chat model with a per-request timeout (the client's), `retries` retries after a timeout, 429, 5xx
    or lost connection while the deadline allows another full request, and stops streaming at the deadline. A failed
    call is counted in `stats` and raises `LLMFailure`; the caller counts a reply once it has checked it."""

    def __init__(self, model: ChatModel, stats: LLMStats, timeout_s: float, retries: int = 1,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.model = model
        self.stats = stats
        self.timeout_s = timeout_s
        self.retries = retries
        self._clock = clock
        self._sleep = sleep

    def complete(self, messages: list, deadline: float, on_text: Callable[[str], None] | None = None) -> Reply:
        """The model's reply to `messages` before the monotonic time `deadline`; `on_text` receives the text so far
        while it streams (a retry starts it again from the beginning)."""
        attempt, started = 0, self._clock()
        while True:
            try:
                reply = self._stream(messages, deadline, on_text) if on_text else self._invoke(messages)
            except LLMFailure as failure:
                self.stats.record(failure.reason, seconds=self._clock() - started)
                raise
            except Exception as exc:  # noqa: BLE001 - any client error: retry once when worth it, else fall back
                reason = failure_reason(exc)
                remaining = deadline - self._clock()
                if attempt < self.retries and _is_retryable(exc) and remaining > self.timeout_s + RETRY_PAUSE_S:
                    attempt += 1
                    log.info("LLM call failed (%s, %s); retrying", reason, type(exc).__name__)
                    self._sleep(RETRY_PAUSE_S)
                    continue
                self.stats.record(reason, seconds=self._clock() - started)
                raise LLMFailure(reason, type(exc).__name__) from exc
            if self._clock() > deadline:
                self.stats.record("deadline", reply.prompt_tokens, reply.completion_tokens, self._clock() - started)
                raise LLMFailure("deadline", "the reply came after the deadline")
            return replace(reply, seconds=self._clock() - started)  # the caller records it once it has checked it

    def _invoke(self, messages: list) -> Reply:
        message = self.model.invoke(messages)
        text = _text(getattr(message, "content", message))
        prompt, completion = _usage(message)
        return Reply(text, prompt or estimate_tokens(_prompt_text(messages)), completion or estimate_tokens(text))

    def _stream(self, messages: list, deadline: float, on_text: Callable[[str], None]) -> Reply:
        parts: list[str] = []
        prompt = completion = 0
        for chunk in self.model.stream(messages):
            piece = _text(getattr(chunk, "content", ""))
            chunk_prompt, chunk_completion = _usage(chunk)
            prompt, completion = prompt + chunk_prompt, completion + chunk_completion
            if piece:
                parts.append(piece)
                on_text("".join(parts))
            if self._clock() > deadline:
                raise LLMFailure("deadline", "streaming passed the deadline")
        text = "".join(parts)
        return Reply(text, prompt or estimate_tokens(_prompt_text(messages)), completion or estimate_tokens(text))


def _text(content: Any) -> str:
    """A message's content as text (Anthropic gives a list of blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content if isinstance(b, (str, dict)))
    return str(content or "")


def _prompt_text(messages: list) -> str:
    return "".join(_text(getattr(m, "content", "")) for m in messages)
