"""Who signed a package: the trust list, forged and re-signed packages, key rotation, and the
OpenSSL commands each package carries for checking it without RiskDesk."""

from __future__ import annotations

import hashlib
import json
import shlex
import stat
import subprocess
import zipfile

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.services import rotation, signing, trust
from desktop.services.context import PermissionDenied, ServiceError, ValidationError
from desktop.services.exchange import packages
from tests.services.test_packages import PDF, config, export, world  # noqa: F401 - fixtures

AGENCY = "绍兴安途安全风控咨询有限公司"
DOC = "文书/风控整改〔2026〕0001号-隐患整改通知书.pdf"


def pem_of(public_hex: str, path):
    path.write_bytes(signing.public_pem(public_hex))
    return path


def forge(src, dst, *, key: Ed25519PrivateKey | None = None, agency: str | None = None,
          statements: list | None = None):
    """The forger's work: a document replaced, the manifest's hashes recomputed, its public key
    and PEM swapped for a freshly made key that signs it. Intact by every hash."""
    key = key or Ed25519PrivateKey.generate()
    public = signing.public_hex(key)
    with zipfile.ZipFile(src) as zin:
        members = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    faked = DOC if DOC in members else packages.HAZARD_REGISTER
    members[faked] = PDF + b"%forged\n"
    members[packages.PUBLIC_KEY] = signing.public_pem(public)
    manifest = json.loads(members[packages.MANIFEST])
    for item in manifest["files"]:
        data = members[item["path"]]
        item["sha256"], item["size"] = hashlib.sha256(data).hexdigest(), len(data)
    manifest["public_key"], manifest["fingerprint"] = public, signing.fingerprint(public)
    if agency is not None:
        manifest["agency"] = agency
    if statements is not None:
        manifest["key_rotations"] = statements
    members[packages.MANIFEST] = json.dumps(manifest, ensure_ascii=False).encode()
    members[packages.SIGNATURE] = key.sign(members[packages.MANIFEST])
    with zipfile.ZipFile(dst, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    return dst


@pytest.fixture
def package(db, admin, config, world, tmp_path):
    p, _, _ = world
    out = export(db, config, admin, p, tmp_path / "pkg.zip").path
    with db.read() as s:
        key = signing.registered_public_key(s)
    return out, key


def test_public_keys_are_read_from_pem_or_hex_and_anything_else_is_refused(tmp_path):
    private = Ed25519PrivateKey.generate()
    public = signing.public_hex(private)
    assert trust.read_key_file(pem_of(public, tmp_path / "a.pem")) == public
    assert trust.parse_public_key(public.upper() + "\n") == public
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ServiceError, match="不是 Ed25519"):
        trust.parse_public_key(other)
    with pytest.raises(ServiceError, match="无法识别的公钥文件"):
        trust.parse_public_key(b"-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n")
    with pytest.raises(ServiceError, match="公钥文件不存在"):
        trust.read_key_file(tmp_path / "none.pem")
    grouped = signing.fingerprint(public)
    assert trust.normalise_fingerprint(grouped.replace(" ", ":").lower()) == grouped
    assert trust.normalise_fingerprint(grouped[:-1]) is None


def test_the_trust_list_is_a_private_file_changed_by_who_may(db, users, tmp_path):
    folder = tmp_path / "insurer"
    public = signing.public_hex(Ed25519PrivateKey.generate())
    pem = pem_of(public, tmp_path / "agency.pem")
    assert trust.list_entries(folder) == []
    for role in ("reviewer", "inspector", "clerk"):
        with pytest.raises(PermissionDenied, match="无权维护受信任的签名公钥"):
            trust.add_entry(folder, users[role], pem, AGENCY)
    with pytest.raises(ValidationError, match="请填写该公钥所属机构的名称"):
        trust.add_entry(folder, users["tech_lead"], pem, "  ")
    with db.session() as s:
        entry = trust.add_entry(folder, users["tech_lead"], pem, f" {AGENCY} ", session=s)
    assert entry.name == AGENCY and entry.fingerprint == signing.fingerprint(public)
    path = trust.trust_path(folder)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == [trust.TRUST_FILE]  # no temporary file left
    assert trust.list_entries(folder) == [entry]
    with pytest.raises(ServiceError, match="已在受信任名单中"):
        trust.add_entry(folder, users["admin"], pem, "另一个名字")
    with pytest.raises(ServiceError, match="没有指纹为"):
        trust.remove_entry(folder, users["admin"], signing.fingerprint("ab" * 32))
    with pytest.raises(ValidationError, match="指纹格式无效"):
        trust.remove_entry(folder, users["admin"], "1234")
    with db.session() as s:
        plain = entry.fingerprint.replace(" ", "").lower()
        gone = trust.remove_entry(folder, users["admin"], plain, session=s)
    assert gone == entry and trust.list_entries(folder) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action, AuditEntry.username).where(
            AuditEntry.entity == "trusted_key").order_by(AuditEntry.id)).all()
    assert actions == [("trust_add", "tech_lead"), ("trust_remove", "admin")]
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(ServiceError, match="受信任公钥名单文件已损坏"):
        trust.list_entries(folder)


