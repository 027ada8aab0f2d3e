"""Letterhead, seal and signature images: validated uploads, who may set them, and where they print."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.services import agency, documents, hazards, letterhead
from desktop.services.context import PermissionDenied, ValidationError
from desktop.services.exchange import attachments, store_gc
from tests.factories import make_project

needs_pdfimages = pytest.mark.skipif(not shutil.which("pdfimages"), reason="poppler-utils not installed")


def png(size=(400, 400), *, clear=True) -> bytes:
    """A red ring on a transparent (or white) ground: a seal as scanned and cleaned."""
    im = Image.new("RGBA" if clear else "RGB", size, (0, 0, 0, 0) if clear else "white")
    from PIL import ImageDraw

    ImageDraw.Draw(im).ellipse((10, 10, size[0] - 10, size[1] - 10), outline=(200, 0, 0, 255), width=12)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def jpeg(size=(300, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (250, 250, 250)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}


@pytest.fixture
def site(db, users, dirs):
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        ids = make_project(s, users["admin"])
        h = hazards.record(s, users["inspector"], hazards.HazardForm(
            project_id=ids.project, description="3#楼外脚手架连墙件缺失约6处", level=1,
            location="3#楼外脚手架", measures="立即补设连墙件并验收", contingency="停止该区域作业",
            stop_work="partial", category="脚手架", found_at=dt.datetime(2026, 8, 5, 9, 30)))
    return ids, h


# -- uploads ------------------------------------------------------------------------------------


def test_images_are_checked_normalised_and_keep_transparency(db, users, site, dirs):
    with db.session() as s:
        row = letterhead.set_agency_image(s, users["admin"], "seal", data=png((2000, 2000)),
                                          store_dir=dirs["store_dir"])
    stored = letterhead.image_bytes(dirs["store_dir"], row.seal_sha256)
    with Image.open(io.BytesIO(stored)) as im:
        assert im.format == "PNG" and im.mode == "RGBA" and max(im.size) == 1000
        assert im.getchannel("A").getextrema()[0] == 0  # the ground stays transparent
    bad = [(b"GIF89a" + b"\0" * 100, "PNG 或 JPEG"), (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "已损坏"),
           (png((20, 20)), "太小"), (png(clear=False), "背景透明"), (b"", "为空"),
           (b"\xff" * (letterhead.MAX_BYTES + 1), "过大")]
    for data, words in bad:
        with pytest.raises(ValidationError, match=words), db.session() as s:
            letterhead.set_agency_image(s, users["admin"], "seal", data=data, store_dir=dirs["store_dir"])
    gif = io.BytesIO()
    Image.new("RGB", (100, 100)).save(gif, "GIF")
    with pytest.raises(ValidationError, match="须为 PNG 或 JPEG"), db.session() as s:
        letterhead.set_agency_image(s, users["admin"], "logo", data=gif.getvalue(), store_dir=dirs["store_dir"])
    with db.session() as s:  # a JPEG logo is fine: it needs no transparency
        assert letterhead.set_agency_image(s, users["admin"], "logo", data=jpeg(),
                                           store_dir=dirs["store_dir"]).logo_sha256


def test_only_admins_set_agency_images_and_users_their_own_signature(db, users, site, dirs):
    for role in ("tech_lead", "inspector", "clerk", "reviewer"):
        with pytest.raises(PermissionDenied), db.session() as s:
            letterhead.set_agency_image(s, users[role], "seal", data=png(), store_dir=dirs["store_dir"])
        with pytest.raises(PermissionDenied), db.session() as s:
            letterhead.set_letterhead_line(s, users[role], "地址：绍兴市")
    lead, inspector = users["tech_lead"], users["inspector"]
    with db.session() as s:
        letterhead.set_signature(s, lead, lead.user_id, data=jpeg(), store_dir=dirs["store_dir"])
    with pytest.raises(PermissionDenied, match="他人的签名图片"), db.session() as s:
        letterhead.set_signature(s, inspector, lead.user_id, data=jpeg(), store_dir=dirs["store_dir"])
    with db.session() as s:
        letterhead.set_signature(s, users["admin"], inspector.user_id, data=jpeg(), store_dir=dirs["store_dir"])
        letterhead.remove_signature(s, inspector, inspector.user_id)
        assert letterhead.signature_sha(s, inspector.user_id) is None
        assert letterhead.signature_sha(s, lead.user_id) is not None
    with db.read() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "users", AuditEntry.action == "signature_image"))]
    assert len(actions) == 3  # two set, one removed; the refused ones left nothing


def test_letterhead_line_is_checked_and_audited(db, users, site):
    with pytest.raises(ValidationError, match="不能超过"), db.session() as s:
        letterhead.set_letterhead_line(s, users["admin"], "电" * 101)
    with db.session() as s:
        row = letterhead.set_letterhead_line(s, users["admin"], "  地址：绍兴市越城区  电话：0575-88001234 ")
    assert row.letterhead == "地址：绍兴市越城区 电话：0575-88001234"
    with db.read() as s:
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "letterhead")).scalars().all()


def test_the_store_keeps_letterhead_images(db, users, site, dirs):
    with db.session() as s:
        row = letterhead.set_agency_image(s, users["admin"], "seal", data=png(), store_dir=dirs["store_dir"])
        sha = letterhead.set_signature(s, users["tech_lead"], users["tech_lead"].user_id, data=jpeg(),
                                       store_dir=dirs["store_dir"])
    with db.read() as s:
        kept = store_gc.referenced(s)
        report = attachments.verify_store(s, dirs["store_dir"])
    assert {row.seal_sha256, sha} <= kept
    assert row.seal_sha256 not in report.orphans and sha not in report.orphans


# -- where they print ---------------------------------------------------------------------------


def image_count(path) -> int:
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True)
    return sum(1 for line in out.stdout.splitlines()[2:] if re.match(r"\s*\d+\s+\d+\s+image", line))


def smask_count(path) -> int:
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True)
    return sum(1 for line in out.stdout.splitlines()[2:] if re.match(r"\s*\d+\s+\d+\s+smask", line))


@needs_pdfimages
def test_seal_and_signature_print_only_on_the_signed_document(db, users, site, dirs):
    _ids, h = site
    lead = users["tech_lead"]
    with db.session() as s:
        letterhead.set_agency_image(s, users["admin"], "seal", data=png(), store_dir=dirs["store_dir"])
        letterhead.set_agency_image(s, users["admin"], "logo", data=jpeg((200, 200)), store_dir=dirs["store_dir"])
        letterhead.set_signature(s, lead, lead.user_id, data=png((300, 100)), store_dir=dirs["store_dir"])
        draft = documents.generate_draft(s, users["inspector"], kind="stop_work", scope_type="hazard",
                                         scope_id=h.id, **dirs)
    draft_pdf = documents.file_path(dirs["store_dir"], draft)
    # the draft: the logo in the header of each page, no seal, no signature
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(draft_pdf)], capture_output=True, text=True, check=True).stdout).group(1))
    assert image_count(draft_pdf) == pages and smask_count(draft_pdf) == 0
    with db.session() as s:
        signed = documents.sign(s, lead, draft.id, expected_version=draft.version, **dirs)
    signed_pdf = documents.file_path(dirs["store_dir"], signed)
    # signed: the logo on every page, plus the seal and the signature, both with their transparency
    assert image_count(signed_pdf) == pages + 2 and smask_count(signed_pdf) == 2


@needs_pdfimages
def test_no_seal_when_none_is_set_and_no_signature_in_other_boxes(db, users, site, dirs):
    _ids, h = site
    lead, inspector = users["tech_lead"], users["inspector"]
    with db.session() as s:
        letterhead.set_signature(s, users["admin"], inspector.user_id, data=png((300, 100)),
                                 store_dir=dirs["store_dir"])
        draft = documents.generate_draft(s, inspector, kind="stop_work", scope_type="hazard",
                                         scope_id=h.id, **dirs)
        signed = documents.sign(s, lead, draft.id, expected_version=draft.version, **dirs)
    # the inspector drafted it but did not sign it; the signer has no image; no seal is set
    assert image_count(documents.file_path(dirs["store_dir"], signed)) == 0


@needs_pdfimages
def test_letterhead_line_prints_under_the_name(db, users, site, dirs):
    _ids, h = site
    with db.session() as s:
        letterhead.set_letterhead_line(s, users["admin"], "地址：绍兴市越城区人民中路1号 电话：0575-88001234")
        draft = documents.generate_draft(s, users["inspector"], kind="stop_work", scope_type="hazard",
                                         scope_id=h.id, **dirs)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(documents.file_path(dirs["store_dir"], draft)), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "绍兴市越城区人民中路1号" in "".join(text.split())

