"""Bad-input drill: a corpus of broken files through every service that accepts files.

Each input must end in a clear Chinese refusal (ServiceError / ValidationError / a report
listing the problem) or be accepted as valid — never a crash — and a refusal must leave the
database and the attachment store exactly as they were. The number of inputs tried is
printed (run with -s) and recorded in docs/robustness.md.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image
from sqlalchemy import func, select

from desktop.config import Config
from desktop.models import Attachment, AuditEntry, Hazard, Project, RiskSource
from desktop.services import hazards, risk_sources
from desktop.services.context import Actor, ServiceError
from desktop.services.exchange import attachments, backup, importer, packages, photo_import
from tests.factories import make_project


def _jpeg(size=(64, 48), *, exif_rotate: bool = False) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", size, (120, 80, 40))
    if exif_rotate:
        exif = Image.Exif()
        exif[0x0112] = 6
        img.save(buf, "JPEG", exif=exif.tobytes())
    else:
        img.save(buf, "JPEG")
    return buf.getvalue()


def _png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG whose header claims 3.6 gigapixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _xlsx(rows: list[list], title: str = "Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip_with(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


LONG = "超长文字" * 2500  # 10,000 characters
HAZARD_HEADER = ["隐患编号", "项目编号", "发现日期", "隐患部位", "隐患描述", "隐患等级", "整改措施", "整改期限"]
PROJECT_HEADER = ["项目编号", "项目名称", "保单号", "承保机构", "保险起期", "保险止期"]

FILE_CORPUS: dict[str, bytes] = {
    "empty.jpg": b"",
    "garbage.jpg": bytes(range(256)) * 40,
    "truncated.jpg": _jpeg((640, 480))[:600],
    "bomb.png": _png_bomb(),
    "pdf-named.jpg": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "xlsx-named.jpg": _xlsx([["a"]]),
    "fake.heic": b"\0\0\0\x18ftypheic" + b"\0" * 200,
    "gbk-text.xlsx": "项目编号,项目名称\nP-1,某项目\n".encode("gbk"),
    "utf16.xlsx": "项目编号\t项目名称\n".encode("utf-16"),
    "garbage-zip.xlsx": _zip_with({"hello.txt": b"not a workbook"}),
    "truncated.xlsx": _xlsx([HAZARD_HEADER, ["A"] * 8])[:700],
    "empty.xlsx": b"",
    "header-only.xlsx": _xlsx([HAZARD_HEADER]),
    "no-header.xlsx": _xlsx([["随便", "什么"], [1, 2]]),
    "dates-out-of-range.xlsx": _xlsx([HAZARD_HEADER, ["X-1", "P-2026-0001", "1800-01-01", "A", "B", "三级", "C", "9999-12-31"],
                                      ["X-2", "P-2026-0001", 3_000_000, "A", "B", "三级", "C", -5]]),
    "ten-thousand-chars.xlsx": _xlsx([HAZARD_HEADER, ["X-3", "P-2026-0001", "2026-03-05", LONG, LONG, "三级", LONG, "2026-04-01"]]),
    "wrong-types.xlsx": _xlsx([HAZARD_HEADER, [None, "P-2026-0001", "明天", "A", "", "五级", "", "下周"]]),
    "projects-bad.xlsx": _xlsx([PROJECT_HEADER, ["", LONG, "", "", "2026-13-40", "昨天"]]),
    "zero-byte.zip": b"",
    "garbage.zip": bytes(range(200)) * 10,
    "manifest-less.zip": _zip_with({"database/riskdesk.sqlite3": b"SQLite format 3\0"}),
}
GOOD = {"good.jpg": _jpeg(), "rotated.jpg": _jpeg((48, 64), exif_rotate=True), "big.jpg": _jpeg((4000, 3000))}


def _state(db, store: Path) -> tuple:
    with db.read() as s:
        counts = tuple(s.execute(select(func.count()).select_from(m)).scalar_one()
                       for m in (Attachment, Hazard, Project, RiskSource, AuditEntry))
    files = sorted(p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file()) if store.exists() else []
    return counts, files


@pytest.fixture
def corpus(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "corpus"
    folder.mkdir()
    out = {}
    for name, data in {**FILE_CORPUS, **GOOD}.items():
        (folder / name).write_bytes(data)
        out[name] = folder / name
    return out


@pytest.mark.slow
def test_every_broken_input_is_refused_cleanly(db, admin, tmp_path, corpus, capsys):
    store = tmp_path / "attachments"
    config = Config(data_dir=tmp_path / "data")
    with db.session() as s:
        proj = make_project(s, admin)
        hazard = hazards.record(
            s, admin, hazards.HazardForm(
                project_id=proj.project, description="临边防护缺失", level=3, measures="设置防护"))
    tried = 0
    accepted: list[str] = []

    def attempt(label: str, call) -> None:  # type: ignore[no-untyped-def]
        nonlocal tried
        tried += 1
        before = _state(db, store)
        try:
            outcome = call()
        except ServiceError as exc:
            assert exc.message.strip(), f"{label}: empty message"
            assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.message), f"{label}: message not Chinese: {exc.message}"
            assert _state(db, store) == before, f"{label}: refused but something was written"
            return
        accepted.append(label)
        return outcome

    # 1. the attachment store, one file at a time
    for name, path in corpus.items():
        def store_one(path=path):  # type: ignore[no-untyped-def]
            with db.session() as s:
                return attachments.store_file(s, admin, store_dir=store, path=path, original_name=path.name,
                                              owner_type="hazard", owner_id=hazard.id, role="before")
        attempt(f"store {name}", store_one)
    # the store takes any real photo, PDF or workbook (by content, whatever the name says)
    valid_documents = {"pdf-named.jpg", "xlsx-named.jpg", "header-only.xlsx", "no-header.xlsx",
                       "dates-out-of-range.xlsx", "ten-thousand-chars.xlsx", "wrong-types.xlsx",
                       "projects-bad.xlsx"}
    assert sorted(a for a in accepted if a.startswith("store")) == sorted(
        f"store {n}" for n in [*GOOD, *valid_documents])

    # 2. the photo importer, all files at once: good ones kept, each bad one named with a reason
    tried += len(corpus)
    result = photo_import.import_photos(db.session, admin, owner_id=hazard.id, store_dir=store,
                                        sources=photo_import.sources_from(corpus.values()), role="after")
    assert {f.name for f in result.failed} == set(FILE_CORPUS)  # not photos, whatever else they are
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in f.reason) for f in result.failed)
    assert len(result.stored) == len(GOOD)

    # 3. the Excel importers (read, preview, commit) for both kinds
    for name, path in corpus.items():
        for kind in ("hazards", "projects"):
            def through_importer(path=path, kind=kind):  # type: ignore[no-untyped-def]
                table = importer.read(path, kind=kind)
                with db.session() as s:
                    importer.preview(s, admin, kind=kind, table=table)
                with db.session() as s:
                    return importer.commit(s, admin, kind=kind, table=table)
            outcome = attempt(f"import {kind} {name}", through_importer)
            assert outcome is None, f"import {kind} {name} should have been refused"

    # 4. the risk-source importer
    for name, path in corpus.items():
        def sources(path=path):  # type: ignore[no-untyped-def]
            with db.session() as s:
                res = risk_sources.import_xlsx(s, admin, proj.project, path, dry_run=False)
                if not res.ok:
                    raise ServiceError("；".join(e.message for e in res.errors) or "导入被拒绝")
                return res
        attempt(f"risk sources {name}", sources)
    assert not [a for a in accepted if a.startswith("risk sources")]

    # 5. backups and review packages that are not what they claim
    for name, path in corpus.items():
        def verify_backup(path=path):  # type: ignore[no-untyped-def]
            backup.verify_backup(path)
        attempt(f"verify backup {name}", verify_backup)

        def restore(path=path):  # type: ignore[no-untyped-def]
            backup.restore(config, path, actor=Actor.system())
        attempt(f"restore {name}", restore)

        def verify_package(path=path):  # type: ignore[no-untyped-def]
            check = packages.verify_package(path)
            if not check.ok:
                raise ServiceError("审阅包校验未通过：" + "；".join(check.lines))
        attempt(f"verify package {name}", verify_package)
    assert not [a for a in accepted if a.startswith(("verify", "restore"))]
    assert not (config.data_dir / "riskdesk.sqlite3").exists()  # a refused restore wrote nothing

    with capsys.disabled():
        print(f"\nbad-input drill: {tried} inputs tried, {len(accepted)} valid ones accepted")
    assert tried >= 150
