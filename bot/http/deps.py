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
    """The staff API needs `Authorization: Bearer <ADMIN_TOKEN>`; without a configured token it is off."""
    expected = rt.settings.admin_token.get_secret_value()
    given = credentials.credentials if credentials else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            401,
            "Staff API: send the header 'Authorization: Bearer <ADMIN_TOKEN>' (set ADMIN_TOKEN in .env to enable it).",
            headers={"WWW-Authenticate": "Bearer"},
        )
