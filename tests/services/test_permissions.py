"""The permission matrix, walked cell by cell: each role × each action allowed or refused.

The expected table is written out here from the product rules, independently of
desktop.services.permissions, so a change to either one shows up as a failing cell.
"""

from __future__ import annotations

import pytest

from desktop.models.enums import Role
from desktop.services import permissions
from desktop.services.context import Actor, PermissionDenied

#                          admin tech_lead inspector clerk reviewer
EXPECTED = {
    "view":                 "YYYYY",
    "export":               "YYYYY",
    "package.sign":         "YYYY.",
    "trust.edit":           "YY...",
    "project.edit":         "YY.Y.",
    "project.delete":       "Y....",
    "org.edit":             "YY.Y.",
    "inspection.edit":      "YYYY.",
    "risk_source.edit":     "YYY..",
    "risk.assess":          "YY...",
    "plan.edit":            "YY.Y.",
    "meeting.edit":         "YYYY.",
    "hazard.record":        "YYYY.",
    "hazard.edit":          "YYYY.",
    "hazard.notify":        "YYYY.",
    "hazard.deliver":       "YYYY.",
    "hazard.submit_closure": "YYYY.",
    "hazard.close":         "YYY..",
    "hazard.reject":        "YYY..",
    "hazard.escalate":      "YYYY.",
    "hazard.report":        "YYYY.",
    "hazard.cancel":        "YY...",
    "training.edit":        "YYYY.",
    "drill.edit":           "YYYY.",
    "document.draft":       "YYYY.",
    "document.sign":        ".Y...",
    "document.submit":      "YYYY.",
    "archive.edit":         "YY.Y.",
    "archive.destroy":      "YY...",
    "import":               "YY.Y.",
    "backup":               "YY.Y.",
    "restore":              "Y....",
    "compliance.answer":    "YY...",
    "fee.edit":             "YY.Y.",
    "complaint.edit":       "YY.Y.",
    "incident.edit":        "YY...",
    "user.manage":          "Y....",
    "settings.edit":        "Y....",
    "key.export":           "Y....",
    "key.import":           "Y....",
    "db.grants":            "Y....",
    "recycle.purge":        "Y....",
}
ROLES = [Role.ADMIN, Role.TECH_LEAD, Role.INSPECTOR, Role.CLERK, Role.REVIEWER]
CELLS = [(action, role, row[i] == "Y") for action, row in EXPECTED.items() for i, role in enumerate(ROLES)]


def test_every_action_is_in_the_table():
    assert set(EXPECTED) == set(permissions.MATRIX)


@pytest.mark.parametrize(("action", "role", "allowed"), CELLS, ids=[f"{a}-{r.value}" for a, r, _ in CELLS])
def test_cell(action, role, allowed):
    actor = Actor(1, role.value, role.value)
    assert permissions.allowed(role.value, action) is allowed
    if allowed:
        permissions.require(actor, action)
    else:
        with pytest.raises(PermissionDenied) as info:
            permissions.require(actor, action)
        assert role.label in info.value.message and "无权" in info.value.message


def test_reviewer_changes_nothing_and_only_tech_leads_sign():
    writes = [a for a in permissions.MATRIX if a not in ("view", "export")]
    assert not any(permissions.allowed("reviewer", a) for a in writes)
    assert [r for r in ROLES if permissions.allowed(r.value, "document.sign")] == [Role.TECH_LEAD]


def test_unknown_action_is_a_bug_not_a_refusal():
    with pytest.raises(KeyError):
        permissions.allowed("admin", "no.such.action")


def test_a_role_this_version_does_not_know_is_refused_and_named_as_stored():
    with pytest.raises(PermissionDenied) as info:
        permissions.require(Actor(1, "auditor", "auditor"), "hazard.record")
    assert info.value.message == "auditor无权登记隐患。"