def test_a_forged_re_signed_package_is_unverified_without_trust_and_refused_with_it(
        users, config, package, tmp_path):
    out, key = package
    forged = forge(out, tmp_path / "forged.zip")
    alone = packages.verify_package(forged)
    assert alone.intact and alone.status == "untrusted" and alone.exit_code == 3
    assert alone.agency == AGENCY and "签名者未经核实" in alone.text
    with zipfile.ZipFile(forged) as z:
        forged_key = json.loads(z.read("manifest.json"))["public_key"]
    assert alone.fingerprint == signing.fingerprint(forged_key) and alone.fingerprint in alone.text
    insurer = tmp_path / "insurer"
    trust.add_entry(insurer, users["admin"], pem_of(key, tmp_path / "real.pem"), AGENCY)
    listed = trust.for_verification(insurer)
    check = packages.verify_package(forged, listed)
    assert check.intact and check.status == "broken" and check.exit_code == 1
    assert "签名者与预期不符" in check.text and signing.fingerprint(key) in check.text
    real = packages.verify_package(out, listed)
    assert real.ok and real.exit_code == 0 and real.signer.entry.name == AGENCY
    assert f"受信任名单中的“{AGENCY}”" in real.text
    assert "注意" not in real.text
    # signed with the real key under another name: the key vouches only for its own agency
    alias = forge(out, tmp_path / "alias.zip", key=signing.load_private_key(config.data_dir),
                  agency="别名机构")
    check = packages.verify_package(alias, listed)
    assert check.intact and not check.ok and check.exit_code == 1
    assert f"资料包自称由“别名机构”签发，但其签名公钥在受信任名单中登记为“{AGENCY}”的公钥" in check.text
    # another agency name on the forgery: nothing trusted for it, so only "not verified"
    other = packages.verify_package(forge(out, tmp_path / "o.zip", agency="冒名机构"), listed)
    assert other.exit_code == 3 and "冒名机构" in other.text
    # the real key given for this check by file or by fingerprint read from the key letter
    for given in (str(tmp_path / "real.pem"), signing.fingerprint(key)):
        assert packages.verify_package(forged, [trust.given_entry(given)]).exit_code == 1
        assert packages.verify_package(out, [trust.given_entry(given)]).exit_code == 0
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(tampered, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, PDF + b"%x\n" if info.filename == DOC else zin.read(info))
    broken = packages.verify_package(tampered, listed)
    assert not broken.intact and broken.exit_code == 1 and broken.changed == (DOC,)


