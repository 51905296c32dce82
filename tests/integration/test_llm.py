"""The chat client through the real LangChain clients (`init_chat_model`) against local stubs of the OpenAI chat
completions API and Anthropic's messages API: replies streamed and not, token counts, one bounded retry, the
timeout and the overall deadline."""

import time

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from bot.llm import ChatClient, LLMFailure, make_chat_model
from bot.llm_stats import LLMStats
from bot.settings import Settings
from tests.fakes.anthropic_stub import AnthropicStub
from tests.fakes.openai_stub import OpenAIStub

pytestmark = pytest.mark.integration
MESSAGES = [SystemMessage("Du er Veiviser."), HumanMessage("Hvor mye aksjekapital trenger et AS?")]
PROVIDERS = [(OpenAIStub, "openai:stub-model"), (AnthropicStub, "anthropic:claude-stub")]


def client(stub, llm: str, timeout_s: float = 2.0, retries: int = 1) -> ChatClient:
    settings = Settings(_env_file=None, llm=llm, llm_base_url=stub.base_url, llm_timeout_s=timeout_s,
                        llm_api_key="sk-test-secret")
    return ChatClient(make_chat_model(settings), LLMStats(), timeout_s, retries)


@pytest.mark.parametrize("stub_class, llm", PROVIDERS)
def test_replies_arrive_whole_and_streamed_with_token_counts(stub_class, llm):
    with stub_class(reply="Et AS må ha minst 30 000 kroner i aksjekapital [1].") as stub:
        chat = client(stub, llm)
        whole = chat.complete(MESSAGES, time.monotonic() + 10)
        seen: list[str] = []
        streamed = chat.complete(MESSAGES, time.monotonic() + 10, seen.append)
    assert whole.text == streamed.text == "Et AS må ha minst 30 000 kroner i aksjekapital [1]."
    assert len(seen) > 3 and seen[-1] == streamed.text and all(seen[i + 1].startswith(seen[i]) for i in range(len(seen) - 1))
    assert whole.prompt_tokens > 0 and whole.completion_tokens == len(whole.text) // 4
    assert streamed.completion_tokens == whole.completion_tokens
    first, second = stub.chat_requests
    assert not first["body"].get("stream") and second["body"]["stream"] is True
    body = first["body"]
    assert body["model"] == llm.split(":", 1)[1] and (body.get("max_tokens") or body["max_completion_tokens"]) == 700
    headers = {k.lower(): v for k, v in first["headers"].items()}
    assert "sk-test-secret" in headers.get("authorization", "") + headers.get("x-api-key", "")


@pytest.mark.parametrize("stub_class, llm", PROVIDERS)
@pytest.mark.parametrize("status", [500, 429])
def test_one_failure_is_retried_once(stub_class, llm, status):
    with stub_class(reply="Svar [1].", script=[{"status": status}]) as stub:
        chat = client(stub, llm)
        assert chat.complete(MESSAGES, time.monotonic() + 10).text == "Svar [1]."
    assert len(stub.chat_requests) == 2


@pytest.mark.parametrize("stub_class, llm", PROVIDERS)
def test_a_second_failure_gives_up_with_the_reason(stub_class, llm):
    with stub_class(script=[{"status": 500}, {"status": 500}, "never asked"]) as stub:
        chat = client(stub, llm)
        with pytest.raises(LLMFailure) as failure:
            chat.complete(MESSAGES, time.monotonic() + 10)
    assert failure.value.reason == "server_error" and len(stub.chat_requests) == 2
    assert chat.stats.snapshot()["totals"] == {"server_error": 1}


def test_a_timeout_is_retried_only_while_the_deadline_allows_a_whole_request():
    with OpenAIStub(delay=5.0) as stub:
        chat = client(stub, "openai:m", timeout_s=0.5)
        started = time.monotonic()
        with pytest.raises(LLMFailure) as failure:
            chat.complete(MESSAGES, started + 1.2)  # room for the first request, not for a second one
        elapsed = time.monotonic() - started
    assert failure.value.reason == "timeout" and len(stub.chat_requests) == 1 and elapsed < 3.0  # not the 5 s stall


def test_a_stream_that_outlasts_the_deadline_is_abandoned():
    with OpenAIStub(reply="Et langt svar som kommer sakte, bit for bit, fra en treg modell [1]. " * 4,
                    chunk_delay=0.1) as stub:  # about 4 s of streaming
        chat = client(stub, "openai:m")
        started = time.monotonic()
        with pytest.raises(LLMFailure) as failure:
            chat.complete(MESSAGES, started + 0.5, lambda text: None)
    assert failure.value.reason == "deadline" and time.monotonic() - started < 2.5
