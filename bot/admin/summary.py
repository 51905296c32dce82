"""After every re-ingest, whoever started it: the latest reports for the Content page, and a summary in the staff
Slack channel (SLACK_STAFF_CHANNEL, with SLACK_BOT_TOKEN)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from dataclasses import dataclass

from bot.i18n import N_, Translator
from bot.settings import Settings
from ingest.pipeline import IngestReport

log = logging.getLogger(__name__)
TRIGGERS = {"web": N_("admin page"), "api": N_("staff API"), "slack": N_("Slack"), "watch": N_("watched folder"),
            "cli": N_("command line")}
MAX_ERRORS_SHOWN = 10


@dataclass(frozen=True)
class IngestRun:
    report: dict
    trigger: str
    at: dt.datetime


class IngestLog:
    """The latest ingest reports of this process, newest first (a listener of the ingest coordinator)."""

    def __init__(self, keep: int = 20) -> None:
        self._runs: deque[IngestRun] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def __call__(self, report: IngestReport, trigger: str) -> None:
        with self._lock:
            self._runs.appendleft(IngestRun(report.to_json(), trigger, dt.datetime.now(dt.timezone.utc)))

    def latest(self) -> IngestRun | None:
        with self._lock:
            return self._runs[0] if self._runs else None


def summary(report: dict, translator: Translator, lang: str, trigger: str = "") -> str:
    """One short text: what changed, how many chunks, and each bad file with its reason."""
    head = translator.translate(
        lang, "Re-ingest ({trigger}): {added} added, {updated} updated, {removed} removed, {unchanged} unchanged; "
              "{chunks} passages.",
        trigger=translator.translate(lang, TRIGGERS.get(trigger, trigger or "?")), added=report["added"],
        updated=report["updated"], removed=report["removed"], unchanged=report["unchanged"], chunks=report["chunks"])
    lines = [head]
    errors = report.get("errors") or []
    if errors:
        lines.append(translator.translate(lang, "Files that could not be read ({count}):", count=len(errors)))
        lines += [f"• {e['path']}: {e['error']}" for e in errors[:MAX_ERRORS_SHOWN]]
    return "\n".join(lines)


def changed(report: dict) -> bool:
    return bool(report["added"] or report["updated"] or report["removed"] or report.get("errors"))


class SlackStaffSummary:
    """Posts `summary` to the staff channel with chat.postMessage (a listener of the ingest coordinator). A run of
    the watched folder that changed nothing is not posted; a failing post is logged, never raised."""

    def __init__(self, settings: Settings, translator: Translator) -> None:
        from slack_sdk import WebClient

        base = settings.slack_api_base_url or WebClient.BASE_URL
        self.client = WebClient(token=settings.slack_bot_token.get_secret_value(),
                                base_url=base if base.endswith("/") else base + "/", timeout=10)
        self.channel = settings.slack_staff_channel
        self.translator = translator
        self.lang = settings.staff_language

    @classmethod
    def configured(cls, settings: Settings, translator: Translator) -> "SlackStaffSummary | None":
        if settings.slack_staff_channel and settings.slack_bot_token.get_secret_value():
            return cls(settings, translator)
        return None

    def __call__(self, report: IngestReport, trigger: str) -> None:
        data = report.to_json()
        if trigger == "watch" and not changed(data):
            return
        try:
            self.client.chat_postMessage(channel=self.channel, text=summary(data, self.translator, self.lang, trigger))
        except Exception as exc:  # noqa: BLE001 - the ingest is done; the summary is a courtesy
            log.warning("could not post the ingest summary to Slack channel %s (%s)", self.channel,
                        exc.__class__.__name__)
