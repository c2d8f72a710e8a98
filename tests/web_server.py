"""The web app served for real (uvicorn on a free port of 127.0.0.1), for the browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher

from pipeline import review
from workreview.web.app import create_app


@contextmanager
def served_app(out: Path, name: str, role: str, password: str) -> Iterator[str]:
    """The app over the dataset in ``out`` with one account (hashed cheaply: the tests sign in often); yields its
    address and stops it afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(review, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        review.save_user(out, name, role, password)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(out), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=5)


def sign_in(page, name: str = "rita", password: str = "rita-password") -> None:
    """Fill the sign-in form the page shows and submit it with Enter, waiting for the page it leads to."""
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
