"""Signing in as the same person from two places at once (review of issue 17, item 4).

On PostgreSQL two sign-ins read the account together; the sign-in bookkeeping (last sign-in,
failure count) used to be saved as a versioned edit of the account, so the second one found
the version moved and crashed with StaleDataError. Both must succeed, and wrong passwords
tried at the same moment must each count towards the lock-out.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from desktop.models import User
from desktop.services import users as user_service
from desktop.services.users import MAX_FAILURES, LoginFailed

PASSWORD = "Secret-Desk-2026"  # tests/conftest.py's users fixture


def _account(db: Any, user_id: int) -> tuple[int, int, Any, Any]:
    with db.read() as session:
        user = session.execute(select(User).where(User.id == user_id)).scalar_one()
        return user.version, user.failed_logins, user.locked_until, user.last_login_at


class _Together:
    """The password hasher, made to wait until every sign-in has read the account: the
    race of two desks pressing 登录 at the same moment, every time."""

    def __init__(self, hasher: Any, parties: int) -> None:
        self.hasher = hasher
        self.barrier = threading.Barrier(parties, timeout=20)

    def verify(self, hashed: str, password: str) -> bool:
        self.barrier.wait()
        return bool(self.hasher.verify(hashed, password))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.hasher, name)


def _at_once(db: Any, monkeypatch: pytest.MonkeyPatch, passwords: list[str]) -> list[object]:
    monkeypatch.setattr(user_service, "_hasher", _Together(user_service._hasher, len(passwords)))
    results: list[object] = [None] * len(passwords)

    def sign_in(n: int) -> None:
        try:
            results[n] = user_service.login(db, "admin", passwords[n])
        except BaseException as exc:  # noqa: BLE001 - the test looks at what each one got
            results[n] = exc

    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(len(passwords))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _postgresql_only(db: Any) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite takes its write lock before reading: sign-ins queue, they never race")


def test_a_sign_in_is_not_an_edit_of_the_account(db, admin):
    version, *_ = _account(db, admin.user_id)
    user_service.login(db, "admin", PASSWORD)
    with pytest.raises(LoginFailed):
        user_service.login(db, "admin", "wrong-password-1")
    after, failures, locked_until, last_login = _account(db, admin.user_id)
    assert after == version  # an admin editing the account meanwhile gets no conflict
    assert failures == 1 and locked_until is None and last_login is not None


def test_failures_in_a_row_lock_the_account_and_a_success_resets_the_count(db, admin):
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginFailed, match="不正确"):
            user_service.login(db, "admin", "wrong-password-1")
    assert _account(db, admin.user_id)[1] == MAX_FAILURES - 1
    user_service.login(db, "admin", PASSWORD)
    assert _account(db, admin.user_id)[1] == 0
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginFailed, match="不正确"):
            user_service.login(db, "admin", "wrong-password-1")
    with pytest.raises(LoginFailed, match="已锁定 15 分钟"):
        user_service.login(db, "admin", "wrong-password-1")
    _, failures, locked_until, _ = _account(db, admin.user_id)
    assert failures == 0 and locked_until is not None
    with pytest.raises(LoginFailed, match="账户因多次密码错误已锁定"):
        user_service.login(db, "admin", PASSWORD)  # the right password waits out the lock too


def test_two_sign_ins_as_the_same_person_at_the_same_moment_both_succeed(db, admin, monkeypatch):
    _postgresql_only(db)
    results = _at_once(db, monkeypatch, [PASSWORD, PASSWORD])
    assert [getattr(r, "username", r) for r in results] == ["admin", "admin"]
    assert _account(db, admin.user_id)[1] == 0


def test_wrong_passwords_at_the_same_moment_each_count_towards_the_lock_out(db, admin, monkeypatch):
    _postgresql_only(db)
    results = _at_once(db, monkeypatch, ["wrong-password-1"] * 3)
    assert all(isinstance(r, LoginFailed) for r in results), results
    assert _account(db, admin.user_id)[1] == 3  # none lost
    monkeypatch.undo()
    with pytest.raises(LoginFailed, match="不正确"):
        user_service.login(db, "admin", "wrong-password-1")
    with pytest.raises(LoginFailed, match="已锁定 15 分钟"):
        user_service.login(db, "admin", "wrong-password-1")


def test_a_wrong_password_beside_a_right_one_still_counts(db, admin, monkeypatch):
    _postgresql_only(db)
    results = _at_once(db, monkeypatch, [PASSWORD, "wrong-password-1"])
    assert getattr(results[0], "username", results[0]) == "admin"
    assert isinstance(results[1], LoginFailed), results[1]
    assert _account(db, admin.user_id)[1] in (0, 1)  # the success reset it, or came first
