"""Review packages (N-18): contents, signed manifest, verification naming each bad file, cancel."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import stat
import subprocess
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from sqlalchemy import select

from desktop.config import Config
from desktop.models import AgencyProfile, AuditEntry, Document, Policy
from desktop.reports.registers import read_hazard_xlsx
from desktop.services import agency, hazards, organisations, signing, trust
from desktop.services.context import Cancelled, ServiceError, ValidationError
from desktop.services.exchange import attachments, packages
from desktop.services.exchange.attachments import blob_path
from tests.factories import make_project

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg(colour: str, size=(800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def config(db, tmp_path):
    return Config(data_dir=tmp_path, values={} if db.is_sqlite else {"database_url": db.url})


def add_document(s, actor, store, *, scope_type, scope_id, number, status="signed",
                 signed_at=dt.datetime(2026, 8, 20, 9), period="", data=PDF,
                 kind="rectification_notice", title="隐患整改通知书"):
    doc = Document(kind=kind, number=number, title=title, period=period,
                   scope_type=scope_type, scope_id=scope_id, status=status, signed_at=signed_at)
    s.add(doc)
    s.flush()
    row = attachments.store_file(s, actor, store_dir=store, data=data, owner_type="document",
                                 owner_id=doc.id, role="document")
    doc.file_sha256, doc.file_size = row.sha256, row.size
    return doc.id


@pytest.fixture
def world(db, admin, config):
    """An agency with a key; one insured project with hazards, photos and documents in 2026Q3."""
    store = config.attachments_dir
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        signing.setup_key(s, data_dir=config.data_dir)
        p = make_project(s, admin)
        found = []
        for level, day, words in ((3, 5, "三层临边防护缺失"), (2, 18, "塔吊附着装置螺栓松动")):
            h = hazards.record(s, admin, hazards.HazardForm(
                project_id=p.project, description=words, level=level, measures="立即整改",
                contingency="设置警戒区", found_at=dt.datetime(2026, 8, day, 10)))
            found.append(h)
        for colour, role in (("red", "before"), ("blue", "before"), ("green", "after")):
            attachments.store_file(s, admin, store_dir=store, data=jpeg(colour),
                                   owner_type="hazard", owner_id=found[0].id, role=role,
                                   original_name=f"{colour}.jpg")
        on_project = {"scope_type": "project", "scope_id": p.project}
        add_document(s, admin, store, scope_type="hazard", scope_id=found[0].id,
                     number="风控整改〔2026〕0001号")
        add_document(s, admin, store, **on_project, number="风控清单〔2026〕0009号",
                     period="2026-08", signed_at=dt.datetime(2026, 9, 3), data=PDF + b"%month\n",
                     kind="hazard_list", title="2026年8月隐患排查及问题整改清单")
        add_document(s, admin, store, **on_project, number="风控方案〔2026〕0002号",
                     status="draft", data=PDF + b"%draft\n", kind="service_plan", title="工作方案")
        add_document(s, admin, store, **on_project, number="风控方案〔2026〕0003号",
                     signed_at=dt.datetime(2026, 11, 2), data=PDF + b"%q4\n",
                     kind="service_plan", title="工作方案")
        other_insurer = organisations.ensure(s, admin, kind="insurer",
                                             name="中国太平洋财产保险股份有限公司绍兴中心支公司")
        other = make_project(s, admin, name="柯桥区某厂房项目")
    with db.session() as s:  # the second project is insured by another insurer
        s.get(Policy, other.policy).insurer_id = other_insurer.id
    return p, other, found


def export(db, config, actor, ids, out, **kw):
    return packages.export_package(db, config, actor, insurer_id=ids.insurer, period="2026Q3",
                                   out_path=out, **kw)


def test_package_round_trip(db, admin, config, world, tmp_path):
    p, _, found = world
    out = tmp_path / "out" / "人保绍兴-2026Q3.zip"
    seen = []
    result = export(db, config, admin, p, out,
                    progress=lambda d, t, txt: seen.append((d, t)) or True)
    assert result.path == out and out.is_file() and seen[-1][0] == seen[-1][1]
    with zipfile.ZipFile(out) as z:
        infos = {i.filename: i for i in z.infolist()}
        manifest = json.loads(z.read("manifest.json"))
        for item in manifest["files"]:
            data = z.read(item["path"])
            assert hashlib.sha256(data).hexdigest() == item["sha256"] and len(data) == item["size"]
        hazard_xlsx = z.read("登记表/隐患排查及问题整改清单.xlsx")
        cover = z.read(packages.COVER)
    names = set(infos) - {"manifest.json", "manifest.sig"}
    assert names == {item["path"] for item in manifest["files"]}
    assert "文书/风控整改〔2026〕0001号-隐患整改通知书.pdf" in names
    assert "文书/风控清单〔2026〕0009号-2026年8月隐患排查及问题整改清单.pdf" in names  # 2026-08 in Q3
    assert not any("0002" in n for n in names)  # a draft
    # the project's plan, signed in Q4: its subject (the project) is in the package
    assert "文书/风控方案〔2026〕0003号-工作方案.pdf" in names
    photos = sorted(n for n in names if n.startswith("隐患照片/"))
    assert len(photos) == 3 and all(found[0].number in n for n in photos)
    assert {infos[n].compress_type for n in photos + [packages.COVER]} == {zipfile.ZIP_STORED}
    assert infos["manifest.json"].compress_type == zipfile.ZIP_DEFLATED
    assert manifest["period"]["label"] == "2026Q3"
    assert [x["code"] for x in manifest["projects"]] == [p_code(db, p.project)]
    (tmp_path / "reg.xlsx").write_bytes(hazard_xlsx)
    register = read_hazard_xlsx(tmp_path / "reg.xlsx")
    assert [r["number"] for r in register] == [h.number for h in found]
    (tmp_path / "cover.pdf").write_bytes(cover)
    text = subprocess.run(["pdftotext", str(tmp_path / "cover.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert result.fingerprint in text.replace("\n", " ") and "隐患照片/" in text
    assert {packages.README, packages.PUBLIC_KEY} <= names
    check = packages.verify_package(out)  # nobody trusted: intact, the signer not verified
    assert check.intact and check.signature_ok and check.files == len(names), check.text
    assert not check.ok and check.status == "untrusted" and check.exit_code == 3
    assert check.agency == "绍兴安途安全风控咨询有限公司" and "签名者未经核实" in check.text
    with db.read() as s:
        key = signing.registered_public_key(s)
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalar_one()
        assert entry.entity == "review_package"
    mine = packages.verify_package(out, trust.for_verification(config.data_dir))
    assert mine.ok and mine.exit_code == 0 and mine.signer.entry.source == trust.OWN
    assert "本机构自己的签名密钥" in mine.text and "结论：资料包完整" in mine.text
    assert packages.verify_package(out, [trust.given_entry(key)]).ok
    stranger = packages.verify_package(out, [trust.given_entry(
        signing.public_hex(Ed25519PrivateKey.generate()))])
    assert stranger.intact and not stranger.ok and stranger.exit_code == 1
    assert any("签名者与预期不符" in line for line in stranger.lines)


def p_code(db, project_id):
    from desktop.services import projects

    with db.read() as s:
        return projects.load(s, project_id).code


def rewrite(src, dst, *, drop=(), change=None, add=None):
    """A copy of the zip with members dropped, replaced or added (the manifest left as it was)."""
    change, add = change or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            zout.writestr(info, change.get(info.filename, zin.read(info.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def test_verify_names_changed_missing_extra_files_and_bad_signature(db, admin, config, world,
                                                                    tmp_path):
    p, _, _ = world
    out = export(db, config, admin, p, tmp_path / "pkg.zip").path
    with zipfile.ZipFile(out) as z:
        names = [n for n in z.namelist() if n.startswith("隐患照片/")]
        manifest = z.read("manifest.json")
    doc = "文书/风控整改〔2026〕0001号-隐患整改通知书.pdf"
    bad = rewrite(out, tmp_path / "bad.zip", drop={names[0]}, change={doc: PDF + b"%forged\n"},
                  add={"隐患照片/extra.jpg": jpeg("white"), "说明.txt": b"hello"})
    check = packages.verify_package(bad)
    assert not check.ok and check.signature_ok  # the manifest itself is intact
    assert check.missing == (names[0],) and check.changed == (doc,)
    assert check.extra == ("说明.txt", "隐患照片/extra.jpg")
    assert any(f"缺少文件：{names[0]}" == line for line in check.lines)
    assert any(line == f"文件被修改：{doc}" for line in check.lines)
    forged = json.loads(manifest)
    forged["agency"] = "冒名机构"
    tampered = rewrite(out, tmp_path / "sig.zip", change={
        "manifest.json": json.dumps(forged, ensure_ascii=False, indent=1).encode()})
    check = packages.verify_package(tampered)
    assert not check.ok and not check.signature_ok
    assert not (check.missing or check.changed or check.extra)
    assert any("签名：无效" in line for line in check.lines)
    resigned = rewrite(out, tmp_path / "sig2.zip", change={"manifest.sig": os.urandom(64)})
    assert not packages.verify_package(resigned).signature_ok
    (tmp_path / "junk.zip").write_bytes(b"not a zip at all")
    assert not packages.verify_package(tmp_path / "junk.zip").ok


def test_cancel_leaves_nothing_behind(db, admin, config, world, tmp_path):
    p, _, _ = world
    folder = tmp_path / "out"
    folder.mkdir()
    at_once = lambda done, total, text: False
    mid_way = lambda done, total, text: done == 0
    for progress in (at_once, mid_way):
        with pytest.raises(Cancelled):
            export(db, config, admin, p, folder / "pkg.zip", progress=progress)
        assert list(folder.iterdir()) == []
    with db.read() as s:
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "export")).first() is None


def test_scope_and_store_refusals(db, users, config, world, tmp_path):
    p, other, found = world
    admin = users["admin"]
    with pytest.raises(ValidationError, match="不由该承保机构承保"):
        export(db, config, admin, p, tmp_path / "x.zip", project_ids=[other.project])
    with pytest.raises(ValidationError, match="期间格式无效"):
        packages.export_package(db, config, admin, insurer_id=p.insurer, period="2026Q5",
                                out_path=tmp_path / "x.zip")
    with pytest.raises(ValidationError, match="没有承保项目"):
        packages.export_package(db, config, admin, insurer_id=p.insurer, period="2019",
                                out_path=tmp_path / "x.zip")
    with db.read() as s:
        photo = attachments.list_for(s, "hazard", found[0].id)[0]
    path = blob_path(config.attachments_dir, photo.sha256)
    path.chmod(0o644)
    path.write_bytes(jpeg("black"))  # same name, other content: a damaged store
    with pytest.raises(ServiceError, match="已损坏"):
        export(db, config, admin, p, tmp_path / "damaged.zip")
    path.unlink()
    with pytest.raises(ServiceError, match="缺少 1 个文件"):
        export(db, config, admin, p, tmp_path / "missing.zip")
    assert not any(f.name.endswith((".zip", ".part")) for f in tmp_path.iterdir())


def test_staff_may_export_but_only_with_the_agency_key(db, users, config, world, tmp_path):
    from desktop.services.context import PermissionDenied

    p, _, _ = world
    with pytest.raises(PermissionDenied, match="无权导出以本机构密钥签名的评审资料包"):
        export(db, config, users["reviewer"], p, tmp_path / "r.zip")  # read-only: signs nothing
    assert not (tmp_path / "r.zip").exists()
    assert export(db, config, users["inspector"], p, tmp_path / "i.zip").files > 0
    signing.key_path(config.data_dir).rename(tmp_path / "elsewhere.pem")
    with pytest.raises(ServiceError, match="找不到机构签名私钥"):
        export(db, config, users["clerk"], p, tmp_path / "nokey.zip")
    with db.session() as s:
        s.execute(select(AgencyProfile)).scalar_one().signing_public_key = None
    with pytest.raises(ServiceError, match="尚未生成机构签名密钥"):
        export(db, config, users["clerk"], p, tmp_path / "nokey.zip")
    assert not (tmp_path / "nokey.zip").exists()


def test_signing_key_file_and_profile(db, admin, tmp_path):
    folder = tmp_path / "keys"
    with db.session() as s:
        with pytest.raises(ServiceError, match="请先填写机构信息"):
            signing.setup_key(s, data_dir=folder)
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        first = signing.setup_key(s, data_dir=folder)
        again = signing.setup_key(s, data_dir=folder)
    assert first.created and not again.created and first.public_key == again.public_key
    mode = stat.S_IMODE(first.path.stat().st_mode)
    assert mode == 0o600 and first.path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    groups = first.fingerprint.split()
    assert len(groups) == 16 and all(len(g) == 4 for g in groups)
    signature = signing.sign(folder, b"manifest")
    assert signing.verify(first.public_key, b"manifest", signature)
    assert not signing.verify(first.public_key, b"manifest!", signature)
    with pytest.raises(ServiceError, match="已存在"):
        signing.create_key(folder)
    first.path.unlink()
    with db.session() as s, pytest.raises(ServiceError, match="私钥文件丢失"):
        signing.setup_key(s, data_dir=folder)
    with db.session() as s:
        renewed = signing.setup_key(s, data_dir=folder, replace_lost=True)
    assert renewed.created and renewed.public_key != first.public_key
    with db.session() as s:
        s.execute(select(AgencyProfile)).scalar_one().signing_public_key = first.public_key
    with db.session() as s, pytest.raises(ServiceError, match="不一致"):
        signing.setup_key(s, data_dir=folder)


def test_a_full_disk_during_export_leaves_nothing_and_says_so(db, admin, config, world, tmp_path, monkeypatch):
    import errno

    from desktop.services.context import ServiceError
    from desktop.services.exchange import backup

    p, _, _ = world
    folder = tmp_path / "out"
    folder.mkdir()

    def full(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup.StreamingZip, "add_file", full)
    monkeypatch.setattr(backup.StreamingZip, "add_bytes", full)
    with pytest.raises(ServiceError) as info:
        export(db, config, admin, p, folder / "pkg.zip")
    assert info.value.message.startswith("磁盘空间不足：")
    assert list(folder.iterdir()) == []
    with db.read() as s:
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "export")).first() is None


def test_the_members_are_written_and_listed_cover_and_registers_first(
        db, admin, config, world, tmp_path):
    """The zip's directory order is the writing order (no reordering of zipfile's list): cover,
    README, registers, documents, photos, public key, then the manifest and its signature."""
    from openpyxl import load_workbook

    p, _, found = world
    seen: list[tuple[int, int]] = []
    result = export(db, config, admin, p, tmp_path / "pkg.zip",
                    progress=lambda d, t, txt: seen.append((d, t)) or True)
    with zipfile.ZipFile(result.path) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        (tmp_path / "projects.xlsx").write_bytes(z.read(packages.PROJECT_REGISTER))
        first_offset = {i.filename: i.header_offset for i in z.infolist()}
    listed = [f["path"] for f in manifest["files"]]
    assert names[:4] == [packages.COVER, packages.README, packages.HAZARD_REGISTER,
                         packages.PROJECT_REGISTER]
    # the agency's signed audit checkpoints travel with the package (services/checkpoints)
    assert names[-4:] == [packages.CHECKPOINTS, packages.PUBLIC_KEY, "manifest.json", "manifest.sig"]
    assert names[:-2] == listed
    photos = [n for n in names if n.startswith("隐患照片/")]
    documents = [n for n in names if n.startswith("文书/")]
    assert names[4:-4] == documents + photos and len(photos) == 3
    offsets = [first_offset[n] for n in names]
    assert offsets[0] == 0 and offsets == sorted(offsets)  # written in the order listed
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1][0] == seen[-1][1] == sum(
        f["size"] for f in manifest["files"])
    wb = load_workbook(tmp_path / "projects.xlsx", read_only=True)
    rows = list(wb["项目清单"].iter_rows(values_only=True))
    wb.close()
    assert rows[0] == packages.PROJECT_HEADERS
    assert [r[0] for r in rows[1:]] == [p_code(db, p.project)]


@pytest.mark.parametrize("cancel_at", ["正在生成隐患排查及问题整改清单", "隐患照片/"])
def test_a_cancel_while_photos_are_copied_leaves_nothing(db, admin, config, world, tmp_path,
                                                        cancel_at):
    """A cancel while the register is made or while a photo goes in stops the export and
    leaves nothing; no thread is left running."""
    import sys
    import threading

    p, _, _ = world
    folder = tmp_path / "out"
    folder.mkdir()
    texts: list[str] = []

    def cancel(done, total, text):  # type: ignore[no-untyped-def]
        texts.append(text)
        return not text.startswith(cancel_at)

    before = sys.getswitchinterval()
    with pytest.raises(Cancelled):
        export(db, config, admin, p, folder / "pkg.zip", progress=cancel)
    assert sys.getswitchinterval() == before  # no process-wide tuning
    assert texts[0] == "正在生成隐患排查及问题整改清单" and any(t.startswith(cancel_at) for t in texts)
    assert list(folder.iterdir()) == []
    assert not [t for t in threading.enumerate()
                if t.name == "zip-write-behind"]
    with db.read() as s:
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "export")).first() is None


def test_the_packages_register_is_read_by_the_importer(db, admin, config, world, tmp_path):
    from desktop.services.exchange import importer

    p, _, found = world
    result = export(db, config, admin, p, tmp_path / "pkg.zip")
    register = tmp_path / "隐患排查及问题整改清单.xlsx"
    with zipfile.ZipFile(result.path) as z:
        register.write_bytes(z.read(packages.HAZARD_REGISTER))
    table = importer.read(register, kind="hazards")
    assert table.sheet == "隐患清单" and len(table.rows) == len(found)
    mapping, problems = importer.resolve_mapping(table, "hazards")
    assert problems == []
    assert {"number", "project_name", "found_date", "description", "level", "measures",
            "deadline"} <= set(mapping)
    number, level = mapping["number"].index, mapping["level"].index
    day = mapping["found_date"].index
    assert [r.values[number] for r in table.rows] == [h.number for h in found]
    assert [r.values[level] for r in table.rows] == ["三级", "二级"]
    assert [r.values[day] for r in table.rows] == [dt.datetime(2026, 8, d) for d in (5, 18)]


@pytest.mark.parametrize("limit", [0, 50])
def test_the_cover_lists_a_few_projects_and_counts_many(db, admin, config, world, tmp_path,
                                                        monkeypatch, limit):
    """Hundreds of projects would take pages before the file index: past PROJECTS_ON_COVER the
    cover counts them by status and points to the project register, which lists them all."""
    from openpyxl import load_workbook

    p, _, _ = world
    monkeypatch.setattr(packages, "PROJECTS_ON_COVER", limit)
    out = tmp_path / "pkg.zip"
    export(db, config, admin, p, out)
    with zipfile.ZipFile(out) as z:
        (tmp_path / "cover.pdf").write_bytes(z.read(packages.COVER))
        (tmp_path / "projects.xlsx").write_bytes(z.read(packages.PROJECT_REGISTER))
    text = subprocess.run(["pdftotext", str(tmp_path / "cover.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout.replace("\n", "")
    code = p_code(db, p.project)
    if limit == 0:
        assert "本资料包涵盖 1 个项目" in text and packages.PROJECT_REGISTER in text
        assert code not in text
    else:
        assert code in text and "本资料包涵盖" not in text
    wb = load_workbook(tmp_path / "projects.xlsx", read_only=True)
    assert code in [r[0] for r in wb["项目清单"].iter_rows(values_only=True)]
    wb.close()


# -- what a complete package holds (issue 15, part 9) ---------------------------------------------


def _pdf_text(data: bytes, tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _scope_records(s, admin, p, hazard_id):
    """One record of each scope type a document can be about, tied to project `p`."""
    from desktop.models import (
        Drill,
        EmergencyPlanAssist,
        Escalation,
        Inspection,
        ServicePlan,
        TrainingAttendance,
        TrainingSession,
    )

    inspection = Inspection(project_id=p.project, kind="routine", date=dt.date(2026, 8, 5))
    escalation = Escalation(hazard_id=hazard_id, kind="refusal", at=dt.datetime(2026, 8, 20, 9))
    training = TrainingSession(date=dt.date(2026, 8, 10), topic="高处作业安全")
    drill = Drill(project_id=p.project, date=dt.date(2026, 8, 12), scenario="高处坠落")
    special = ServicePlan(project_id=p.project, kind="special", title="专项服务方案")
    assist = EmergencyPlanAssist(project_id=p.project, kind="written_suggestions",
                                 date=dt.date(2026, 8, 14), title="综合应急预案")
    s.add_all([inspection, escalation, training, drill, special, assist])
    s.flush()
    s.add(TrainingAttendance(session_id=training.id, project_id=p.project, managers=2, workers=30))
    s.flush()
    return {"hazard": hazard_id, "inspection": inspection.id, "escalation": escalation.id,
            "training": training.id, "drill": drill.id, "service_plan": special.id,
            "project": p.project, "insurer": p.insurer, "agency": None,
            "plan_assist": assist.id}


def test_every_kind_of_signed_document_in_scope_is_in_the_package(db, admin, config, world,
                                                                  tmp_path):
    """Every kind of the document registry, on every scope that ties it to the insurer's
    projects — refusal reports, inspection, training and drill records, special plans,
    insurer-wide and agency-wide periodic reports — goes in; another insurer's, an authority's,
    a cancelled hazard's and a draft do not."""
    from desktop.services.queries import doc_data

    p, other, found = world
    store = config.attachments_dir
    expected: dict[str, str] = {}
    with db.session() as s:
        records = _scope_records(s, admin, p, found[1].id)
        n = 100
        for kind, spec in doc_data.KINDS.items():
            for scope_type in spec.scopes:
                if scope_type not in records:
                    continue
                n += 1
                number = f"风控测试〔2026〕{n}号"
                period = ("2026Q3" if scope_type in ("agency", "insurer") else "2026-08") \
                    if spec.periodic else ""
                add_document(s, admin, store, scope_type=scope_type, scope_id=records[scope_type],
                             number=number, period=period, kind=kind, title=f"{kind}-{scope_type}",
                             data=PDF + f"%{n}\n".encode())
                expected[number] = f"{kind}/{scope_type}"
        outside = {  # not about this insurer's projects of the period
            "风控外〔2026〕1号": dict(scope_type="project", scope_id=other.project,
                                 kind="service_plan"),
            "风控外〔2026〕2号": dict(scope_type="authority", scope_id=p.authority,
                                 kind="hazard_list", period="2026Q3"),
            "风控外〔2026〕3号": dict(scope_type="agency", scope_id=None, kind="safety_analysis",
                                 period="2026Q4", signed_at=dt.datetime(2026, 10, 9)),
            "风控外〔2026〕4号": dict(scope_type="inspection", scope_id=records["inspection"],
                                 kind="inspection_record", status="draft"),
        }
        for i, (number, kw) in enumerate(outside.items()):
            add_document(s, admin, store, number=number, title="外", data=PDF + f"%o{i}\n".encode(),
                         **kw)
    covered = set(expected.values())
    assert {"refusal_report/escalation", "inspection_record/inspection",
            "training_record/training", "drill_record/drill", "service_plan/service_plan",
            "hazard_list/agency", "safety_analysis/agency", "risk_assessment/insurer",
            "self_check/agency", "closure_record/hazard",
            "emergency_plan_advice/plan_assist", "fee_ledger/project",
            "submission_register/insurer"} <= covered
    out = export(db, config, admin, p, tmp_path / "pkg.zip").path
    with zipfile.ZipFile(out) as z:
        docs = [n for n in z.namelist() if n.startswith("文书/")]
        cover = _pdf_text(z.read(packages.COVER), tmp_path, "cover.pdf")
    for number, what in expected.items():
        assert any(name.startswith(f"文书/{number}-") for name in docs), what
    assert not any("风控外" in name for name in docs)
    assert len(docs) == len(expected) + 3  # and the world's notice, monthly list and plan
    assert "收录已签发文书：" in cover and "拒不整改（拖延整改）情况报告 1 份" in cover.replace("\n", "")
    assert "检查记录" in cover and "应急演练记录及评估报告" in cover


