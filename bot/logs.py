"""Logging: plain text or one JSON object per line (LOG_FORMAT), and the request id every line of one request carries.

The request id is set where a request enters (the HTTP middleware: `X-Request-ID` or a new one; the Telegram and
Slack handlers: the update or event id), travels in a context variable through the channel handler and the answer
worker thread, and is stored with the turn it produced."""

from __future__ import annotations

import contextvars
import json
import logging
import time
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("veiviser_request_id", default="")
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def request_id() -> str:
    """The id of the request being handled ("" outside one)."""
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    """Make `value` the current request id (for this task and what it starts); returns a token for `reset`."""
    return _request_id.set(value[:64])


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (so text formats can use it too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", "") or _request_id.get()
        if rid:
            entry["request_id"] = rid
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(log_format: str = "text", level: int = logging.WARNING) -> None:
    """Set up the root logger once for the process (the CLI calls it; uvicorn's loggers propagate to it)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


def uvicorn_log_config(log_format: str) -> dict | None:
    """uvicorn's logging set-up: None keeps its own coloured text; for JSON its loggers go to the root handler."""
    if log_format != "json":
        return None
    return {"version": 1, "disable_existing_loggers": False,
            "loggers": {name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error",
                                                                               "uvicorn.access")}}
