"""Generate an agency-scale database: 5,000 projects and 1,000,000 hazards (realistic mix).

    .venv/bin/python -m bench.generate --out /tmp/scale --projects 5000 --hazards 1000000

Rows go in through bulk executemany on the migrated schema (the services would take
hours for a million rows); the distributions follow what agencies see: most hazards are
level 3/4 and closed, a few percent level 1, the open ones clustered in recent months.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from pathlib import Path

from desktop import clock
from desktop.db import Database

DISTRICTS = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
INSURERS = ["中国人民财产保险股份有限公司绍兴市分公司", "中国平安财产保险股份有限公司绍兴中心支公司",
            "中国太平洋财产保险股份有限公司绍兴中心支公司", "中华联合财产保险股份有限公司绍兴中心支公司",
            "浙商财产保险股份有限公司绍兴中心支公司"]
CATEGORIES = {
    "高处作业": (["临边防护栏杆缺失", "洞口未设置盖板", "安全网破损未及时更换", "作业人员未系安全带"],
                 ["楼层临边", "电梯井口", "屋面", "外架作业层"]),
    "脚手架": (["连墙件设置不足", "立杆基础积水下沉", "剪刀撑未连续设置", "脚手板未满铺"],
               ["外脚手架", "悬挑脚手架", "落地脚手架"]),
    "临时用电": (["配电箱未设置漏电保护器", "电缆拖地未架空", "开关箱一闸多机", "PE线未重复接地"],
                 ["生活区配电房", "施工现场二级箱", "钢筋加工棚"]),
    "基坑工程": (["基坑边堆载超过设计值", "基坑监测数据未及时报送", "支护结构出现裂缝", "坑边未设置排水沟"],
                 ["基坑北侧", "基坑东侧", "地下室坡道"]),
    "模板支撑": (["高支模立杆间距超过方案", "扫地杆缺失", "顶托伸出长度过大"],
                 ["地下室顶板", "大堂高支模区域", "转换层"]),
    "起重机械": (["塔吊限位装置失效", "施工升降机防坠器过期", "吊索具磨损未报废"],
                 ["1#塔吊", "2#施工升降机", "吊装作业区"]),
    "消防安全": (["动火作业未办理审批", "灭火器压力不足", "易燃材料堆放未隔离"],
                 ["生活区宿舍", "材料堆场", "木工加工区"]),
    "文明施工": (["材料堆放杂乱", "现场道路未硬化", "围挡破损"], ["施工大门", "材料堆场", "围挡西侧"]),
}
LEVEL_WEIGHTS = [(1, 2), (2, 10), (3, 50), (4, 38)]
STATUS_WEIGHTS = [("closed", 78), ("rectifying", 8), ("notified", 4), ("recorded", 3),
                  ("closure_submitted", 5), ("cancelled", 2)]


def _weighted(rng: random.Random, pairs):  # type: ignore[no-untyped-def]
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def generate(out: Path, *, projects: int, hazards: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "riskdesk.sqlite3"
    if path.exists():
        path.unlink()
    db = Database(f"sqlite:///{path}")
    db.migrate(backup=False)
    started = time.perf_counter()
    raw = db.engine.raw_connection()
    cur = raw.cursor()
    cur.execute("PRAGMA synchronous = OFF")
    cur.execute("BEGIN")
    now = dt.datetime(2026, 11, 28, 9, 0)
    stamp = str(now)  # sqlite3's implicit datetime adapter is deprecated: pass text
    orgs = []
    for i, name in enumerate(INSURERS, start=1):
        orgs.append((i, "insurer", name, ""))
    for j, d in enumerate(DISTRICTS, start=len(orgs) + 1):
        orgs.append((j, "authority", f"{d}住房和城乡建设局", d))
    base = len(orgs)
    n_contractors = max(10, projects // 10)
    for k in range(n_contractors):
        orgs.append((base + k + 1, "contractor", f"浙江第{k + 1}建设集团有限公司", ""))
    base = len(orgs)
    for k in range(max(5, projects // 40)):
        orgs.append((base + k + 1, "supervisor", f"绍兴第{k + 1}工程管理有限公司", ""))
    cur.executemany(
        "INSERT INTO organisations(id, kind, name, district, short_name, credit_code, address, phone,"
        " created_at, updated_at, version) VALUES (?,?,?,?,'','','','',?,?,1)",
        [(o[0], o[1], o[2], o[3], stamp, stamp) for o in orgs])
    authorities = [o for o in orgs if o[1] == "authority"]
    contractors = [o[0] for o in orgs if o[1] == "contractor"]
    supervisors = [o[0] for o in orgs if o[1] == "supervisor"]
    project_rows, policy_rows = [], []
    for p in range(1, projects + 1):
        auth = rng.choice(authorities)
        start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 1400))
        status = "completed" if start < dt.date(2024, 6, 1) and rng.random() < 0.6 else "active"
        project_rows.append((p, f"SX-{start.year}-{p:05d}", f"{auth[3]}第{p}号地块建设工程",
                             auth[3], auth[0], rng.choice(contractors), rng.choice(supervisors), status,
                             str(start), str(start + dt.timedelta(days=700)) if status == "completed" else None,
                             rng.choice(["high", "medium", "medium", "low", "low", "low"]),
                             rng.randrange(5, 40), rng.randrange(50, 800), stamp, stamp))
        policy_rows.append((p, p, f"AZX{start.year}{p:07d}", rng.randrange(1, len(INSURERS) + 1),
                            str(start), str(start + dt.timedelta(days=900)), stamp, stamp))
    cur.executemany(
        "INSERT INTO projects(id, code, name, district, authority_id, contractor_id, supervisor_id,"
        " status, start_date, completion_date, risk_level, headcount_managers, headcount_workers,"
        " created_at, updated_at, version, address, project_type, notes) VALUES"
        " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,'','building','')", project_rows)
    cur.executemany(
        "INSERT INTO policies(id, project_id, policy_no, insurer_id, start_date, end_date,"
        " created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,1)", policy_rows)
    cats = list(CATEGORIES)
    batch = []
    per_year: dict[int, int] = {}
    for h in range(1, hazards + 1):
        p = project_rows[rng.randrange(projects)]
        level = _weighted(rng, LEVEL_WEIGHTS)
        cat = rng.choice(cats)
        texts, places = CATEGORIES[cat]
        found = (now - dt.timedelta(days=rng.triangular(0, 1000, 30), hours=rng.randrange(0, 9))).replace(microsecond=0)
        status = _weighted(rng, STATUS_WEIGHTS) if found < now - dt.timedelta(days=60) else \
            rng.choice(["recorded", "notified", "rectifying", "closure_submitted", "closed"])
        year = found.year
        per_year[year] = per_year.get(year, 0) + 1
        deadline = found.date() + dt.timedelta(days={1: 3, 2: 7, 3: 15, 4: 30}[level])
        building = rng.randrange(1, 12)
        batch.append((
            # found_at and closed_at hold UTC instants (models/types.py); found_date the China day
            h, f"YH-{year}-{per_year[year]:06d}", p[0], str(clock.to_utc(found)), str(found.date()),
            f"{building}#楼{rng.choice(places)}", f"{building}#楼{rng.choice(texts)}，{rng.choice(texts)}",
            cat, level, level == 1 and rng.random() < 0.5, level == 2 and rng.random() < 0.2,
            "按规范要求立即整改", str(deadline), "整改期间设置警戒区", p[5], p[6],
            "partial" if level == 1 else "none", status,
            str(clock.to_utc(found + dt.timedelta(days=rng.randrange(1, 20)))) if status == "closed" else None,
            stamp, stamp))
        if len(batch) == 50_000:
            _insert_hazards(cur, batch)
            batch.clear()
    _insert_hazards(cur, batch)
    for year, value in per_year.items():
        cur.execute("INSERT INTO sequences(name, value) VALUES (?, ?)", (f"hazard:{year}", value))
    raw.commit()
    cur.execute("PRAGMA optimize")
    raw.close()
    db.dispose()
    return {"projects": projects, "hazards": hazards, "seconds": round(time.perf_counter() - started, 1),
            "size_mb": round(path.stat().st_size / 1e6, 1), "path": str(path)}


def _insert_hazards(cur, rows) -> None:  # type: ignore[no-untyped-def]
    cur.executemany(
        "INSERT INTO hazards(id, number, project_id, found_at, found_date, location, description,"
        " category, level, is_major, is_serious, measures, deadline, contingency,"
        " responsible_unit_id, supervising_unit_id, stop_work, status, closed_at, created_at,"
        " updated_at, version, responsible_person, escalated) VALUES"
        " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,'',0)", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(generate(args.out, projects=args.projects, hazards=args.hazards, seed=args.seed))


if __name__ == "__main__":
    main()
