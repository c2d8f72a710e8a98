"""Server-rendered pages: one Jinja2 environment with autoescaping on for every template, and strict headers.

Report text is untrusted. Autoescaping turns ``<script>`` into text, and the Content-Security-Policy (scripts
and styles only from ``/static``, no inline code) is the second wall should a template ever slip.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from workreview.web.auth import csrf_token

WEB_DIR = Path(str(files("workreview.web")))
"""The installed package's folder (a wheel carries ``templates/`` and ``static/`` as package data)."""
STATIC_DIR = WEB_DIR / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

environment = Environment(
    loader=FileSystemLoader(WEB_DIR / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(request: Request, template: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """The page ``template`` with the signed-in user and the session's CSRF token available to every form."""
    page = environment.get_template(template).render(
        request=request,
        user=getattr(request.state, "user", None),
        csrf_token=csrf_token(request),
        **context,
    )
    return HTMLResponse(page, status_code=status_code, headers=SECURITY_HEADERS)
