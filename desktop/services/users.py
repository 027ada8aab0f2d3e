"""Accounts: argon2id password hashes, login with lockout, user management (admins only)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop.models import User
from desktop.models.enums import Role
from desktop.services import audit, permissions
from desktop.services.context import Actor, ServiceError, ValidationError, get_live, msg, now

if TYPE_CHECKING:
    from desktop.db import Database

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 10
MAX_PASSWORD = 128
MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" against online attacks
ZXCVBN_LENGTH = 72
_hasher = PasswordHasher()


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    is_fulltime: bool
    title: str
    locked: bool
    version: int

    @property
    def role_label(self) -> str:
        return Role(self.role).label


class LoginFailed(ServiceError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why a new password is refused, or None (GB/T 22239-2019 level 2: long, not guessable).

    At least MIN_PASSWORD characters, letters with digits or symbols, and not a common or
    easily guessed password: zxcvbn's estimate (its lists of common passwords, words, names,
    keyboard patterns, dates, and the person's own name and username in `user_inputs`) must
    reach MIN_SCORE. Existing accounts keep their passwords; the rule applies when one is set.
    """
    if len(password) < MIN_PASSWORD:
        return msg("密码至少 {n} 位", n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return msg("密码不超过 {n} 位", n=MAX_PASSWORD)
    if password.isdigit() or password.isalpha():
        return msg("密码须同时包含字母和数字（或符号）")
    inputs = [text for text in user_inputs if text]
    from zxcvbn import zxcvbn  # its word lists load in 0.05 s: only when a password is set

    # zxcvbn reads at most 72 characters (its cost grows with length): judge the beginning
    if zxcvbn(password[:ZXCVBN_LENGTH], user_inputs=inputs)["score"] < MIN_SCORE:
        return msg("密码过于常见或容易被猜到（如常用密码、键盘顺序、姓名或用户名加数字），"
                   "请换一个更难猜的密码，例如几个无关的词加数字和符号")
    return None


def _row(u: User) -> UserRow:
    locked = bool(u.locked_until and u.locked_until > now())
    return UserRow(u.id, u.username, u.display_name, u.role, u.active, u.is_fulltime, u.title,
                   locked, u.version)


def count(session: Session) -> int:
    return session.execute(select(func.count(User.id)).where(User.deleted_at.is_(None))).scalar_one()


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    permissions.require(actor, "view")
    users = session.execute(select(User).where(User.deleted_at.is_(None)).order_by(User.id)).scalars()
    return [_row(u) for u in users]


def create_user(session: Session, actor: Actor, *, username: str, display_name: str, role: str,
                password: str, title: str = "", is_fulltime: bool = True) -> UserRow:
    """Create an account. The very first account may be created by the system actor (set-up)."""
    permissions.require(actor, "user.manage")
    errors: dict[str, str] = {}
    username = username.strip()
    if not username:
        errors["username"] = msg("请填写用户名")
    elif len(username) > 50:
        errors["username"] = msg("用户名不超过 50 个字符")
    elif session.execute(select(User.id).where(func.lower(User.username) == username.lower())).first():
        errors["username"] = msg("用户名“{username}”已存在", username=username)
    if not display_name.strip():
        errors["display_name"] = msg("请填写姓名")
    if not Role.known(role):
        errors["role"] = msg("请选择有效的角色")
    weak = check_password_strength(password, (username, display_name))
    if weak:
        errors["password"] = weak
    if errors:
        raise ValidationError(errors)
    user = User(username=username, display_name=display_name.strip(), role=role,
                password_hash=hash_password(password), title=title, is_fulltime=is_fulltime)
    session.add(user)
    audit.record_create(session, actor, user)
    return _row(user)


def authenticate(session: Session, username: str, password: str) -> Actor:
    """Check a password; count failures and lock the account after MAX_FAILURES in a row.

    The caller must commit even when LoginFailed is raised, so that failures are counted:
    use `login()` below, which does this in its own unit of work.

    The sign-in bookkeeping (failure count, lock, last sign-in, a rehashed password) is
    written with plain UPDATEs that neither compare nor bump the account's version: two
    sign-ins as the same person at the same moment (two desks, two commands) are not an
    edit conflict, and a failure is counted in the database (`failed_logins + 1`), so
    concurrent wrong passwords each count and the lock-out still comes after MAX_FAILURES.
    """
    user = session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower(), User.deleted_at.is_(None))
    ).scalar_one_or_none()
    moment = now()
    if user is None or not user.active:
        _hasher_delay(password)
        raise LoginFailed(msg("用户名或密码不正确。"))
    if user.locked_until and user.locked_until > moment:
        minutes = int((user.locked_until - moment).total_seconds() // 60) + 1
        raise LoginFailed(msg("账户因多次密码错误已锁定，请 {minutes} 分钟后再试或联系管理员。",
                              minutes=minutes))
    actor = Actor(user.id, user.username, user.role, user.display_name)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        failures = _bookkeep(session, user, failed_logins=User.failed_logins + 1,
                             returning=User.failed_logins)
        if failures is not None and failures >= MAX_FAILURES:
            _bookkeep(session, user, locked_until=moment + LOCKOUT, failed_logins=0)
            audit.record(session, actor, action="lockout", entity="users", entity_id=user.id)
            raise LoginFailed(msg("密码连续错误 {max_failures} 次，账户已锁定 15 分钟。",
                                  max_failures=MAX_FAILURES)) from None
        audit.record(session, actor, action="login_failed", entity="users", entity_id=user.id)
        raise LoginFailed(msg("用户名或密码不正确。")) from None
    changes: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login_at": moment}
    if _hasher.check_needs_rehash(user.password_hash):
        changes["password_hash"] = hash_password(password)
    _bookkeep(session, user, **changes)
    audit.record(session, actor, action="login", entity="users", entity_id=user.id)
    return actor


def _bookkeep(session: Session, user: User, *, returning: Any = None, **values: Any) -> Any:
    """UPDATE the sign-in columns of `user`'s row without its version (see `authenticate`);
    the loaded object is refreshed from the database on its next use. Returns the
    `returning` column's new value when one is asked for."""
    statement = (update(User).where(User.id == user.id).values(**values)
                 .execution_options(synchronize_session=False))
    if returning is not None:
        value = session.execute(statement.returning(returning)).scalar_one_or_none()
    else:
        session.execute(statement)
        value = None
    session.expire(user, list(values))
    return value


def login(db: Database, username: str, password: str) -> Actor:
    """Authenticate in its own transaction; failure counts are saved even when login fails."""
    failure: LoginFailed | None = None
    with db.session() as session:
        try:
            return authenticate(session, username, password)
        except LoginFailed as exc:
            failure = exc
    assert failure is not None
    raise failure


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one `password_hash` was made from, without touching any row
    (an account read from a backup). None (no such account) costs the same time as a check,
    so an unknown name cannot be told from a wrong password."""
    if password_hash is None:
        _hasher_delay(password)
        return False
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _hasher_delay(password: str) -> None:
    # spend the same time as a real check, so unknown names cannot be told from wrong passwords
    try:
        _hasher.verify(_dummy_hash(), password)
    except VerificationError:
        pass


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("riskdesk-timing-equaliser")  # made on first use: hashing costs ~0.1 s


def change_password(session: Session, actor: Actor, *, old_password: str, new_password: str) -> None:
    user = _get(session, actor.user_id)
    try:
        _hasher.verify(user.password_hash, old_password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise ValidationError({"old_password": msg("原密码不正确")}) from None
    weak = check_password_strength(new_password, (user.username, user.display_name))
    if weak:
        raise ValidationError({"new_password": weak})
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    audit.record(session, actor, action="password_change", entity="users", entity_id=user.id)


def reset_password(session: Session, actor: Actor, user_id: int, new_password: str) -> None:
    permissions.require(actor, "user.manage")
    user = _get(session, user_id)
    weak = check_password_strength(new_password, (user.username, user.display_name))
    if weak:
        raise ValidationError({"password": weak})
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor, action="password_reset", entity="users", entity_id=user.id)


def set_role(session: Session, actor: Actor, user_id: int, role: str, *, active: bool = True) -> UserRow:
    permissions.require(actor, "user.manage")
    if not Role.known(role):
        raise ValidationError({"role": msg("请选择有效的角色")})
    user = _get(session, user_id)
    before = audit.snapshot(user)
    if user.id == actor.user_id and (role != Role.ADMIN or not active):
        raise ValidationError({"role": msg("不能取消自己的管理员权限或停用自己的账户")})
    user.role = role
    user.active = active
    audit.record_update(session, actor, user, before)
    return _row(user)


def _get(session: Session, user_id: int | None) -> User:
    return get_live(session, User, user_id, msg("用户不存在或已删除。"))
