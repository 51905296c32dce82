"""What every admin page handler shares: the Jinja2 environment (autoescaping on), the per-process admin state,
and `Page`, the request's session, staff member and language with `render`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.admin.auth import LANG_COOKIE, Session, Sessions
from bot.admin.gaps import GapGrouper
from bot.admin.summary import IngestLog
from bot.http.deps import get_runtime
from bot.http.pages import accepted_language
from bot.i18n import UI_LANGUAGES
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime
from bot.web.security import csp_nonce

LOGINS_PER_MINUTE, LOGIN_BURST = 10, 5  # sign-in attempts per client address and per e-mail address

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
PAGE_LANGUAGES = UI_LANGUAGES  # nb, nn, sv, en
ENVIRONMENT = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                          trim_blocks=True, lstrip_blocks=True)


@dataclass
class AdminState:
    """Built once per app: sessions (their key is read lazily), the ingest log, the gap grouper."""

    ingest_log: IngestLog = field(default_factory=IngestLog)
    logins: RateLimiter = field(default_factory=lambda: RateLimiter(LOGINS_PER_MINUTE, LOGIN_BURST))
    _sessions: Sessions | None = None
    _grouper: GapGrouper | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sessions(self, rt: Runtime) -> Sessions:
        with self._lock:
            if self._sessions is None:
                self._sessions = Sessions.from_settings(rt.settings)
            return self._sessions

    def grouper(self, rt: Runtime) -> GapGrouper:
        with self._lock:
            if self._grouper is None:
                self._grouper = GapGrouper(rt.embedder.embed_queries)
            return self._grouper


def admin_state(request: Request) -> AdminState:
    return request.app.state.admin


class LoginRequired(Exception):
    """Raised by `Page.require_staff`; the app answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


@dataclass
class Page:
    request: Request
    rt: Runtime
    state: AdminState
    session: Session
    lang: str
    staff: dict | None = None

    def translate(self, lang: str, message: str, **params: object) -> str:
        """`message` in `lang` (written `page.translate(page.lang, "...")` so that `make i18n` finds it)."""
        return self.rt.translator.translate(lang, message, **params)

    def require_staff(self) -> dict:
        if self.staff is None:
            raise LoginRequired(self.request.url.path)
        return self.staff

    def csrf_ok(self, given: str | None) -> bool:
        return self.session.csrf_ok(given)

    def render(self, template: str, code: int = 200, **values: object) -> HTMLResponse:
        context = {"lang": self.lang, "translate": self.rt.translator.translate, "csrf": self.session.csrf,
                   "staff": self.staff, "path": self.request.url.path, "languages": PAGE_LANGUAGES,
                   "nonce": csp_nonce(self.request), "query": quote(self.request.url.path)}
        html = ENVIRONMENT.get_template(template).render(values | context)  # the shared names cannot be shadowed
        response = HTMLResponse(html, code)
        response.headers["Cache-Control"] = "no-store"
        return self.finish(response)

    def finish(self, response):  # noqa: ANN001, ANN201 - any Response
        if self.session.changed:
            self.state.sessions(self.rt).write(response, self.session)
        return response

    def redirect(self, to: str) -> RedirectResponse:
        return self.finish(RedirectResponse(to, 303))

    def refused(self) -> HTMLResponse:
        """A POST without the session's CSRF token (an old page, or a forged request)."""
        return self.render("error.html", 403, message=self.translate(self.lang, 
            "This form has expired or did not come from this site. Go back, reload the page and try again."))


def page_language(request: Request, default: str = "nb") -> str:
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in PAGE_LANGUAGES:
        return chosen
    header = request.headers.get("accept-language", "")
    return accepted_language(header) if header else default


def get_page(request: Request, rt: Runtime = Depends(get_runtime)) -> Page:
    """The request's page context; `staff` is set when the session belongs to a staff member."""
    state = admin_state(request)
    session = state.sessions(rt).read(request)
    staff = rt.records.staff.find(staff_id=session.staff_id) if session.staff_id is not None else None
    return Page(request, rt, state, session, page_language(request, rt.settings.staff_language), staff)


def staff_page(page: Page = Depends(get_page)) -> Page:
    """A page that needs a signed-in staff member (others are sent to the login page)."""
    page.require_staff()
    return page


def safe_next(target: str | None) -> str:
    """Only a path on the admin pages is a place to go back to after login or a language switch."""
    if target and target.startswith("/admin") and "//" not in target and "\\" not in target and "\n" not in target:
        return target
    return "/admin"


def not_found(page: Page, message: str) -> HTMLResponse:
    return page.render("error.html", 404, message=message)


__all__ = ["AdminState", "LoginRequired", "Page", "HTTPException", "get_page", "staff_page", "safe_next",
           "not_found", "STATIC"]
