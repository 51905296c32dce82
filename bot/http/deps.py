"""What route handlers receive through FastAPI dependencies (tests hand in their own runtime)."""

from __future__ import annotations

import hmac

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.rate_limit import RateLimiter
from bot.runtime import Runtime

_bearer = HTTPBearer(auto_error=False)


def get_runtime(request: Request) -> Runtime:
    """The runtime built by the lifespan."""
    return request.app.state.runtime


def get_rate_limiter(request: Request) -> RateLimiter:
    return request.app.state.rate_limiter


def require_admin(
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer), rt: Runtime = Depends(get_runtime)
) -> None:
    """The staff API needs `Authorization: Bearer <token>`: ADMIN_TOKEN, or a staff member's own token
    (`veiviser staff token EMAIL`)."""
    from bot.admin.auth import token_digest

    expected = rt.settings.admin_token.get_secret_value()
    given = credentials.credentials if credentials else ""
    if expected and hmac.compare_digest(given.encode(), expected.encode()):
        return
    if given and rt.records.staff.find(token_digest=token_digest(given)) is not None:
        return
    raise HTTPException(
        401,
        "Staff API: send the header 'Authorization: Bearer <token>' with ADMIN_TOKEN (set it in .env) or a staff "
        "token from `veiviser staff token EMAIL`.",
        headers={"WWW-Authenticate": "Bearer"},
    )
