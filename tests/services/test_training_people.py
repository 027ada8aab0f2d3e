"""Training by person (N-13, C-4b means people): rosters, the identity rule, coverage as distinct
people per half-year, the sign-in sheet import, and one reading of the frequency rule."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from desktop.models import AuditEntry, TrainingAttendee
from desktop.services import compliance, periods, training, training_people, training_roster
from desktop.services.context import PermissionDenied, ValidationError
from desktop.services.exchange import training_sheet
from desktop.services.queries import dashboard
from desktop.services.training_people import AttendeeForm, id_check_digit
from tests.factories import make_project

H1 = periods.parse("2026H1")


def id_no(n: int) -> str:
    """A well-formed 18-digit ID number (check digit right) for person n."""
    first = f"330602199001{n:05d}"
    return first + id_check_digit(first)


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        return make_project(s, admin)  # 12 managers, 180 workers on record


def form(day, centralized=True, **kw):
    return training.SessionForm(date=day, topic="高处作业安全培训", categories=("高处作业",), trainer="王工",
                                centralized=centralized, **kw)


def crew(pid, managers=10, workers=150, **kw):
    return [AttendeeForm(pid, f"管理{i}", "manager", id_number=id_no(i), **kw) for i in range(managers)] + \
        [AttendeeForm(pid, f"工人{i}", "worker", phone=f"1380000{i:04d}") for i in range(workers)]


def test_the_same_people_trained_twice_are_counted_once(db, admin, proj):
    with db.session() as s:
        s.execute(select(1))
        for day in (dt.date(2026, 3, 1), dt.date(2026, 5, 1)):
            row = training.record_session(s, admin, form(day), [], crew(proj.project))
            assert row.attendance[0].managers == 10 and row.attendance[0].workers == 150
        st = training.half_year_status(s, proj.project, H1)
    assert (st.managers_trained + st.workers_trained) == 160  # people, not 320 attendances
    assert (st.manager_attendances + st.worker_attendances) == 320
    assert (st.managers_trained, st.workers_trained) == (10, 150) and not st.coverage_met


def test_identity_rule_id_number_then_name_and_phone_then_name(db, admin, proj):
    pid = proj.project
    with db.session() as s:
        training.record_session(s, admin, form(dt.date(2026, 3, 1)), [], [
            AttendeeForm(pid, "张三", "worker", id_number=id_no(1)),
            AttendeeForm(pid, "李四", "worker", phone="13800000001"),
            AttendeeForm(pid, "王五", "worker"),
        ])
        training.record_session(s, admin, form(dt.date(2026, 4, 1)), [], [
            AttendeeForm(pid, "张叁", "worker", id_number=id_no(1).lower()),  # same ID, name misspelt: same
            AttendeeForm(pid, "李四", "worker", phone="138 0000 0001"),  # same name and phone: same
            AttendeeForm(pid, "李四", "worker", phone="13900000002"),  # another phone: another 李四
            AttendeeForm(pid, "王五", "worker"),  # name only, same project: same
        ])
        people = training_people.people_trained(s, H1, [pid])[pid]
    assert people.workers == 4 and people.named == 4
    assert training_people.person_key("张三", "13800000001", id_no(1)) == "id:" + id_no(1)
    assert training_people.person_key("李四", "138-0000-0001") == "np:李四|13800000001"
    assert training_people.person_key("王五") == "n:王五"


def test_counts_without_a_roster_are_never_added_up(db, admin, proj):
    with db.session() as s:
        for day in (dt.date(2026, 3, 1), dt.date(2026, 5, 1)):
            training.record_session(s, admin, form(day), [training.Attendance(proj.project, 10, 150)])
        st = training.half_year_status(s, proj.project, H1)
    assert (st.managers_trained, st.workers_trained) == (10, 150)


def test_roster_validation_duplicates_and_masks(db, admin, users, proj):
    pid = proj.project
    with db.session() as s:
        with pytest.raises(ValidationError) as info:
            training.record_session(s, admin, form(dt.date(2026, 3, 1)), [], [
                AttendeeForm(pid, "张三", "worker", phone="13800000001"),
                AttendeeForm(pid, "张三", "manager", phone="13800000001")])
        assert "同一人" in info.value.fields["attendees"] and "第 2 行" in info.value.fields["attendees"]
        bad_check = id_no(5)[:17] + ("0" if id_no(5)[17] != "0" else "1")
        for wrong, field in ((AttendeeForm(pid, "", "worker"), "name"),
                             (AttendeeForm(pid, "赵六", "boss"), "group"),
                             (AttendeeForm(pid, "赵六", "worker", id_number="33060219900"), "id_number"),
                             (AttendeeForm(pid, "赵六", "worker", id_number=bad_check), "id_number"),
                             (AttendeeForm(pid, "赵六", "worker", phone="电话"), "phone")):
            assert field in training_people.problems(wrong)
        row = training.record_session(s, admin, form(dt.date(2026, 3, 1)), [],
                                      [AttendeeForm(pid, "张三", "worker", id_number=id_no(7))])
        with pytest.raises(ValidationError) as info:
            training_roster.add_attendee(s, admin, row.id, AttendeeForm(pid, "张三丰", "worker", id_number=id_no(7)),
                                         expected_version=row.version)
        assert "不能重复登记" in info.value.fields["name"]
        with pytest.raises(PermissionDenied):
            training_roster.add_attendee(s, users["reviewer"], row.id, AttendeeForm(pid, "赵六", "worker"),
                                         expected_version=row.version)
        row = training_roster.add_attendee(s, admin, row.id, AttendeeForm(pid, "赵六", "manager", phone="13912345678"),
                                           expected_version=row.version)
        assert (row.attendance[0].managers, row.attendance[0].workers) == (1, 1)
        zhang = next(a for a in row.attendees if a.name == "张三")
        assert zhang.masked_id == id_no(7)[:4] + "*" * 10 + id_no(7)[-4:] and zhang.contact == zhang.masked_id
        zhao = next(a for a in row.attendees if a.name == "赵六")
        assert zhao.contact == "139****5678"
        row = training_roster.edit_attendee(s, admin, row.id, zhao.id, AttendeeForm(pid, "赵六", "worker"),
                                            expected_version=row.version)
        assert (row.attendance[0].managers, row.attendance[0].workers) == (0, 2)
        row = training_roster.remove_attendee(s, admin, row.id, zhang.id, expected_version=row.version)
        assert [a.name for a in row.attendees] == ["赵六"]
        logged = s.execute(select(AuditEntry).where(AuditEntry.entity == "training_attendees")
                           .order_by(AuditEntry.id)).scalars().all()
        assert [e.action for e in logged] == ["create", "update", "delete"]
        assert id_no(7) not in str(logged[-1].before) and "**********" in str(logged[-1].before)
        stored = s.execute(select(TrainingAttendee.id_number)).scalars().all()
        assert stored == [""]  # 赵六 has none; 张三 was removed


def sheet(path, rows, header=("序号", "姓名", "类别", "电话", "身份证号", "单位")):
    book = Workbook()
    ws = book.active
    ws.append(["某某项目安全教育培训签到表"])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    book.save(path)
    return path


def test_import_from_a_sign_in_sheet(db, admin, proj, tmp_path):
    pid = proj.project
    good = sheet(tmp_path / "签到表.xlsx", [
        (1, "张三", "管理人员", 13800000001, id_no(1), "某建设集团"),
        (2, "李四", "作业人员", "13800000002", None, "某劳务公司"),
        (),
        (3, "王五", "作业", None, id_no(3), None),
    ])
    with db.session() as s:
        row = training.record_session(s, admin, form(dt.date(2026, 3, 1)), [training.Attendance(pid, 1, 1)])
        row = training_sheet.import_sheet(s, admin, row.id, pid, good, expected_version=row.version)
        assert [(a.name, a.group, a.phone, a.id_number) for a in row.attendees] == [
            ("张三", "manager", "13800000001", id_no(1)), ("李四", "worker", "13800000002", ""),
            ("王五", "worker", "", id_no(3))]
        assert (row.attendance[0].managers, row.attendance[0].workers) == (1, 2)
        with pytest.raises(ValidationError) as info:  # the same sheet again: the same people
            training_sheet.import_sheet(s, admin, row.id, pid, good, expected_version=row.version)
        assert "重复" in info.value.fields["file"]
    as_number = sheet(tmp_path / "number.xlsx", [(1, "张三", "管理人员", None, 330602199001011234, None)])
    with pytest.raises(ValidationError) as info:
        training_sheet.read_sheet(as_number, pid)
    text = info.value.fields["file"]
    assert "第 3 行 E 列（身份证号）" in text and "请将该列设为文本后重新导出" in text
    bad_group = sheet(tmp_path / "group.xlsx", [(1, "张三", "管理人员"), (2, "李四", "班长")])
    with pytest.raises(ValidationError) as info:
        training_sheet.read_sheet(bad_group, pid)
    assert "第 4 行 C 列（类别）" in info.value.fields["file"] and "班长" in info.value.fields["file"]
    no_name = sheet(tmp_path / "noname.xlsx", [(1, "张三")], header=("序号", "名字"))
    with pytest.raises(ValidationError, match="姓名"):
        training_sheet.read_sheet(no_name, pid)
    only_names = sheet(tmp_path / "names.xlsx", [("赵六",), ("钱七",)], header=("姓名",))
    assert [(f.name, f.group) for f in training_sheet.read_sheet(only_names, pid, default_group="manager")] \
        == [("赵六", "manager"), ("钱七", "manager")]
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(ValidationError, match="签到表"):
        training_sheet.read_sheet(tmp_path / "broken.xlsx", pid)


def test_update_session_replaces_or_keeps_the_roster(db, admin, proj):
    pid = proj.project
    with db.session() as s:
        row = training.record_session(s, admin, form(dt.date(2026, 3, 1), content="安全带正确使用"), [],
                                      crew(pid, 2, 3))
        assert row.content == "安全带正确使用"
        row = training.update_session(s, admin, row.id, form(dt.date(2026, 3, 1), content="安全带与临边防护"),
                                      [training.Attendance(pid, 99, 99)], expected_version=row.version)
        assert len(row.attendees) == 5 and (row.attendance[0].managers, row.attendance[0].workers) == (2, 3)
        assert row.content == "安全带与临边防护"
        row = training.update_session(s, admin, row.id, form(dt.date(2026, 3, 1)), [training.Attendance(pid, 1, 1)],
                                      expected_version=row.version, attendees=crew(pid, 1, 0))
        assert [a.name for a in row.attendees] == ["管理0"] and row.attendance[0].workers == 0


def test_dashboard_self_check_and_project_page_read_centralised_alike(db, admin, proj):
    pid = proj.project
    moment = dt.datetime(2026, 6, 20, 10)

    def readings():
        with db.read() as s:
            due = pid in dashboard.summary(s, moment).get("training_due").ids
            result = compliance.evaluate(s, period=H1, scope_type="project", scope_id=pid,
                                         as_of=dt.date(2026, 7, 10))
            gap = any("集中" in g.missing for g in result.get("C-4a").gaps)
            page = not training.half_year_status(s, pid, H1).frequency_met
        return due, gap, page

    with db.session() as s:
        training.record_session(s, admin, form(dt.date(2026, 3, 1), centralized=False), [], crew(pid, 12, 180))
    assert readings() == (True, True, True)  # trained, but not in a centralised session
    with db.session() as s:
        training.record_session(s, admin, form(dt.date(2026, 5, 1)), [], crew(pid, 12, 180))
    assert readings() == (False, False, False)
    with db.read() as s:
        result = compliance.evaluate(s, period=H1, scope_type="project", scope_id=pid, as_of=dt.date(2026, 7, 10))
    assert result.get("C-4b").status == "met"  # 12 + 180 people, each counted once


def test_the_rule_is_stated_where_people_read_the_self_check():
    from desktop.services import checklist_items

    basis = checklist_items.BY_ID["C-4b"].basis
    assert "同一人多次参训只计一次" in basis and "身份证号" in basis and "姓名加电话" in basis
    assert "集中培训" in checklist_items.BY_ID["C-4a"].basis
    assert training_people.mask_id("33060219900101123X") == "3306**********123X"
    assert training_people.mask_id("330602900101123") == "3306*******1123"  # the old 15 digits
    assert "id_number" not in training_people.problems(AttendeeForm(1, "甲", "worker", id_number=id_no(2)))
