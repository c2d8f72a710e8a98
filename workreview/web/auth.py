"""Who is asking: the session cookie (browsers) or HTTP Basic credentials (API clients), and what they may do.

The session cookie is signed by starlette's ``SessionMiddleware`` with the dataset's secret; it holds only the
user name and the CSRF token. The user's role is read from ``reviews.sqlite`` on every request, so a changed
role or a deleted account takes effect at once.
"""

from __future__ import annotations

import binascii
import secrets
from base64 import b64decode
from collections.abc import Callable

from fastapi import Depends, HTTPException, Request, status

from pipeline.review import User, authenticate, get_user

__all__ = ["User", "require_user", "require_role", "require_csrf", "csrf_token", "current_user"]

SESSION_USER = "user"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"


def current_user(request: Request) -> User | None:
    """The signed-in user, from the session or from Basic credentials; ``None`` when anonymous."""
    out_dir = request.app.state.out_dir
    name = request.session.get(SESSION_USER)
    if name:
        return get_user(out_dir, name)
    credentials = _basic_credentials(request.headers.get("authorization", ""))
    if credentials:
        return authenticate(out_dir, *credentials)
    return None


def require_user(request: Request) -> User:
    """Dependency: the user making the request; 401 when anonymous or the credentials are wrong."""
    user = current_user(request)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in first",
            headers={"WWW-Authenticate": 'Basic realm="workreview"'},
        )
    request.state.user = user
    return user


def require_role(*roles: str) -> Callable[[User], User]:
    """Dependency factory: the user, if their role is one of ``roles``; 403 otherwise."""

    def dependency(user: User = Depends(require_user)) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the role {' or '.join(roles)}")
        return user

    return dependency


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use; every form carries it back."""
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = request.session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return token


async def require_csrf(request: Request) -> None:
    """Dependency for every form POST: the form's token must equal the session's (403 otherwise)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(SESSION_CSRF)
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "the form has expired or did not come from this site; reload the page"
        )


def sign_in(request: Request, user: User) -> None:
    """Start a fresh session (a new CSRF token too), so a token planted before login is worthless."""
    request.session.clear()
    request.session[SESSION_USER] = user.name
    csrf_token(request)


def sign_out(request: Request) -> None:
    request.session.clear()


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        name, separator, password = b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (name, password) if separator else None
