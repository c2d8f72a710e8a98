"""Signing in and out, and the admins' users page."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pipeline.review import ROLES, ReviewError, User, delete_user, list_users, save_user, set_role
from workreview.web.auth import checked_password, require_csrf, require_role, sign_in, sign_out
from workreview.web.rendering import render

router = APIRouter()
admin_only = require_role("admin")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted ``next=//evil.example`` must not send a reviewer elsewhere."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not any(char == "\\" or char.isspace() or not char.isprintable() for char in target)
    ):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "name": ""})


@router.post("/login", dependencies=[Depends(require_csrf)])
async def login(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Sign in. A wrong password is answered after the throttle's growing delay, awaited without holding a thread;
    too many of them lock sign-in for a while (429, ``workreview.web.throttle``), and the form says so."""
    try:
        user, delay = await run_in_threadpool(checked_password, request, name, password)
    except HTTPException as refused:
        if refused.status_code != status.HTTP_429_TOO_MANY_REQUESTS:
            raise
        wait = (refused.headers or {})["Retry-After"]
        error = (
            "Too many wrong passwords for this account or from this address: "
            f"sign-in is locked; try again in {wait} s."
        )
        context = {"next": _safe_next(next), "error": error, "name": name}
        page = render(request, "login.html", context, status_code=refused.status_code)
        page.headers["Retry-After"] = wait
        return page
    if user is None:
        await asyncio.sleep(delay)
        context = {"next": _safe_next(next), "error": "Wrong user name or password.", "name": name}
        return render(request, "login.html", context, status_code=401)
    sign_in(request, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/users")
def users_page(request: Request, admin: User = Depends(admin_only)) -> Response:
    message = request.session.pop("flash", None)
    context = {"users": list_users(request.app.state.out_dir), "roles": ROLES, "message": message, "error": None}
    return render(request, "users.html", context)


@router.post("/users", dependencies=[Depends(require_csrf)])
def change_user(
    request: Request,
    action: Annotated[str, Form()],
    name: Annotated[str, Form()],
    role: Annotated[str, Form()] = "reviewer",
    password: Annotated[str, Form()] = "",
    admin: User = Depends(admin_only),
) -> Response:
    out_dir = request.app.state.out_dir
    try:
        if action == "save":
            created = save_user(out_dir, name, role, password)
            message = f"{'Added' if created else 'Updated'} {name.strip()} ({role})."
        elif action == "role":
            set_role(out_dir, name, role)
            message = f"{name} is now {role}."
        elif action == "delete":
            if name == admin.name:
                raise ReviewError("you cannot delete your own account")
            delete_user(out_dir, name)
            message = f"Deleted {name}; their decisions stay in the audit trail."
        else:
            raise ReviewError(f"unknown action {action!r}")
    except ReviewError as error:
        context = {"users": list_users(out_dir), "roles": ROLES, "message": None, "error": str(error)}
        return render(request, "users.html", context, status_code=400)
    request.session["flash"] = message
    return RedirectResponse("/users", status_code=303)