def _field(cover: str, label: str) -> str:
    """The value printed after `label` in the cover's field table (pdftotext -layout)."""
    for line in cover.splitlines():
        if label in line:
            return line.split(label, 1)[1].split()[0]
    raise AssertionError(f"{label} not on the cover")


def test_cover_counts_equal_the_list_with_a_cancelled_hazard_left_out_of_both(
        db, admin, config, world, tmp_path):
    """33 hazards on the cover against 32 in the signed list was the fault: a cancelled hazard
    is now in neither, its documents and photos stay out too, and the cover says so."""
    p, _, found = world
    store = config.attachments_dir
    with db.session() as s:
        gone = hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, description="误报：脚手架连墙件缺失", level=3, measures="无",
            found_at=dt.datetime(2026, 9, 2, 10)))
        attachments.store_file(s, admin, store_dir=store, data=jpeg("yellow"), owner_type="hazard",
                               owner_id=gone.id, role="before", original_name="y.jpg")
        add_document(s, admin, store, scope_type="hazard", scope_id=gone.id,
                     number="风控整改〔2026〕77号", data=PDF + b"%gone\n")
        hazards.cancel(s, admin, gone.id, expected_version=gone.version, reason="重复登记")
    out = export(db, config, admin, p, tmp_path / "pkg.zip").path
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        (tmp_path / "reg.xlsx").write_bytes(z.read(packages.HAZARD_REGISTER))
        cover = _pdf_text(z.read(packages.COVER), tmp_path, "cover.pdf")
    register = read_hazard_xlsx(tmp_path / "reg.xlsx")
    assert [r["number"] for r in register] == [h.number for h in found]
    assert gone.number not in {r["number"] for r in register}
    assert _field(cover, "隐患条数") == str(len(register)) == "2"
    assert _field(cover, "已撤销隐患") == "1"
    flat = cover.replace("\n", "").replace(" ", "")
    assert "本期发现后已撤销的隐患1条不列入清单、不计入隐患条数" in flat
    assert "上期结转0条" in flat and "状态和是否逾期统计截至" in flat
    assert not any(gone.number in n or "77号" in n for n in names)
    documents = [n for n in names if n.startswith("文书/")]
    assert _field(cover, "文书份数") == str(len(documents))
    with db.read() as s:  # the signed periodic list counts the same hazards
        from desktop.services.periods import parse
        from desktop.services.queries.doc_data_periodic import hazard_rows, scope_of

        rows = hazard_rows(s, scope_of(s, "insurer", p.insurer), parse("2026Q3"),
                           today=dt.date(2026, 12, 7))
    assert [r.number for r in rows] == [r["number"] for r in register]


