"""Admin pages: sign-in, language, Overview, Gaps, Feedback and Mentor requests (Content and Freshness are in
`content_pages.py`). Every POST form is checked against the session's CSRF token."""

from __future__ import annotations

import asyncio
import datetime as dt

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse

from bot.admin import charts
from bot.admin.auth import LANG_COOKIE, Sessions, verify_password
from bot.admin.gaps import groups_csv
from bot.admin.overview import overview
from bot.admin.web import PAGE_LANGUAGES, Page, get_page, safe_next, staff_page
from bot.i18n import N_
from bot.models import LANGUAGES
from bot.records import UnknownMentorRequest
from bot.records.schema import MENTOR_REQUEST_STATUSES

router = APIRouter(prefix="/admin", include_in_schema=False)
OVERVIEW_DAYS = 30
STATUS_NAMES = {"new": N_("New"), "contacted": N_("Contacted"), "done": N_("Done")}


@router.get("/login")
async def login_form(page: Page = Depends(get_page), next: str = "/admin") -> object:  # noqa: A002
    """The sign-in form."""
    return page.render("login.html", next=safe_next(next))


@router.post("/login")
async def login(page: Page = Depends(get_page), email: str = Form(""), password: str = Form(""),
                csrf: str = Form(""), next: str = Form("/admin")) -> object:  # noqa: A002
    """Check the password; on success a new session (and CSRF token) for the staff member."""
    if not page.csrf_ok(csrf):
        return page.refused()
    client = page.request.client.host if page.request.client else "unknown"
    wait = max(page.state.logins.check(f"ip:{client}"), page.state.logins.check(f"email:{email.strip().lower()}"))
    if wait:
        response = page.render("login.html", 429, next=safe_next(next), email=email, error=page.translate(
            page.lang, "Too many sign-in attempts. Wait {seconds} seconds and try again.", seconds=int(wait + 1)))
        response.headers["Retry-After"] = str(int(wait + 1))
        return response
    account = await asyncio.to_thread(page.rt.records.staff.find, email=email)
    ok = await asyncio.to_thread(verify_password, account["password_hash"] if account else None, password)
    if not ok or account is None:
        return page.render("login.html", 401, next=safe_next(next), email=email,
                           error=page.translate(page.lang, "Wrong e-mail address or password."))
    await asyncio.to_thread(page.rt.records.staff.record_login, account["id"])
    page.session = Sessions.signed_in(account["id"])
    return page.redirect(safe_next(next))


@router.post("/logout")
async def logout(page: Page = Depends(get_page), csrf: str = Form("")) -> object:
    """End the session."""
    if not page.csrf_ok(csrf):
        return page.refused()
    page.session = Sessions.signed_out()
    return page.redirect("/admin/login")


@router.get("/lang/{code}")
async def choose_language(code: str, request: Request, next: str = "/admin") -> RedirectResponse:  # noqa: A002
    """The language switch: remembered in a cookie (a preference, not a change of anything stored)."""
    response = RedirectResponse(safe_next(next), 303)
    if code in PAGE_LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, path="/admin", samesite="lax", httponly=True)
    return response


@router.get("")
async def overview_page(page: Page = Depends(staff_page)) -> object:
    """Questions per day and channel, answer rate, languages, most cited modules (last 30 days)."""
    today = dt.datetime.now(dt.timezone.utc).date()
    since = dt.datetime.combine(today - dt.timedelta(days=OVERVIEW_DAYS - 1), dt.time(), dt.timezone.utc)
    turns = await asyncio.to_thread(page.rt.records.staff.turns_since, since)
    figures = overview(turns, page.rt.live.current().documents, today, OVERVIEW_DAYS,
                       page.translate(page.lang, "Module {number}: {title}"))
    empty = page.translate(page.lang, "No questions yet.")
    t = page.rt.translator
    per_day = charts.stacked_bars(page.translate(page.lang, "Questions per day and channel"),
                                  [(d.strftime("%d.%m"), figures.per_day[d]) for d in figures.days],
                                  figures.channels, empty)
    language_chart = charts.bars(page.translate(page.lang, "Languages"),
                                 [(t.language_name(page.lang, code), n) for code, n in figures.languages.most_common()],
                                 empty, width=400)
    cited = charts.bars(page.translate(page.lang, "Most cited modules and articles"), figures.cited.most_common(10),
                        empty)
    rate = charts.bars(page.translate(page.lang, "Answer rate"),
                       [(page.translate(page.lang, "Answered from the material"), figures.answer_rate)], empty,
                       percent=True, width=400)
    return page.render("overview.html", figures=figures, per_day=per_day, language_chart=language_chart, cited=cited,
                       rate=rate, days=OVERVIEW_DAYS)


