"""Sample data for the document tests: an agency, a project, hazards with real photo files."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from desktop.reports.data import (
    AgencyInfo,
    DangerItemInfo,
    DocMeta,
    HazardInfo,
    ProjectInfo,
    RegisterLine,
    StageInfo,
)

PROJECT_NAME = "绍兴市镜湖新区“金色家园”二期（A地块）住宅工程"
DESCRIPTION = "脚手架连墙件设置不符合专项施工方案要求，第8层至第12层连墙件缺失约6处（见照片）"
CATALOGUE_REF = "建质规〔2022〕2号 第五条第3项"


def pdftotext(path: Path, *, first: int | None = None, last: int | None = None,
              raw: bool = False) -> str:
    """Text of the PDF; `raw` keeps content-stream order, so a table cell's lines stay together."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-raw"] if raw else [])
    if first is not None:
        args += ["-f", str(first), "-l", str(last if last is not None else first)]
    return subprocess.run(args + [str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def page_count(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pdffonts(path: Path) -> list[list[str]]:
    """Rows of `pdffonts` after its two header lines, split on whitespace."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def flat(text: str) -> str:
    """pdftotext output without line breaks and spaces, for phrases that may wrap."""
    return "".join(text.split())


@pytest.fixture(scope="session")
def poppler():
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")


@pytest.fixture(scope="session")
def big_jpeg(tmp_path_factory) -> Path:
    """A 4000×3000 camera-sized JPEG with detail (so it does not compress to nothing)."""
    path = tmp_path_factory.mktemp("photos") / "site.jpg"
    img = Image.effect_noise((4000, 3000), 40).convert("RGB")
    draw = ImageDraw.Draw(img)
    for x in range(0, 4000, 80):
        draw.line([(x, 0), (4000 - x, 3000)], fill=(30, 60, 90), width=7)
    img.save(path, quality=92)
    return path


@pytest.fixture
def agency() -> AgencyInfo:
    return AgencyInfo("绍兴市安泰建设风险管理咨询有限公司", "安泰风控", "绍兴市越城区解放北路1号",
                      "0575-88886666")


def meta(agency: AgencyInfo, title: str, number: str, *, draft: bool = False) -> DocMeta:
    return DocMeta(title, number, dt.date(2026, 3, 5), agency, draft=draft)


@pytest.fixture
def project() -> ProjectInfo:
    return ProjectInfo(
        PROJECT_NAME, code="XM-2026-001", address="绍兴市越城区镜湖新区梅山路18号",
        project_type="房屋建筑工程", insurer="中国人民财产保险股份有限公司绍兴市分公司",
        policy_no="PICC-2026-000123", policy_start=dt.date(2026, 1, 1),
        policy_end=dt.date(2027, 6, 30), contractor="浙江某某建设集团有限公司",
        supervisor="浙江某某工程管理有限公司", owner="绍兴某某置业有限公司",
        authority="绍兴市越城区住房和城乡建设局",
        stages=(StageInfo("地基与基础", dt.date(2026, 1, 1), dt.date(2026, 4, 30)),
                StageInfo("主体结构", dt.date(2026, 5, 1), dt.date(2026, 12, 31)),
                StageInfo("装饰装修"), StageInfo("竣工验收")),
        danda_items=(DangerItemInfo("深基坑工程", True, "实施中", "开挖深度6.5m"),
                     DangerItemInfo("附着式升降脚手架工程", False, "计划", "")),
        risk_level="高风险", headcount_managers=18, headcount_workers=260,
        contacts=(("项目经理", "张三", "13900000001"), ("总监理工程师", "赵六", "13900000002")),
    )


@pytest.fixture
def hazard(big_jpeg) -> HazardInfo:
    return HazardInfo(
        "YH-2026-00001", PROJECT_NAME, "3#楼东侧外脚手架", DESCRIPTION, "脚手架工程", 1,
        is_major=True, catalogue_ref=CATALOGUE_REF,
        measures="立即补设连墙件，经验收合格后方可继续使用", deadline=dt.date(2026, 3, 8),
        contingency="立即停止该区域脚手架上作业，设置警戒区并安排专人监护",
        responsible_unit="浙江某某建设集团有限公司", responsible_person="张三",
        supervising_unit="浙江某某工程管理有限公司", found_at=dt.datetime(2026, 3, 5, 9, 30),
        stop_work="partial", status_label="整改中",
        photos_before=(big_jpeg,), photos_after=(big_jpeg,),
    )


@pytest.fixture
def minor_hazard() -> HazardInfo:
    return HazardInfo(
        "YH-2026-00002", PROJECT_NAME, "2#楼施工电梯", "配电箱未设置漏电保护器，“一机一闸一漏”未落实",
        "施工用电", 3, measures="更换合格配电箱", deadline=dt.date(2026, 3, 20),
        responsible_unit="浙江某某建设集团有限公司", status_label="整改中",
    )


def register_rows(n: int) -> list[RegisterLine]:
    rows = []
    for i in range(n):
        found = dt.date(2026, 1, 1) + dt.timedelta(days=i % 90)
        closed = found + dt.timedelta(days=4) if i % 3 else None
        rows.append(RegisterLine(
            number=f"YH-2026-{i + 1:05d}", project_name=f"绍兴市某某花园{i % 7 + 1}期工程",
            found_date=found, location=f"{i % 9 + 1}#楼", description=f"{DESCRIPTION}（第{i + 1}项）",
            category=("脚手架工程", "施工用电", "基坑工程", "高处作业")[i % 4], level=i % 4 + 1,
            is_major=i % 4 == 0, measures="按规范要求整改，整改完成后报监理单位复查",
            deadline=found + dt.timedelta(days=7), responsible_unit="浙江某某建设集团有限公司",
            status_label="已销项" if closed else "整改中", closed_date=closed,
            overdue=closed is None and i % 2 == 0,
        ))
    return rows
