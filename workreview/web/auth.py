"""Who is asking: the session cookie (browsers) or HTTP Basic credentials (API clients), and what they may do.

The session cookie is signed by starlette's ``SessionMiddleware`` with the dataset's secret; it holds the user
name, the user's *session generation* and the CSRF token. The user's role and generation are read from
``reviews.sqlite`` on every request, so a changed role or a deleted account takes effect at once, and signing out
or a new password (which move the generation on) ends every session started before. Wrong passwords are
throttled (``workreview.web.throttle``); a request without credentials costs no password hashing.
"""

from __future__ import annotations

import binascii
import secrets
from base64 import b64decode
from collections.abc import Callable

from fastapi import Depends, HTTPException, Request, status

from pipeline.review import User, authenticate, end_sessions, session_generation, session_user
from workreview.web.throttle import LoginThrottle

__all__ = ["User", "require_user", "require_role", "require_csrf", "csrf_token", "current_user"]

SESSION_USER = "user"
SESSION_GENERATION = "generation"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"


def current_user(request: Request) -> User | None:
    """The signed-in user, from the session or from Basic credentials; ``None`` when anonymous."""
    out_dir = request.app.state.out_dir
    name = request.session.get(SESSION_USER)
    if name:
        user = session_user(out_dir, name, request.session.get(SESSION_GENERATION))
        if user is None:  # signed out elsewhere, password changed, account deleted: the session is over
            request.session.clear()
        return user
    credentials = _basic_credentials(request.headers.get("authorization", ""))
    if credentials:
        return checked_password(request, *credentials)[0]
    return None


def throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def checked_password(request: Request, name: str, password: str) -> tuple[User | None, float]:
    """``authenticate`` behind the throttle: 429 once this account or address failed too often; returns the user
    (``None`` for a wrong password) and how long to delay the answer to a wrong one."""
    address = client_address(request)
    wait = throttle(request).retry_after(name, address)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many wrong passwords; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(request.app.state.out_dir, name, password)
    if user is None:
        return None, throttle(request).failed(name, address)
    return user, 0.0


def require_user(request: Request) -> User:
    """Dependency: the user making the request; 401 when anonymous or the credentials are wrong."""
    user = current_user(request)
    if user is None:
        tried = _basic_credentials(request.headers.get("authorization", "")) is not None
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong user name or password" if tried else "sign in first",
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
    request.session[SESSION_GENERATION] = session_generation(request.app.state.out_dir, user.name)
    csrf_token(request)


def sign_out(request: Request) -> None:
    """End this session and every other one of the same user: a copied cookie stops working too."""
    name = request.session.get(SESSION_USER)
    if name and current_user(request) is not None:
        end_sessions(request.app.state.out_dir, name)
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