def test_rotation_hands_trust_from_the_old_key_to_the_new(db, admin, users, config, world,
                                                          package, tmp_path):
    p, _, _ = world
    old_out, old_key = package
    with db.session() as s, pytest.raises(PermissionDenied):
        rotation.rotate_key(s, users["tech_lead"], data_dir=config.data_dir)
    with db.session() as s:
        done = rotation.rotate_key(s, admin, data_dir=config.data_dir)
    with db.read() as s:
        new_key = signing.registered_public_key(s)
        note = s.execute(select(AuditEntry.note).where(
            AuditEntry.action == "signing_key_rotate")).scalar_one()
    assert new_key != old_key and done.new_fingerprint == signing.fingerprint(new_key)
    assert done.old_fingerprint in note and done.new_fingerprint in note
    assert signing.public_hex(signing.load_private_key(config.data_dir)) == new_key
    assert signing.public_hex(serialization.load_pem_private_key(
        done.retired_key.read_bytes(), None)) == old_key
    for path in (done.retired_key, signing.key_path(config.data_dir),
                 config.data_dir / rotation.ROTATION_FILE):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert rotation.chain_to(config.data_dir, new_key) == [done.statement]
    new_out = export(db, config, admin, p, tmp_path / "new.zip").path
    with zipfile.ZipFile(new_out) as z:
        manifest = json.loads(z.read("manifest.json"))
        readme = z.read(packages.README).decode()
    assert manifest["key_rotations"] == [done.statement]
    assert f"{done.date}：{done.old_fingerprint} → {done.new_fingerprint}" in readme
    insurer = tmp_path / "insurer"
    trust.add_entry(insurer, admin, pem_of(old_key, tmp_path / "old.pem"), AGENCY)
    listed = trust.for_verification(insurer)
    check = packages.verify_package(new_out, listed)
    assert check.ok and check.signer.via == (done.statement,)
    assert "密钥更换声明" in check.text and done.old_fingerprint in check.text
    assert packages.verify_package(old_out, listed).ok  # the old key's packages still verify
    own = trust.for_verification(config.data_dir)  # the agency's own keys: current and retired
    assert packages.verify_package(old_out, own).ok and packages.verify_package(new_out, own).ok
    # a forger's "rotation statement" claims the real old key handed over to the forger's key
    forger = Ed25519PrivateKey.generate()
    fake = dict(done.statement, new_public_key=signing.public_hex(forger),
                new_fingerprint=signing.fingerprint(signing.public_hex(forger)))
    fake["signature"] = forger.sign(rotation.statement_bytes(fake)).hex()
    forged = forge(old_out, tmp_path / "forged.zip", key=forger, statements=[fake])
    assert not rotation.is_valid(fake)
    assert packages.verify_package(forged, listed).exit_code == 1
    assert packages.verify_package(forged).exit_code == 3


def test_openssl_alone_checks_a_real_package_with_the_commands_it_carries(package, tmp_path):
    """The README's commands, run as written by the system openssl in the unpacked folder."""
    out, key = package
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as z:
        z.extractall(folder)
    readme = (folder / packages.README).read_text(encoding="utf-8")
    commands = [line.strip() for line in readme.splitlines() if line.startswith("  openssl ")]
    assert len(commands) == 3
    fingerprint_cmd, verify_cmd, digest_cmd = commands

    def run(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True)

    done = run(fingerprint_cmd)
    assert done.returncode == 0 and signing.fingerprint(key).replace(" ", "").lower() in done.stdout
    done = run(verify_cmd)
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout
    manifest = json.loads((folder / "manifest.json").read_bytes())
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    done = run(digest_cmd)
    assert done.returncode == 0 and done.stdout.split()[0] == listed[packages.PROJECT_REGISTER]
    for path, sha in listed.items():  # the same command for every file the manifest lists
        line = run(f"openssl dgst -sha256 -r {shlex.quote(path)}").stdout
        assert line.split()[0] == sha, path
    # tampered: a changed manifest fails the signature, a changed file its hash
    (folder / "manifest.json").write_bytes((folder / "manifest.json").read_bytes()
                                           .replace(b'"size": ', b'"size":  ', 1))
    done = run(verify_cmd)
    assert done.returncode != 0 and "Signature Verified Successfully" not in done.stdout
    with open(folder / packages.PROJECT_REGISTER, "ab") as fh:
        fh.write(b"\0")
    assert run(digest_cmd).stdout.split()[0] != listed[packages.PROJECT_REGISTER]


def test_the_agency_still_trusts_its_current_key_when_the_statement_file_is_damaged(
        db, admin, config, package, tmp_path):
    out, key = package
    (config.data_dir / rotation.ROTATION_FILE).write_text("{not json", encoding="utf-8")
    own = trust.own_keys(config.data_dir, AGENCY)
    assert [(e.public_key, e.name, e.source) for e in own] == [(key, AGENCY, trust.OWN)]
    assert packages.verify_package(out, own).ok
    # our own key on a package naming another agency: ours, but not that agency's
    renamed = packages.verify_package(forge(out, tmp_path / "r.zip", agency="别家公司",
                                            key=signing.load_private_key(config.data_dir)), own)
    assert renamed.exit_code == 1 and f"但其签名公钥是本机构（“{AGENCY}”）自己的签名密钥" in renamed.text
    given = trust.given_key(key.upper())
    assert given.fingerprint == signing.fingerprint(key) and given.source == trust.GIVEN
    with pytest.raises(ServiceError, match="无法识别的公钥文件"):
        trust.given_key("12ab")


