"""The password rule (GB/T 22239-2019 level 2): long, mixed, and not a common or guessable one."""

from __future__ import annotations

import pytest

from desktop.models import User
from desktop.models.enums import Role
from desktop.services import users
from desktop.services.context import Actor, ValidationError


@pytest.mark.parametrize(("password", "words"), [
    ("password1", "至少 10 位"), ("admin123", "至少 10 位"), ("Demo2024", "至少 10 位"),
    ("abcdefghijkl", "字母和数字"), ("12345678901", "字母和数字"),
    ("password1234", "过于常见"), ("admin1234567", "过于常见"), ("1qaz2wsx3edc", "过于常见"),
    ("qwertyuiop1", "过于常见"), ("P@ssw0rd2024", "过于常见"),
])
def test_weak_passwords_are_refused_in_chinese(password, words):
    reason = users.check_password_strength(password)
    assert reason is not None and words in reason


def test_the_persons_own_name_counts_as_guessable():
    assert users.check_password_strength("zhangwei2026!") is None  # a stranger's name: fine
    assert "容易被猜到" in (users.check_password_strength("zhangwei2026!", ("zhangwei", "张伟")) or "")


@pytest.mark.parametrize("password", ["Secret-Desk-2026", "Anquan-2026-sx", "RiskDesk#2026",
                                      "qing-shan-37-river"])
def test_strong_passwords_pass(password):
    assert users.check_password_strength(password) is None


def test_the_rule_applies_when_a_password_is_set_and_old_accounts_still_sign_in(db):
    with db.session() as session:
        with pytest.raises(ValidationError) as refused:
            users.create_user(session, Actor.system(), username="li", display_name="李工",
                              role=Role.INSPECTOR.value, password="admin1234567")
        assert "过于常见" in refused.value.fields["password"]
    with db.session() as session:  # an account made before the rule, with a short password
        row = users.create_user(session, Actor.system(), username="old", display_name="老账户",
                                role=Role.ADMIN.value, password="Long-Enough-2026")
        session.get(User, row.id).password_hash = users.hash_password("Demo2024")
    actor = users.login(db, "old", "Demo2024")
    assert actor.username == "old"
    with db.session() as session, pytest.raises(ValidationError) as weak:
        users.change_password(session, actor, old_password="Demo2024", new_password="old12345678")
    assert "容易被猜到" in weak.value.fields["new_password"]
    with db.session() as session:
        users.reset_password(session, actor, actor.user_id, "Brand-New-Desk-7")
    assert users.login(db, "old", "Brand-New-Desk-7").username == "old"


def test_long_passwords_are_judged_and_the_longest_refused():
    assert users.check_password_strength("password" * 12) is not None  # 96 characters, guessable
    assert users.check_password_strength("Qing-shan-37-river-" * 6) is None  # 114 characters
    assert "不超过 128 位" in (users.check_password_strength("Ab3$" * 40) or "")