def test_the_packages_list_has_the_full_columns(db, admin, config, world, tmp_path):
    """The package's list is the periodic list's row: 17 columns with 责任人, 应急预案/临时措施
    and 是否逾期 as 是（逾期 N 天销项） for a late closure."""
    from openpyxl import load_workbook

    from desktop.models import Hazard
    from desktop.reports.registers import HEADERS

    p, _, found = world
    with db.session() as s:
        h = s.get(Hazard, found[0].id)
        h.responsible_person = "王建国"
        h.deadline = dt.date(2026, 8, 10)
        h.status, h.closed_at = "closed", dt.datetime(2026, 8, 13, 16)  # three days late
    out = export(db, config, admin, p, tmp_path / "pkg.zip").path
    with zipfile.ZipFile(out) as z:
        (tmp_path / "reg.xlsx").write_bytes(z.read(packages.HAZARD_REGISTER))
    wb = load_workbook(tmp_path / "reg.xlsx", read_only=True)
    rows = list(wb["隐患清单"].iter_rows(values_only=True))
    wb.close()
    assert len(HEADERS) == 17 and rows[0] == HEADERS
    line = dict(zip(HEADERS, rows[1], strict=True))
    assert line["隐患编号"] == found[0].number and line["责任人"] == "王建国"
    assert line["应急预案/临时措施"] == "设置警戒区"
    assert line["是否逾期"] == "是（逾期3天销项）"
    assert dict(zip(HEADERS, rows[2], strict=True))["应急预案/临时措施"] == "设置警戒区"