OTHER = "乙安全咨询公司"  # a second agency the insurer works with, its key on the same list


def hand_over(old: Ed25519PrivateKey, new: Ed25519PrivateKey, agency: str) -> dict:
    """A rotation statement `old` → `new`, signed by `old`, naming `agency` (whatever it is)."""
    old_hex, new_hex = signing.public_hex(old), signing.public_hex(new)
    body = {"format": rotation.FORMAT, "agency": agency, "date": "2026-09-01",
            "old_public_key": old_hex, "old_fingerprint": signing.fingerprint(old_hex),
            "new_public_key": new_hex, "new_fingerprint": signing.fingerprint(new_hex)}
    statement = dict(body, signature=old.sign(rotation.statement_bytes(body)).hex())
    assert rotation.is_valid(statement)
    return statement


@pytest.fixture
def insurer(users, package, tmp_path):
    """An insurer's desk trusting the agency's real key (as AGENCY) and agency B's (as OTHER)."""
    out, key = package
    folder = tmp_path / "insurer"
    other_key = Ed25519PrivateKey.generate()
    trust.add_entry(folder, users["admin"], pem_of(key, tmp_path / "real.pem"), AGENCY)
    trust.add_entry(folder, users["admin"], pem_of(signing.public_hex(other_key),
                                                   tmp_path / "other.pem"), OTHER)
    return folder, other_key


def test_a_key_trusted_for_another_agency_does_not_vouch_for_the_agency_a_package_names(
        package, insurer, tmp_path):
    """Review 13, D1: agency B's listed key re-signs A's package (the manifest still naming A):
    refused, both names shown — with A on the list, without it, and with A's key given."""
    out, key = package
    folder, other_key = insurer
    forged = forge(out, tmp_path / "b.zip", key=other_key)
    check = packages.verify_package(forged, trust.for_verification(folder))
    assert check.intact and not check.ok and check.status == "broken" and check.exit_code == 1
    assert check.signer.other.name == OTHER and check.signer.expected.name == AGENCY
    assert (f"签名者与预期不符：资料包自称由“{AGENCY}”签发，但其签名公钥在受信任名单中登记为"
            f"“{OTHER}”的公钥。") in check.text
    assert f"受信任的“{AGENCY}”的公钥指纹为 {signing.fingerprint(key)}" in check.text
    assert "已核实" not in check.text and "结论：资料包未通过核验：签名者不是预期的机构" in check.text
    only_b = [e for e in trust.for_verification(folder) if e.name == OTHER]
    check = packages.verify_package(forged, only_b)
    assert check.exit_code == 1 and check.signer.expected is None
    assert f"但其签名公钥在受信任名单中登记为“{OTHER}”的公钥" in check.text
    # A's key given for this check: only that key counts, the listed B does not
    for given in (str(tmp_path / "real.pem"), signing.fingerprint(key)):
        check = packages.verify_package(
            forged, trust.for_verification(folder, [trust.given_entry(given)]))
        assert check.exit_code == 1 and "签名者与预期不符" in check.text
        assert "本资料包的签名公钥也与您指定的" in check.text
    # B's key given, but listed as B's: it does not vouch for A either
    check = packages.verify_package(
        forged, trust.for_verification(folder, [trust.given_entry(str(tmp_path / "other.pem"))]))
    assert check.exit_code == 1 and f"登记为“{OTHER}”的公钥" in check.text
    # B's own packages, naming B, still verify
    own_b = packages.verify_package(forge(out, tmp_path / "b-own.zip", key=other_key, agency=OTHER),
                                    trust.for_verification(folder))
    assert own_b.ok and own_b.exit_code == 0 and f"受信任名单中的“{OTHER}”" in own_b.text
    assert packages.verify_package(out, trust.for_verification(folder)).exit_code == 0


