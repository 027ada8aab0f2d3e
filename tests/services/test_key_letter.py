"""公钥登记函: the agency, the fingerprint in groups, validity, signer, and the key file beside it."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from desktop.reports import key_letter as report
from desktop.services import agency, documents, rotation, signing, trust
from desktop.services.context import ValidationError
from desktop.services.queries import key_letter

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
AGENCY = "绍兴安途安全风控咨询有限公司"


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}


@pytest.fixture
def keyed(db, users, tmp_path):
    with db.session() as s:
        agency.setup_agency(s, name=AGENCY, address="绍兴市越城区人民中路1号")
        return signing.setup_key(s, data_dir=tmp_path / "data", actor=users["admin"])


def text_of(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def make_letter(db, users, dirs, *, sign=True):
    with db.session() as s:
        row = documents.generate_draft(s, users["clerk"], kind="key_letter", scope_type="agency",
                                       scope_id=None, **dirs)
        if sign:
            row = documents.sign(s, users["tech_lead"], row.id, expected_version=row.version, **dirs)
    return row


@needs_poppler
def test_the_letter_names_the_agency_the_fingerprint_in_groups_and_how_to_trust_it(db, users, keyed, dirs):
    row = make_letter(db, users, dirs)
    assert row.kind_label == "公钥登记函" and row.title == f"机构签名公钥登记函（{AGENCY}）"
    text = text_of(documents.file_path(dirs["store_dir"], row))
    flat = "".join(text.split())
    assert AGENCY in flat
    groups = keyed.fingerprint.split()
    assert len(groups) == 16 and all(len(g) == 4 for g in groups)
    for line in report.fingerprint_lines(keyed.fingerprint):  # eight groups of four per line, spaced
        assert line in text
    assert "riskdesktrustadd公钥文件--name" + AGENCY in flat
    assert keyed.public_key in flat
    assert "Ed25519" in flat and "至本机构书面通知更换或废止该密钥时止" in flat
    lead = users["tech_lead"].display_name
    assert f"技术负责人：{lead}" in flat and "草稿" not in flat


def test_the_qr_code_holds_the_fingerprint():
    data_text = f"RiskDesk Ed25519 SHA-256 {'ABCD ' * 15}ABCD 某机构"
    qr = report.QrCode(data_text, 100)
    import segno

    assert qr.rows == [list(r) for r in segno.make(data_text, error="m").matrix_iter(border=2)]
    assert any(any(row) for row in qr.rows)


def test_the_key_file_beside_the_letter_is_the_key_it_names_even_after_rotation(db, users, keyed, dirs, tmp_path):
    row = make_letter(db, users, dirs)
    with db.read() as s:
        fingerprint, pem = key_letter.letter_public_pem(s, row.id)
    assert fingerprint == keyed.fingerprint and pem == signing.public_pem(keyed.public_key)
    # the insurer's trust entry made from that file carries the letter's fingerprint
    pem_file = tmp_path / "key.pem"
    pem_file.write_bytes(pem)
    entry = trust.add_entry(tmp_path / "insurer", users["admin"], pem_file, AGENCY)
    assert entry.fingerprint == keyed.fingerprint and entry.name == AGENCY
    with db.session() as s:
        rotated = rotation.rotate_key(s, users["admin"], data_dir=tmp_path / "data")
    with db.read() as s:
        assert key_letter.letter_public_pem(s, row.id)[0] == keyed.fingerprint  # the signed letter's key
        public, _since = key_letter.key_in_force(s)
    assert signing.fingerprint(public) == rotated.new_fingerprint


def test_no_letter_without_a_key_and_only_for_key_letters(db, users, dirs):
    with db.session() as s:
        agency.setup_agency(s, name=AGENCY)
    with pytest.raises(ValidationError, match="尚未生成机构签名密钥"), db.session() as s:
        documents.generate_draft(s, users["clerk"], kind="key_letter", scope_type="agency", scope_id=None,
                                 **dirs)


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")
def test_the_letters_openssl_command_gives_its_fingerprint(db, users, keyed, dirs, tmp_path):
    row = make_letter(db, users, dirs, sign=False)
    with db.read() as s:
        fingerprint, pem = key_letter.letter_public_pem(s, row.id)
    (tmp_path / "key.pem").write_bytes(pem)
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", str(tmp_path / "key.pem"), "-outform", "DER"],
                         capture_output=True, check=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256"], input=der[-32:], capture_output=True,
                            check=True).stdout.decode()
    assert digest.strip().split("= ")[-1].upper() == fingerprint.replace(" ", "")
