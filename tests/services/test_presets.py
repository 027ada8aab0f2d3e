"""Shaoxing's districts and their construction authorities, preset at set-up and editable."""

from __future__ import annotations

import json

import pytest

from desktop.services import organisations, presets
from desktop.services.context import (
    Actor,
    ConflictError,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from desktop.services.queries import project_list

DISTRICTS = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]


def test_the_preset_names_six_districts_each_with_its_bureau():
    preset = presets.authority_preset()
    assert [d.district for d in preset.districts] == DISTRICTS
    assert all(d.name == f"{d.district}住房和城乡建设局" for d in preset.districts)
    assert preset.city.name == "绍兴市住房和城乡建设局"


def test_created_once_under_the_city_and_offered_as_districts(db):
    with db.session() as s:
        rows = presets.create_authorities(s, Actor.system())
        again = presets.create_authorities(s, Actor.system())  # a second run adds nothing
    assert [r.id for r in again] == [r.id for r in rows]
    with db.read() as s:
        authorities = organisations.list_orgs(s, "authority")
        options = project_list.filter_options(s)
    assert len(authorities) == 7
    city = next(o for o in authorities if o.parent_id is None)
    assert {o.district for o in authorities if o.parent_id == city.id} == set(DISTRICTS)
    assert sorted(DISTRICTS) == list(options.districts)  # the city itself is no district
    assert "柯桥区住房和城乡建设局" in {n for _i, n in options.authorities}


def test_a_preset_authority_is_edited_like_any_unit(db, users):
    with db.session() as s:
        rows = presets.create_authorities(s, Actor.system())
    keqiao = next(r for r in rows if r.district == "柯桥区")
    with db.session() as s:
        edited = organisations.update(s, users["clerk"], keqiao.id,
                                      name="绍兴市柯桥区住房和城乡建设局", short_name="柯桥住建",
                                      district="柯桥区", expected_version=keqiao.version)
    assert edited.name == "绍兴市柯桥区住房和城乡建设局" and edited.version == keqiao.version + 1
    with db.session() as s, pytest.raises(ConflictError):
        organisations.update(s, users["clerk"], keqiao.id, name="别的名字",
                             expected_version=keqiao.version)
    with db.session() as s, pytest.raises(ValidationError) as refused:
        organisations.update(s, users["clerk"], keqiao.id, name="诸暨市住房和城乡建设局",
                             expected_version=edited.version)
    assert "已有同名" in str(refused.value)
    with db.session() as s, pytest.raises(ValidationError):
        organisations.update(s, users["clerk"], keqiao.id, name="  ", expected_version=edited.version)
    with db.session() as s, pytest.raises(PermissionDenied):
        organisations.update(s, users["inspector"], keqiao.id, name="某局",
                             expected_version=edited.version)


def test_a_broken_preset_file_is_said_in_chinese(tmp_path):
    bad = tmp_path / "authorities.json"
    bad.write_text(json.dumps({"format": 1, "city": {"name": ""}, "districts": []}), encoding="utf-8")
    with pytest.raises(ServiceError) as refused:
        presets.authority_preset(bad)
    assert "预置的区县主管部门文件无法读取" in str(refused.value)