def test_a_rotation_statement_vouches_only_for_the_agency_its_chain_is_trusted_as(
        package, insurer, tmp_path):
    """Review 13, D1 through rotation: B "hands over" to a new key X, which signs a package
    naming A. Refused whatever agency the statement names; a chain vouches only when its
    entry and every statement name the agency the package claims."""
    out, key = package
    folder, other_key = insurer
    listed = trust.for_verification(folder)
    x = Ed25519PrivateKey.generate()
    for named in (AGENCY, OTHER):
        forged = forge(out, tmp_path / "x.zip", key=x, statements=[hand_over(other_key, x, named)])
        check = packages.verify_package(forged, listed)
        assert check.intact and check.exit_code == 1 and not check.signer.via
        assert check.signer.other.name == OTHER and len(check.signer.other_via) == 1
        assert (f"资料包自称由“{AGENCY}”签发，但其签名密钥是经密钥更换声明由“{OTHER}”的公钥启用的"
                in check.text)
        given = trust.for_verification(folder, [trust.given_entry(str(tmp_path / "real.pem"))])
        assert packages.verify_package(forged, given).exit_code == 1
    # B's real rotation, naming B, on a package naming B: verified through the statement
    genuine = forge(out, tmp_path / "g.zip", key=x, agency=OTHER,
                    statements=[hand_over(other_key, x, OTHER)])
    check = packages.verify_package(genuine, listed)
    assert check.ok and check.signer.entry.name == OTHER and len(check.signer.via) == 1
    # a statement naming a third agency breaks the chain even for B's own name
    odd = forge(out, tmp_path / "odd.zip", key=x, agency=OTHER,
                statements=[hand_over(other_key, x, "丙公司")])
    check = packages.verify_package(odd, listed)
    assert check.exit_code == 1 and check.signer.reason == trust.STATEMENT
    assert f"资料包自称由“{OTHER}”签发，但启用其签名密钥的密钥更换声明写明的机构是“丙公司”" in check.text
    # the key given for this check, rotated for the agency named: verified; for another: not
    x_pem = pem_of(signing.public_hex(other_key), tmp_path / "b-given.pem")
    alone = [trust.given_entry(str(x_pem))]
    assert packages.verify_package(genuine, alone).ok
    assert packages.verify_package(odd, alone).exit_code == 1


def test_look_alike_names_are_the_same_name(config, package, insurer, users, tmp_path):
    """Review 13, D10: a zero-width space or ASCII brackets in the claimed name no longer make
    a forgery merely "unverified" (exit 3, with advice to trust the forger's key)."""
    assert trust.same_name("甲公司（演示数据）", "甲公司(演示数据)")
    assert trust.same_name("甲公司\u200b（演示数据）", " 甲公司\u3000（演示数据）\ufeff")
    assert trust.same_name("ＡＢＣ公司", "ABC公司") and not trust.same_name("甲公司", "乙公司")
    assert not trust.same_name("\u200b", "\u2060")  # nothing left of either name
    assert trust.visible("甲\u200b乙") == "甲<U+200B>乙"
    out, key = package
    folder, _ = insurer
    listed = trust.for_verification(folder)
    sneaky = AGENCY[:4] + "\u200b" + AGENCY[4:]
    check = packages.verify_package(forge(out, tmp_path / "zw.zip", agency=sneaky), listed)
    assert check.intact and check.exit_code == 1 and check.signer.expected.name == AGENCY
    assert "签名者与预期不符" in check.text and "trust add" not in check.text
    assert f"自称签发机构：{AGENCY[:4]}<U+200B>{AGENCY[4:]}" in check.text
    assert f"与受信任的“{AGENCY}”看似相同（只差不可见字符或全角/半角符号），但签名密钥不同" in check.text
    # a trusted name with full-width brackets, a forgery naming it with ASCII ones
    demo = tmp_path / "demo"
    trust.add_entry(demo, users["admin"], pem_of(key, tmp_path / "demo.pem"), "甲公司（演示数据）")
    check = packages.verify_package(forge(out, tmp_path / "br.zip", agency="甲公司(演示数据)"),
                                    trust.for_verification(demo))
    assert check.exit_code == 1 and "看似相同" in check.text
    # the genuine key under the ASCII-bracket spelling is the same agency: verified
    real = forge(out, tmp_path / "real-br.zip", key=signing.load_private_key(config.data_dir),
                 agency="甲公司(演示数据)")
    assert packages.verify_package(real, trust.for_verification(demo)).exit_code == 0
