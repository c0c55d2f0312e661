"""Login throttling: per address and per account, with temporary lockouts that grow, logged.

- An address with ADDRESS_LIMIT failed logins within WINDOW seconds is locked out for BASE_LOCK
  seconds, doubling with each further lockout up to MAX_LOCK. While locked, its attempts are
  refused at once, without checking the password (so guessing gains nothing and costs nothing).
- An account with ACCOUNT_LIMIT failures within WINDOW (from any addresses: a spread-out attack)
  is locked out for addresses that have failed on it; an address with no recent failure can still
  sign in, so that one attacker cannot lock the real admin out.
Nothing sleeps: a flood of guesses never holds up a real login.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("qingfeng.login")

ADDRESS_LIMIT = 5
ACCOUNT_LIMIT = 20
WINDOW = 15 * 60
BASE_LOCK = 30.0
MAX_LOCK = 15 * 60.0


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    lockouts: int = 0

    def recent(self, now: float) -> int:
        self.failures = [t for t in self.failures if now - t < WINDOW]
        return len(self.failures)


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._addresses: dict[str, _Record] = {}
        self._accounts: dict[str, _Record] = {}

    def refused(self, user: str, address: str) -> str | None:
        """A Chinese message when this attempt must be refused without checking the password."""
        now = self._clock()
        with self._lock:
            record = self._addresses.get(address)
            if record and record.locked_until > now:
                log.warning("login refused: address %s locked (%.0f s left)", address, record.locked_until - now)
                return f"登录失败次数过多，请{_wait(record.locked_until - now)}后再试。"
            account = self._accounts.get(user)
            if account and account.locked_until > now and record and record.recent(now):
                log.warning("login refused: account %r locked for address %s", user, address)
                return f"该账户登录失败次数过多，请{_wait(account.locked_until - now)}后再试。"
        return None

    def failed(self, user: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for records, key, limit in ((self._addresses, address, ADDRESS_LIMIT), (self._accounts, user, ACCOUNT_LIMIT)):
                record = records.setdefault(key, _Record())
                record.failures.append(now)
                if record.recent(now) >= limit and record.locked_until <= now:
                    record.locked_until = now + min(BASE_LOCK * 2 ** record.lockouts, MAX_LOCK)
                    record.lockouts += 1
                    log.warning("login lockout: %s %r for %.0f s after %d failures", "address" if records is self._addresses
                                else "account", key, record.locked_until - now, len(record.failures))
        log.info("login failed: user %r from %s", user, address)

    def succeeded(self, user: str, address: str) -> None:
        with self._lock:
            self._addresses.pop(address, None)
        log.info("login: user %r from %s", user, address)


def _wait(seconds: float) -> str:
    seconds = max(1, round(seconds))
    return f" {seconds} 秒" if seconds < 60 else f" {round(seconds / 60)} 分钟"
