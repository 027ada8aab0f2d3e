"""`riskdesk verify` exit codes, `trust add|list|remove` and `key rotate|public` as a script
runs them: the insurer's desk is a folder without a database."""

from __future__ import annotations

import argparse
import io
import stat
import sys
import zipfile

import pytest

from desktop import cli, cli_data, cli_trust
from desktop.services import rotation, signing, trust
from tests.cli_users import TEST_PASSWORD, as_user
from tests.services.test_trust import AGENCY, forge
from tests.test_cli_data import folder  # noqa: F401 - fixture


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("RISKDESK_PASSWORD", TEST_PASSWORD)


def call(capsys, *argv) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="riskdesk")
    parser.add_argument("--data-dir")
    commands = parser.add_subparsers(dest="command")
    cli_data.register(commands)
    cli_trust.register(commands)
    args = parser.parse_args(as_user(argv))  # the data commands run as the admin
    code = args.handler(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def exported(capsys, folder):  # noqa: F811
    data, ids, _ = folder
    out = data / "out" / "package.zip"
    code, _, _ = call(capsys, "--data-dir", data, "export-package", "--insurer", str(ids.insurer),
                      "--period", "2026Q3", "--out", out)
    assert code == 0
    code, stdout, _ = call(capsys, "--data-dir", data, "key", "public",
                           "--out", data / "agency.pem")
    assert code == 0 and "公钥指纹" in stdout
    return data, out


def test_verify_exit_codes_on_an_insurers_desk(capsys, exported, tmp_path):
    data, real = exported
    insurer = tmp_path / "insurer"
    forged = forge(real, tmp_path / "forged.zip")
    fingerprint = signing.fingerprint(trust.read_key_file(data / "agency.pem"))
    code, stdout, _ = call(capsys, "--data-dir", insurer, "verify", forged)
    assert code == 3 and "签名者未经核实" in stdout and AGENCY in stdout
    assert "签名公钥指纹：" in stdout and fingerprint not in stdout  # the forger's, in groups
    code, stdout, _ = call(capsys, "--data-dir", insurer, "verify", real)
    assert code == 3 and fingerprint in stdout
    code, stdout, _ = call(capsys, "--data-dir", insurer, "trust", "add", data / "agency.pem",
                           "--name", AGENCY)
    assert code == 0 and fingerprint in stdout
    assert stat.S_IMODE((insurer / trust.TRUST_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(insurer.stat().st_mode) == 0o700
    code, stdout, _ = call(capsys, "--data-dir", insurer, "trust", "list")
    assert code == 0 and AGENCY in stdout and fingerprint in stdout
    code, stdout, _ = call(capsys, "--data-dir", insurer, "verify", forged)
    assert code == 1 and "签名者与预期不符" in stdout and "未通过核验" in stdout
    code, stdout, _ = call(capsys, "--data-dir", insurer, "verify", real)
    assert code == 0 and f"受信任名单中的“{AGENCY}”" in stdout and "结论：资料包完整" in stdout
    code, stdout, _ = call(capsys, "--data-dir", insurer, "trust", "remove", fingerprint)
    assert code == 0 and AGENCY in stdout
    assert call(capsys, "--data-dir", insurer, "verify", real)[0] == 3
    # --trust for one check: the key file, or the fingerprint read from the key letter
    for given in (data / "agency.pem", fingerprint):
        assert call(capsys, "--data-dir", insurer, "verify", real, "--trust", given)[0] == 0
        assert call(capsys, "--data-dir", insurer, "verify", forged, "--trust", given)[0] == 1
    public = trust.read_key_file(data / "agency.pem")
    assert call(capsys, "--data-dir", insurer, "verify", real, "--public-key", public)[0] == 0
    # tampered after signing: a file changed, the manifest left as it was
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(real) as zin, zipfile.ZipFile(tampered, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info)
            zout.writestr(info, body + b"\0" if info.filename.endswith(".xlsx") else body)
    code, stdout, _ = call(capsys, "--data-dir", insurer, "verify", tampered,
                           "--trust", fingerprint)
    assert code == 1 and "文件被修改：登记表/" in stdout and "未通过核验" in stdout
    code, _, stderr = call(capsys, "--data-dir", insurer, "verify", real, "--trust", "ABCD 12")
    assert code == 1 and "--trust 应为公钥文件或 64 位十六进制的指纹" in stderr
    code, _, stderr = call(capsys, "--data-dir", insurer, "trust", "add", data / "agency.pem",
                           "--name", " ")
    assert code == 2 and "请填写该公钥所属机构的名称" in stderr


def test_the_agency_trusts_its_own_key_and_rotation_keeps_old_packages_verifying(
        capsys, exported, tmp_path):
    data, old = exported
    code, stdout, _ = call(capsys, "--data-dir", data, "verify", old)
    assert code == 0 and "本机构自己的签名密钥" in stdout
    # a forgery in our own name, checked on our own desk: not merely unverified, refused
    code, stdout, _ = call(capsys, "--data-dir", data, "verify", forge(old, tmp_path / "f.zip"))
    assert code == 1 and "签名者与预期不符" in stdout
    insurer = tmp_path / "insurer"
    assert call(capsys, "--data-dir", insurer, "trust", "add", data / "agency.pem",
                "--name", AGENCY)[0] == 0
    code, stdout, _ = call(capsys, "--data-dir", data, "key", "rotate")
    assert code == 0 and "新公钥指纹" in stdout and rotation.ROTATION_FILE in stdout
    new = data / "out" / "new.zip"
    assert call(capsys, "--data-dir", data, "export-package", "--insurer", "人民财产",
                "--period", "2026Q3", "--out", new)[0] == 0
    code, stdout, _ = call(capsys, "--data-dir", insurer, "verify", new)
    assert code == 0 and "密钥更换声明" in stdout
    assert call(capsys, "--data-dir", insurer, "verify", old)[0] == 0
    assert call(capsys, "--data-dir", data, "verify", old)[0] == 0  # own retired key


def test_the_help_documents_the_exit_codes_and_the_new_commands(capsys):
    assert cli.main(["verify", "--help"]) == 0
    text = capsys.readouterr().out
    assert "  0  资料包完整，且由受信任的密钥签名\n" in text and "--trust FILE|指纹" in text
    assert "  3  资料包完整，但签名者未经核实" in text and "  1  资料包损坏或被篡改" in text
    assert cli.main(["trust", "--help"]) == 0
    text = capsys.readouterr().out
    assert all(action in text for action in ("add", "list", "remove"))
    assert cli.main(["key", "rotate", "--help"]) == 0
    assert "密钥更换声明" in capsys.readouterr().out


def test_verify_refuses_a_package_signed_by_another_agencys_trusted_key(capsys, exported,
                                                                        tmp_path):
    """Review 13, D1 and D12: agency B's key, trusted for B, re-signs A's package — rc 1 naming
    both, also with A's key given; a fingerprint given reads naturally when it differs."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data, real = exported
    insurer = tmp_path / "insurer"
    other = Ed25519PrivateKey.generate()
    other_pem = tmp_path / "otherB.pub.pem"
    other_pem.write_bytes(signing.public_pem(signing.public_hex(other)))
    for pem, name in ((data / "agency.pem", AGENCY), (other_pem, "乙安全咨询公司")):
        assert call(capsys, "--data-dir", insurer, "trust", "add", pem, "--name", name)[0] == 0
    forged = forge(real, tmp_path / "f2.zip", key=other)
    code, stdout, _ = call(capsys, "--data-dir", insurer, "verify", forged)
    assert code == 1 and "签名者已核实" not in stdout and "签名者：已核实" not in stdout
    assert f"签名者与预期不符：资料包自称由“{AGENCY}”签发，但其签名公钥在受信任名单中登记为“乙安全咨询公司”" \
        in stdout
    code, stdout, _ = call(capsys, "--data-dir", insurer, "verify", forged, "--trust",
                           data / "agency.pem")
    assert code == 1 and "签名者与预期不符" in stdout and "乙安全咨询公司" in stdout
    fingerprint = signing.fingerprint(trust.read_key_file(data / "agency.pem"))
    stranger = forge(real, tmp_path / "stranger.zip")
    code, stdout, _ = call(capsys, "verify", stranger, "--trust", fingerprint)
    assert code == 1 and "指纹的公钥指纹" not in stdout
    assert f"签名者与预期不符：本资料包的签名公钥与您指定的指纹不符（应为 {fingerprint}）。" in stdout
    code, stdout, _ = call(capsys, "verify", stranger, "--trust", data / "agency.pem")
    assert code == 1 and "本资料包的签名公钥与您指定的公钥文件不符" in stdout


def test_key_export_by_another_role_is_refused_naming_the_key_export(capsys, exported, users,
                                                                     tmp_path):
    """Review 13, D12: not "无权修改系统设置" but what was refused."""
    data, _ = exported
    passphrase = tmp_path / "pp.txt"
    passphrase.write_text("Key-Passphrase-2026\n", encoding="utf-8")
    for role in ("tech_lead", "clerk"):
        code, _, err = call(capsys, "--data-dir", data, "key-export", "--out", tmp_path / "k.pem",
                            "--passphrase-file", passphrase, "--user", role)
        assert code != 0 and "无权导出机构签名私钥" in err and "修改系统设置" not in err
        assert not (tmp_path / "k.pem").exists()
    code, stdout, _ = call(capsys, "--data-dir", data, "key-export", "--out", tmp_path / "k.pem",
                           "--passphrase-file", passphrase, "--user", "admin")
    assert code == 0 and "已导出机构签名密钥" in stdout
