"""Repeat-hazard warning: same catalogue item or near-identical text and location."""

from __future__ import annotations

from desktop.models import Catalogue, CatalogueItem
from desktop.services import hazards
from desktop.services.queries import similar
from tests.factories import make_project


def test_similar_open_hazards(db, admin):
    with db.session() as s:
        p = make_project(s, admin)
        other = make_project(s, admin)
        cat = Catalogue(code="mh@test", kind="major_hazard", edition="2022", title="判定标准")
        s.add(cat)
        s.flush()
        item = CatalogueItem(catalogue_id=cat.id, code="05-2", text="基坑土方超挖且未采取有效措施")
        s.add(item)
        s.flush()
        base = dict(level=3, measures="整改", contingency="警戒")
        a = hazards.record(s, admin, hazards.HazardForm(project_id=p.project, description="3#楼临边防护栏杆缺失",
                                                        location="3#楼三层东侧", **base))
        b = hazards.record(s, admin, hazards.HazardForm(project_id=p.project, description="基坑北侧超挖",
                                                        location="基坑北侧", catalogue_item_id=item.id,
                                                        **(base | {"level": 1, "stop_work": "partial"})))
        hazards.record(s, admin, hazards.HazardForm(project_id=other.project, description="3#楼临边防护栏杆缺失",
                                                    location="3#楼三层东侧", **base))

        near = similar.similar_open(s, project_id=p.project, description="3#楼临边防护栏杆缺失。",
                                    location="3#楼 三层东侧")
        assert [x.hazard_id for x in near] == [a.id]
        same_item = similar.similar_open(s, project_id=p.project, description="完全不同的描述",
                                         catalogue_item_id=item.id)
        assert [x.hazard_id for x in same_item] == [b.id]
        assert similar.similar_open(s, project_id=p.project, description="配电箱未接地", location="生活区") == []
        # elsewhere on the site is not a repeat
        assert similar.similar_open(s, project_id=p.project, description="3#楼临边防护栏杆缺失",
                                    location="地下车库入口坡道") == []
        # closed hazards are not repeats to link to
        h = hazards.cancel(s, admin, a.id, expected_version=a.version, reason="误登记")
        assert h.status == "cancelled"
        assert similar.similar_open(s, project_id=p.project, description="3#楼临边防护栏杆缺失",
                                    location="3#楼三层东侧") == []
