"""Retention follows the project: completion date set or moved, retention years lengthened."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from desktop.services import archive, projects, rules
from desktop.services.context import ValidationError
from tests.factories import make_project


def test_completion_date_and_rule_change_refresh_retention(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        item = archive.add_item(s, admin, archive.ArchiveForm(project_id=p.project, title="隐患整改通知书", box="A-01", shelf="3号柜"))
        assert item.retention_until is None  # the project is still running
        detail = projects.get_detail(s, p.project)
        form = dataclasses.replace(detail.form, status="completed", completion_date=dt.date(2026, 6, 30))
        projects.update_project(s, admin, p.project, form, expected_version=detail.project.version)
        assert archive.get(s, item.id).retention_until == dt.date(2031, 6, 30)

        rules.set_value(s, admin, "archive.retention_years", 8)
        assert archive.get(s, item.id).retention_until == dt.date(2034, 6, 30)
        with pytest.raises(ValidationError):
            rules.set_value(s, admin, "archive.retention_years", 3)
