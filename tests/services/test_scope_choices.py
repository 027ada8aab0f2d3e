"""The draft dialog's scope search: projects by code or name, insurers and authorities by name,
at most `limit` listed with a flag when more match, deleted ones left out."""

from __future__ import annotations

import dataclasses

import pytest

from desktop.models import Project
from desktop.services import organisations, projects, recycle
from desktop.services.context import ValidationError
from desktop.services.queries import scope_choices
from tests.factories import make_project


@pytest.fixture
def data(db, admin):
    with db.session() as s:
        a = make_project(s, admin)  # 越城区, PICC
        b = make_project(s, admin, name="柯桥区华舍街道安置房", district="柯桥区")
        c = make_project(s, admin, name="50%_折扣 仓库")
        form = projects.get_detail(s, c.project).form
        projects.update_project(s, admin, c.project, dataclasses.replace(
            form, status="completed", completion_date=form.start_date), expected_version=1)
        gone = make_project(s, admin, name="已删除的华舍项目")
        recycle.soft_delete(s, admin, "projects", gone.project, reason="录入错误",
                            expected_version=s.get(Project, gone.project).version)
        ping_an = organisations.ensure(s, admin, kind="insurer", name="中国平安财产保险股份有限公司",
                                       short_name="平安产险")
    return a, b, c, ping_an


def texts(matches: scope_choices.ScopeMatches) -> list[str]:
    return [c.text for c in matches.choices]


def test_projects_match_code_or_name_every_word_any_case(db, data):
    a, b, c, _ = data
    with db.read() as s:
        everything = scope_choices.search(s, "project")
        assert [ch.id for ch in everything.choices] == [a.project, b.project, c.project]
        assert not everything.more
        assert all(t.startswith("P-2026-") for t in texts(everything))  # "编号 名称"
        assert [ch.id for ch in scope_choices.search(s, "project", "华舍").choices] == [b.project]
        code = everything.choices[1].text.split()[0]
        assert [ch.id for ch in scope_choices.search(
            s, "project", code.lower()).choices] == [b.project]
        assert [ch.id for ch in scope_choices.search(s, "project", "柯桥 安置房").choices] == [b.project]
        assert scope_choices.search(s, "project", "柯桥 仓库").choices == ()
        # LIKE's wildcards are plain characters here; a completed project is still listed
        assert [ch.id for ch in scope_choices.search(s, "project", "50%_").choices] == [c.project]
        assert [ch.id for ch in scope_choices.search(s, "project", "%").choices] == [c.project]


def test_the_list_stops_at_the_limit_and_says_there_are_more(db, data):
    a, b, _c, _ = data
    with db.read() as s:
        first = scope_choices.search(s, "project", limit=2)
        exact = scope_choices.search(s, "project", limit=3)
    assert [ch.id for ch in first.choices] == [a.project, b.project] and first.more
    assert len(exact.choices) == 3 and not exact.more


def test_insurers_and_authorities_by_name_or_short_name(db, data):
    a, b, _c, ping_an = data
    with db.read() as s:
        insurers = scope_choices.search(s, "insurer")
        assert {ch.id for ch in insurers.choices} == {a.insurer, ping_an.id}
        assert [ch.id for ch in scope_choices.search(s, "insurer", "平安产险").choices] == [ping_an.id]
        authorities = scope_choices.search(s, "authority", "柯桥")
        assert [ch.id for ch in authorities.choices] == [b.authority]
        assert texts(authorities) == ["柯桥区住房和城乡建设局"]
        # an insurer is not an authority
        assert scope_choices.search(s, "authority", "平安").choices == ()
        with pytest.raises(ValidationError):
            scope_choices.search(s, "agency")