async def _gap_groups(page: Page, language: str | None):  # noqa: ANN202 - list[GapGroup]
    rows = await asyncio.to_thread(page.rt.records.staff.unanswered)
    if language:
        rows = [r for r in rows if r["language"] == language]
    return await asyncio.to_thread(page.state.grouper(page.rt).group, rows)


@router.get("/gaps")
async def gaps_page(page: Page = Depends(staff_page), lang: str = "") -> object:
    """Questions the material did not cover, grouped by similarity, with counts; mark a group handled."""
    language = lang if lang in LANGUAGES else None
    groups = await _gap_groups(page, language)
    return page.render("gaps.html", groups=groups, language=language or "", all_languages=LANGUAGES)


@router.get("/gaps.csv")
async def gaps_csv(page: Page = Depends(staff_page), lang: str = "") -> object:
    """The gap groups as a CSV file."""
    groups = await _gap_groups(page, lang if lang in LANGUAGES else None)
    response = PlainTextResponse(groups_csv(groups), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="veiviser-gaps.csv"'})
    return page.finish(response)


@router.post("/gaps/handled")
async def gaps_handled(page: Page = Depends(staff_page), ids: str = Form(""), csrf: str = Form(""),
                       lang: str = Form("")) -> object:
    """Mark one group's questions handled (a new question like them starts a new group)."""
    if not page.csrf_ok(csrf):
        return page.refused()
    numbers = [int(part) for part in ids.split(",") if part.strip().isdigit()]
    await asyncio.to_thread(page.rt.records.staff.mark_handled, numbers, page.staff["email"])
    return page.redirect("/admin/gaps" + (f"?lang={lang}" if lang in LANGUAGES else ""))


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/feedback")
async def feedback_page(page: Page = Depends(staff_page), channel: str = "", lang: str = "", since: str = "",
                        until: str = "") -> object:
    """👍/👎 with question, answer and sources; filtered by channel, language and dates."""
    start, end = _day(since), _day(until)
    rows = await asyncio.to_thread(
        page.rt.records.staff.feedback, channel or None, lang if lang in LANGUAGES else None,
        dt.datetime.combine(start, dt.time(), dt.timezone.utc) if start else None,
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.timezone.utc) if end else None)
    channels = await asyncio.to_thread(page.rt.records.staff.channels)
    titles = {doc_id: chunk.title for doc_id, chunk in page.rt.live.current().documents.items()}
    return page.render("feedback.html", rows=rows, channels=channels, all_languages=LANGUAGES, titles=titles,
                       filters={"channel": channel, "lang": lang, "since": start.isoformat() if start else "",
                                "until": end.isoformat() if end else ""})


@router.get("/mentor-requests")
async def mentor_requests_page(page: Page = Depends(staff_page), status: str = "") -> object:
    """Who asked for which mentor about what, and how far staff got (new, contacted, done)."""
    rows = await asyncio.to_thread(page.rt.records.mentor_requests, None, None,
                                   status if status in MENTOR_REQUEST_STATUSES else None)
    mentors = {m.id: m.name for m in page.rt.assistant.mentors}
    return page.render("mentors.html", rows=rows, mentors=mentors, statuses=MENTOR_REQUEST_STATUSES,
                       status_names=STATUS_NAMES, status=status)


@router.post("/mentor-requests/{request_id}")
async def mentor_request_status(request_id: str, page: Page = Depends(staff_page), status: str = Form(""),
                                csrf: str = Form("")) -> object:
    """Change a request's status."""
    if not page.csrf_ok(csrf):
        return page.refused()
    try:
        await asyncio.to_thread(page.rt.records.set_mentor_request_status, request_id, status)
    except (ValueError, UnknownMentorRequest):
        return page.render("error.html", 404, message=page.translate(page.lang, "No such mentor request, or no such status."))
    return page.redirect("/admin/mentor-requests")
