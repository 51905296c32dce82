"""Prometheus metrics of the service (prometheus-client), served at `GET /metrics`.

Call the small functions below from where things happen; they never raise and cost a few microseconds. With
`veiviser serve --workers N` the CLI sets PROMETHEUS_MULTIPROC_DIR before the workers start, so each worker writes
its values to files there and `/metrics` of any worker reports the sum over all of them (prometheus-client's
multiprocess mode)."""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
INGEST_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0)
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's own variable, set by `serve --workers`


def _counter(name: str, text: str, *labels: str) -> Counter:
    """A counter `name` (exposed as `<name>_total`) with the help `text`, counted by `labels`."""
    return Counter(name, text, labels)


def _histogram(name: str, text: str, *labels: str, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> Histogram:
    """A histogram of seconds `name` with the help `text`, by `labels`."""
    return Histogram(name, text, labels, buckets=buckets)


HTTP_REQUESTS = _counter("veiviser_http_requests", "HTTP requests by channel, route and status code",
                         "channel", "route", "status")
HTTP_SECONDS = _histogram("veiviser_http_request_seconds", "HTTP request latency by channel and route",
                          "channel", "route")
ANSWERS = _counter("veiviser_answers", "Answers by channel and kind (answer, declined, smalltalk, error)",
                   "channel", "kind")
ANSWER_SECONDS = _histogram("veiviser_answer_seconds", "Time to an answer (or notice) by channel", "channel")
UNAVAILABLE = _counter("veiviser_unavailable", "Questions answered with 'temporarily unavailable', by the part down",
                       "part")
UNRECORDED_TURNS = _counter("veiviser_unrecorded_turns", "Answers sent whose turn could not be recorded", "channel")
LLM_CALLS = _counter("veiviser_llm_calls",
                     "Calls to the LLM by provider and outcome (ok, timeout, server_error, uncited, ...)",
                     "provider", "outcome")
LLM_SECONDS = _histogram("veiviser_llm_call_seconds", "LLM call latency by provider", "provider")
LLM_FALLBACKS = _counter("veiviser_llm_fallbacks", "Answers composed extractively because the LLM failed, by reason",
                         "reason")
INGEST_RUNS = _counter("veiviser_ingest_runs", "Finished ingest runs by outcome (ok, with_errors)", "outcome")
INGEST_SECONDS = _histogram("veiviser_ingest_seconds", "Duration of ingest runs", buckets=INGEST_BUCKETS)
DEDUPE_HITS = _counter("veiviser_dedupe_hits", "Deliveries seen before and not answered again, by channel", "channel")


def http_request(channel: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(channel, route, str(status)).inc()
    HTTP_SECONDS.labels(channel, route).observe(seconds)


def answered(channel: str, kind: str, seconds: float) -> None:
    ANSWERS.labels(channel or "unknown", kind).inc()
    ANSWER_SECONDS.labels(channel or "unknown").observe(seconds)


def unavailable(part: str) -> None:
    UNAVAILABLE.labels(part).inc()


def unrecorded_turn(channel: str) -> None:
    UNRECORDED_TURNS.labels(channel or "unknown").inc()


def llm_call(provider: str, outcome: str, seconds: float | None) -> None:
    """One call to the LLM: `outcome` is ok or why its reply was not used (bot.llm_stats.OUTCOMES); `seconds` is
    None for a call that never reached the model (a missing prompt file)."""
    LLM_CALLS.labels(provider, outcome).inc()
    if seconds is not None:
        LLM_SECONDS.labels(provider).observe(seconds)


def llm_fallback(reason: str) -> None:
    """An answer composed extractively because the LLM call failed (`reason`: timeout, error, invalid, ...)."""
    LLM_FALLBACKS.labels(reason).inc()


def ingest_run(outcome: str, seconds: float) -> None:
    """A finished ingest: `outcome` is ok or with_errors (some files skipped). A run that raises is in the log."""
    INGEST_RUNS.labels(outcome).inc()
    INGEST_SECONDS.observe(seconds)


def dedupe_hit(channel: str) -> None:
    DEDUPE_HITS.labels(channel).inc()


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric (summed over the workers in multiprocess mode) and its content type."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