def test_pg_restore_is_refused_while_other_sessions_are_connected(db, admin, tmp_path):
    """PostgreSQL: another session on the database refuses the restore, naming how many and
    from where; an admin's force goes on and says so."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL only (RISKDESK_TEST_PG_URL)")
    import shutil

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from desktop.services.exchange import backup

    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump not installed")
    config = Config(data_dir=tmp_path / "data", values={"database_url": db.url})
    made = backup.backup(db, config, tmp_path / "b.zip", actor=admin)
    db.dispose()
    url = make_url(db.url).set(drivername="postgresql+psycopg")
    other = create_engine(url.update_query_dict({"application_name": "riskdesk-desk2"}))
    with other.connect() as conn:
        conn.execute(text("SELECT 1"))
        with pytest.raises(backup.RestoreRefused) as refused:
            backup.restore(config, made.path, actor=admin)
        assert "另外 1 个会话" in refused.value.message and "riskdesk-desk2" in refused.value.message
        assert "--force" in refused.value.message
        assert not list(config.data_dir.glob("restore-aside-*"))  # nothing was touched
        result = backup.restore(config, made.path, actor=admin, force=True)
        assert any("已强制恢复" in w and "1 个会话" in w for w in result.warnings)
    other.dispose()


# -- documents signed after their period (review 15, D6) ------------------------------------------


def _package_docs(db, config, admin, p, tmp_path, period):
    out = packages.export_package(db, config, admin, insurer_id=p.insurer, period=period,
                                  out_path=tmp_path / f"pkg-{period}.zip").path
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        cover = _pdf_text(z.read(packages.COVER), tmp_path, f"cover-{period}.pdf")
    return [n for n in names if n.startswith("文书/")], cover


def test_a_document_signed_after_its_period_is_in_that_periods_package(db, admin, config, world,
                                                                      tmp_path):
    """A Q3 level-1 hazard's stop-work letter signed in November, its closure record signed in
    October, the records of a September inspection, training and drill signed after the quarter
    are in the Q3 package (before, by signing day, they were in no quarter's package); a
    record signed in Q3 about a June inspection stays in it as before; an October inspection's
    record, the October report and anything signed after the package was made stay out. The
    Q4 package leaves the Q3-closed hazard's letters out, takes the carried-over hazard's, and
    keeps what it took before (records signed in Q4)."""
    from desktop import clock
    from desktop.models import Drill, Hazard, Inspection, TrainingAttendance, TrainingSession

    p, _, found = world
    store = config.attachments_dir
    with db.session() as s:
        h = hazards.record(s, admin, hazards.HazardForm(
            project_id=p.project, description="深基坑东侧支护变形", level=1, measures="立即停止开挖",
            contingency="撤离基坑内人员", stop_work="partial",
            found_at=dt.datetime(2026, 9, 22, 10)))
        row = s.get(Hazard, h.id)
        row.status, row.closed_at = "closed", dt.datetime(2026, 9, 28, 16)
        sept = Inspection(project_id=p.project, kind="routine", date=dt.date(2026, 9, 22))
        june = Inspection(project_id=p.project, kind="routine", date=dt.date(2026, 6, 20))
        october = Inspection(project_id=p.project, kind="routine", date=dt.date(2026, 10, 5))
        training = TrainingSession(date=dt.date(2026, 9, 25), topic="深基坑作业安全")
        drill = Drill(project_id=p.project, date=dt.date(2026, 9, 28), scenario="基坑坍塌")
        s.add_all([sept, june, october, training, drill])
        s.flush()
        s.add(TrainingAttendance(session_id=training.id, project_id=p.project, managers=1,
                                 workers=20))
        on_project = {"scope_type": "project", "scope_id": p.project}
        late = {  # number: (scope, kind, signed at)
            "风控停工〔2026〕8号": ("hazard", h.id, "stop_work", dt.datetime(2026, 11, 20, 9)),
            "风控销项〔2026〕3号": ("hazard", h.id, "closure_record", dt.datetime(2026, 10, 9, 9)),
            "风控检查〔2026〕21号": ("inspection", sept.id, "inspection_record",
                                 dt.datetime(2026, 10, 3, 9)),
            "风控培训〔2026〕4号": ("training", training.id, "training_record",
                                 dt.datetime(2026, 10, 8, 9)),
            "风控演练〔2026〕2号": ("drill", drill.id, "drill_record", dt.datetime(2026, 11, 1, 9)),
        }
        for i, (number, (scope_type, scope_id, kind, at)) in enumerate(late.items()):
            add_document(s, admin, store, scope_type=scope_type, scope_id=scope_id, number=number,
                         kind=kind, title=kind, signed_at=at, data=PDF + f"%late{i}\n".encode())
        add_document(s, admin, store, scope_type="inspection", scope_id=june.id,
                     number="风控检查〔2026〕9号", kind="inspection_record", title="六月检查",
                     signed_at=dt.datetime(2026, 7, 2, 9), data=PDF + b"%june\n")
        add_document(s, admin, store, scope_type="inspection", scope_id=october.id,
                     number="风控检查〔2026〕30号", kind="inspection_record", title="十月检查",
                     signed_at=dt.datetime(2026, 10, 6, 9), data=PDF + b"%oct\n")
        add_document(s, admin, store, **on_project, number="风控清单〔2026〕0012号",
                     period="2026-09", kind="hazard_list", title="9月清单",
                     signed_at=dt.datetime(2026, 10, 8, 9), data=PDF + b"%sep\n")
        add_document(s, admin, store, **on_project, number="风控清单〔2026〕0015号",
                     period="2026-10", kind="hazard_list", title="10月清单",
                     signed_at=dt.datetime(2026, 11, 3, 9), data=PDF + b"%oct-list\n")
        add_document(s, admin, store, scope_type="hazard", scope_id=h.id,
                     number="风控报告〔2026〕99号", kind="hazard_report", title="明天签发",
                     signed_at=clock.wall_now() + dt.timedelta(days=1), data=PDF + b"%future\n")
    docs, cover = _package_docs(db, config, admin, p, tmp_path, "2026Q3")

    def has(number: str, names: list[str]) -> bool:
        return any(n.startswith(f"文书/{number}-") for n in names)

    for number in [*late, "风控检查〔2026〕9号", "风控清单〔2026〕0012号",
                   "风控整改〔2026〕0001号", "风控清单〔2026〕0009号"]:
        assert has(number, docs), number
    for number in ("风控检查〔2026〕30号", "风控清单〔2026〕0015号", "风控报告〔2026〕99号",
                   "风控方案〔2026〕0002号"):  # October's; signed tomorrow; a draft
        assert not has(number, docs), number
    assert has("风控方案〔2026〕0003号", docs)  # the project's plan, signed in November
    # the cover counts what the index lists, and says how many were signed after the quarter
    assert _field(cover, "文书份数") == str(len(docs)) == "10"
    flat = cover.replace("\n", "").replace(" ", "")
    assert "停工（局部停工）建议书1份" in flat and "复查销项单1份" in flat
    assert "其中7份于本期结束（2026年9月30日）后签发" in flat
    assert "文书按所涉事项收录，不论签发日期" in flat
    assert all(n in flat for n in ("风控停工〔2026〕8号", "风控检查〔2026〕21号"))

    q4, _ = _package_docs(db, config, admin, p, tmp_path, "2026Q4")
    # the Q3 hazard is not in Q4's list, September's report belongs to September
    assert not any(has(n, q4) for n in ("风控停工〔2026〕8号", "风控销项〔2026〕3号",
                                        "风控清单〔2026〕0012号"))
    # records signed in Q4 stay in its package as before, also about a September inspection
    assert all(has(n, q4) for n in ("风控检查〔2026〕21号", "风控培训〔2026〕4号",
                                    "风控演练〔2026〕2号"))
    assert has("风控检查〔2026〕30号", q4) and has("风控清单〔2026〕0015号", q4)
    assert has("风控整改〔2026〕0001号", q4)  # its hazard is still open: carried into Q4's list
