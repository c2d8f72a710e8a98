"""Login throttling: wrong passwords are counted per account and per client address over a sliding minute.

Past ``MAX_FAILURES`` failures in ``WINDOW_S`` seconds for either key, sign-in attempts (the form and HTTP Basic)
are answered ``429`` without checking the password at all, so a guesser costs the server no argon2 work either.
Each wrong password on the sign-in form is also answered after a delay that doubles with every failure (from
``DELAY_STEP_S`` up to ``DELAY_MAX_S``), without holding a worker thread. The counts live in the app's memory:
one process serves the app, and a restart forgetting them costs an attacker a minute at most.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

WINDOW_S = 60.0
MAX_FAILURES = 10
"""Failures allowed per account and per address within ``WINDOW_S``; the next attempt gets 429."""
DELAY_STEP_S = 0.1
DELAY_MAX_S = 3.0


@dataclass
class LoginThrottle:
    window_s: float = WINDOW_S
    max_failures: int = MAX_FAILURES
    delay_step_s: float = DELAY_STEP_S
    delay_max_s: float = DELAY_MAX_S
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def keys(account: str, address: str | None) -> tuple[str, str]:
        return f"account:{account.strip().casefold()[:64]}", f"address:{address or 'unknown'}"

    def retry_after(self, account: str, address: str | None) -> int | None:
        """Seconds until an attempt for ``account`` from ``address`` is allowed again; ``None`` when it is now."""
        now = time.monotonic()
        waits = []
        with self._lock:
            for key in self.keys(account, address):
                recent = self._recent(key, now)
                if len(recent) >= self.max_failures:
                    waits.append(recent[-self.max_failures] + self.window_s - now)
        return max(1, round(max(waits))) if waits else None

    def failed(self, account: str, address: str | None) -> float:
        """Count a wrong password; returns the delay to answer it after."""
        now = time.monotonic()
        with self._lock:
            counts = []
            for key in self.keys(account, address):
                recent = self._recent(key, now)
                recent.append(now)
                counts.append(len(recent))
        return min(self.delay_step_s * 2 ** (max(counts) - 1), self.delay_max_s)

    def _recent(self, key: str, now: float) -> deque[float]:
        recent = self._failures[key]
        while recent and recent[0] <= now - self.window_s:
            recent.popleft()
        return recent
