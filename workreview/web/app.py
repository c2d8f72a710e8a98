"""The web app over one dataset folder: the reviewers' queue and decisions, accounts, and the analysts' API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from pipeline.errors import WorkreviewError
from pipeline.names import UnknownName
from pipeline.review import session_secret
from workreview.web import accounts, analysis, api, boundary_pages, views
from workreview.web.auth import require_user
from workreview.web.rendering import STATIC_DIR, render
from workreview.web.throttle import LoginThrottle

SESSION_COOKIE = "workreview_session"
SESSION_HOURS = 12


def create_app(out_dir: Path) -> FastAPI:
    """The app for the dataset in ``out_dir``; its state (``app.state.out_dir``) is all the routes need."""
    app = FastAPI(title="workreview", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.out_dir = Path(out_dir)
    app.state.login_throttle = LoginThrottle()
    app.middleware("http")(_api_headers)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(Path(out_dir)),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="strict",
        https_only=False,  # served on 127.0.0.1 over plain HTTP; put TLS in front before exposing it
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(accounts.router)
    app.include_router(views.router)
    app.include_router(boundary_pages.router)
    app.include_router(api.router)
    app.include_router(analysis.router)

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(require_user)])
    def openapi() -> JSONResponse:
        """The API's description, for signed-in users only: it maps every route and filter."""
        return JSONResponse(app.openapi())

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(WorkreviewError, _workreview_error)
    return app


API_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
"""On every API answer (errors too): no content sniffing, and no copy of a user's data left in any cache."""


async def _api_headers(request: Request, call_next) -> Response:
    response = await call_next(request)
    if _is_api(request):
        response.headers.update(API_HEADERS)
    return response


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


async def _workreview_error(request: Request, exc: Exception) -> Response:
    """Every expected failure (no dataset, a run writing, a refused query…) answered like an HTTP error of the
    status its class carries."""
    assert isinstance(exc, WorkreviewError)
    if isinstance(exc, UnknownName) and request.url.path.startswith("/api"):
        body = {"detail": str(exc), "parameter": exc.what, "value": exc.value, "suggestions": exc.suggestions}
        return JSONResponse(body, status_code=exc.http_status)
    return await _http_error(request, HTTPException(exc.http_status, str(exc)))


async def _http_error(request: Request, exc: Exception) -> Response:
    """Browsers get a page (or the login form when anonymous); API clients keep FastAPI's JSON errors."""
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        return await http_exception_handler(request, exc)
    if exc.status_code == 401:
        # After signing in, come back to the page, not to a form's POST target.
        target = (
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if request.method == "GET"
            else "/"
        )
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    page = render(
        request, "error.html", {"status": exc.status_code, "message": exc.detail}, status_code=exc.status_code
    )
    page.headers.update(exc.headers or {})  # e.g. Retry-After on a 429
    return page
