"""Staff sign-in: argon2 password hashes, signed session cookies (itsdangerous) carrying a CSRF token, and the
digests of staff API tokens.

A session is a signed, timestamped cookie `{"csrf": <random>, "sid": <staff id or null>}` on path /admin
(HttpOnly, SameSite=Strict; Secure when PUBLIC_BASE_URL is https). Every POST form carries the session's CSRF token
(a hidden `csrf` field, or the `X-CSRF-Token` header from the page's script); a login draws a new token."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from bot.settings import Settings

COOKIE = "veiviser_admin"
LANG_COOKIE = "veiviser_admin_lang"
KEY_FILE = "admin-session.key"
_hasher = PasswordHasher()
# Verifying against this keeps a login for an unknown address as slow as one with a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_CHARS = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a staff password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A new staff API token and the digest stored for it."""
    token = "vvs_" + secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_secret(settings: Settings) -> bytes:
    """ADMIN_SESSION_SECRET, or a random key created once in the store folder (readable by its owner only)."""
    configured = settings.admin_session_secret.get_secret_value()
    if configured:
        return configured.encode("utf-8")
    path = Path(settings.veiviser_store) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_hex(32).encode())
    return path.read_bytes().strip()


@dataclass
class Session:
    csrf: str
    staff_id: int | None = None
    changed: bool = False

    def csrf_ok(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.csrf.encode())


class Sessions:
    """Reads and writes the signed session cookie."""

    def __init__(self, secret: bytes, max_age_s: float, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="veiviser-admin-session")
        self.max_age_s = int(max_age_s)
        self.secure = secure

    @classmethod
    def from_settings(cls, settings: Settings) -> "Sessions":
        return cls(session_secret(settings), settings.admin_session_hours * 3600,
                   settings.public_base_url.startswith("https://"))

    def read(self, request: Request) -> Session:
        """The request's session; a new anonymous one (to be written) when the cookie is missing, bad or old."""
        raw = request.cookies.get(COOKIE, "")
        try:
            data = self._serializer.loads(raw, max_age=self.max_age_s) if raw else None
        except BadSignature:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return Session(csrf=secrets.token_urlsafe(24), changed=True)
        staff_id = data.get("sid")
        return Session(csrf=data["csrf"], staff_id=staff_id if isinstance(staff_id, int) else None)

    def write(self, response: Response, session: Session) -> None:
        response.set_cookie(COOKIE, self._serializer.dumps({"csrf": session.csrf, "sid": session.staff_id}),
                            max_age=self.max_age_s, path="/admin", httponly=True, samesite="strict",
                            secure=self.secure)

    @staticmethod
    def signed_in(staff_id: int) -> Session:
        return Session(csrf=secrets.token_urlsafe(24), staff_id=staff_id, changed=True)

    @staticmethod
    def signed_out() -> Session:
        return Session(csrf=secrets.token_urlsafe(24), changed=True)
