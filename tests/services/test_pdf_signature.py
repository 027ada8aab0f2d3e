"""A signed document proves itself: poppler's pdfsig checks its PAdES signature on its own."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop.services import agency, documents, hazards, pdf_signing, signing
from desktop.services.context import ServiceError
from tests.factories import make_project

needs_pdfsig = pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler's pdfsig not installed")
AGENCY = "绍兴安途安全风控咨询有限公司"


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work", "key_dir": tmp_path / "data"}


@pytest.fixture
def signed(db, users, dirs):
    with db.session() as s:
        agency.setup_agency(s, name=AGENCY)
        key = signing.setup_key(s, data_dir=dirs["key_dir"], actor=users["admin"])
        ids = make_project(s, users["admin"])
        h = hazards.record(s, users["inspector"], hazards.HazardForm(
            project_id=ids.project, description="基坑临边防护缺失", level=1, location="1#基坑",
            measures="补设防护栏杆", contingency="停止坑边作业", stop_work="partial",
            category="基坑", found_at=dt.datetime(2026, 8, 5, 9, 30)))
        row = documents.generate_draft(s, users["inspector"], kind="stop_work", scope_type="hazard",
                                       scope_id=h.id, store_dir=dirs["store_dir"], work_dir=dirs["work_dir"])
        row = documents.sign(s, users["tech_lead"], row.id, expected_version=row.version, **dirs)
    return key, row


def pdfsig(path) -> str:
    # pdfsig's exit status is not 0 for a broken signature: its report is what is checked
    return subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True,
                          check=False).stdout


@needs_pdfsig
def test_signed_pdf_is_valid_and_whole_then_invalid_after_one_byte(signed, dirs, tmp_path):
    _key, row = signed
    path = documents.file_path(dirs["store_dir"], row)
    out = pdfsig(path)
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Total document signed" in out, out
    assert f"Signer Certificate Common Name: {AGENCY}" in out
    data = bytearray(path.read_bytes())
    ranges = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", bytes(data))
    first_len = int(ranges.group(2))
    at = first_len // 2  # inside the first signed range (the document's own objects)
    data[at] = data[at] ^ 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    out = pdfsig(tampered)
    assert "Signature is Valid." not in out
    assert "Digest Mismatch" in out or "corrupted" in out, out


def test_certificates_sit_beside_the_key_and_carry_the_key_letter_fingerprint(signed, dirs):
    key, _row = signed
    folder = dirs["key_dir"]
    agency_cert = x509.load_pem_x509_certificate((folder / pdf_signing.AGENCY_CERT).read_bytes())
    doc_cert = x509.load_pem_x509_certificate((folder / pdf_signing.DOCUMENT_CERT).read_bytes())
    assert pdf_signing.certificate_fingerprint_key(agency_cert) == key.fingerprint
    assert agency_cert.subject.rfc4514_string().endswith(f"CN={AGENCY}") or AGENCY in agency_cert.subject.rfc4514_string()
    assert doc_cert.issuer == agency_cert.subject
    # the document certificate really is signed by the agency's Ed25519 key
    agency_cert.public_key().verify(doc_cert.signature, doc_cert.tbs_certificate_bytes)
    if os.name == "posix":
        for name in (pdf_signing.AGENCY_CERT, pdf_signing.DOCUMENT_CERT):
            assert stat.S_IMODE((folder / name).stat().st_mode) == 0o644
        assert stat.S_IMODE(signing.key_path(folder).stat().st_mode) == 0o600
    # the document key is derived, never stored: the same agency key gives the same key again
    derived = pdf_signing.document_key(signing.load_private_key(folder))
    assert derived.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) \
        == doc_cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert not [p for p in folder.iterdir() if p.name not in (
        signing.KEY_FILE, pdf_signing.AGENCY_CERT, pdf_signing.DOCUMENT_CERT)]
    # the next signing uses the stored certificates as they are
    again = pdf_signing.credentials(folder, AGENCY, expected_public=key.public_key)
    assert again.agency_cert == agency_cert and again.document_cert == doc_cert
    # a renamed agency gets certificates in its new name
    renamed = pdf_signing.credentials(folder, "绍兴安途风控有限公司", expected_public=key.public_key)
    assert "绍兴安途风控有限公司" in renamed.agency_cert.subject.rfc4514_string()
    assert renamed.document_cert.issuer == renamed.agency_cert.subject


def test_a_key_file_that_is_not_the_registered_one_refuses_signing(db, users, dirs, tmp_path):
    with db.session() as s:
        agency.setup_agency(s, name=AGENCY)
        signing.setup_key(s, data_dir=dirs["key_dir"], actor=users["admin"])
    other = tmp_path / "other"
    signing.create_key(other)
    with db.read() as s, pytest.raises(ServiceError, match="不一致"):
        pdf_signing.credentials(other, AGENCY, expected_public=signing.registered_public_key(s))
    with pytest.raises(ServiceError, match="找不到机构签名私钥"):
        pdf_signing.credentials(tmp_path / "empty", AGENCY, expected_public="00" * 32)


def test_signing_with_the_registered_key_missing_is_refused_and_takes_no_number(db, users, dirs, tmp_path):
    with db.session() as s:
        agency.setup_agency(s, name=AGENCY)
        signing.setup_key(s, data_dir=dirs["key_dir"], actor=users["admin"])
        ids = make_project(s, users["admin"])
        h = hazards.record(s, users["inspector"], hazards.HazardForm(
            project_id=ids.project, description="基坑临边防护缺失", level=1, location="1#基坑",
            measures="补设防护栏杆", contingency="停止坑边作业", stop_work="partial",
            category="基坑", found_at=dt.datetime(2026, 8, 5, 9, 30)))
        row = documents.generate_draft(s, users["inspector"], kind="stop_work", scope_type="hazard",
                                       scope_id=h.id, store_dir=dirs["store_dir"], work_dir=dirs["work_dir"])
    key_file = signing.key_path(dirs["key_dir"])
    kept = key_file.read_bytes()
    key_file.unlink()
    with pytest.raises(ServiceError, match="找不到机构签名私钥"), db.session() as s:
        documents.sign(s, users["tech_lead"], row.id, expected_version=row.version, **dirs)
    with db.read() as s:
        assert documents.get(s, row.id).status == "draft"
    signing.write_private(key_file, kept)  # the key back from a backup: signing works, number 1
    with db.session() as s:
        signed = documents.sign(s, users["tech_lead"], row.id, expected_version=row.version, **dirs)
    assert re.search(r"〔\d{4}〕0*1号$", signed.display_number), signed.display_number


def test_a_long_chinese_agency_name_is_cut_to_what_a_certificate_holds(tmp_path):
    long_name = "绍兴安途安全风险管理咨询有限公司（演示数据）"  # 22 characters, 66 bytes of UTF-8
    folder = tmp_path / "data"
    public = signing.create_key(folder)
    creds = pdf_signing.credentials(folder, long_name, expected_public=public)
    common = creds.agency_cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    organisation = creds.agency_cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[0].value
    # shortened where it stays readable and marked so — not "…有限公司（演示数据" without its ）
    assert common == "绍兴安途安全风险管理咨询有限公司…" and len(common.encode("utf-8")) <= 64
    assert organisation == long_name  # the whole name is in the certificate too
    # the stored certificates are kept at the next signing, not made again
    again = pdf_signing.credentials(folder, long_name, expected_public=public)
    assert again.agency_cert == creds.agency_cert and again.document_cert == creds.document_cert
