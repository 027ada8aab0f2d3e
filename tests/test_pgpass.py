"""PostgreSQL passwords in libpq's password file, never in settings.json."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from desktop import pgpass
from desktop.config import Config


@pytest.fixture
def passfile(tmp_path, monkeypatch):
    path = tmp_path / "home" / "pgpass"
    monkeypatch.setenv("PGPASSFILE", str(path))
    monkeypatch.delenv("RISKDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("RISKDESK_MIGRATION_DATABASE_URL", raising=False)
    return path


def test_the_file_libpq_reads(monkeypatch, tmp_path):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "named"))
    assert pgpass.pgpass_path() == tmp_path / "named"
    monkeypatch.delenv("PGPASSFILE")
    if os.name == "nt":
        assert pgpass.pgpass_path().name == "pgpass.conf"
    else:
        assert pgpass.pgpass_path() == pgpass.Path.home() / ".pgpass"


def test_colons_and_backslashes_are_escaped_and_read_back():
    entry = pgpass.Entry("db.local", "5432", "risk:desk", "desk\\user", "a:b\\c:")
    assert entry.line() == "db.local:5432:risk\\:desk:desk\\\\user:a\\:b\\\\c\\:"
    assert pgpass.split_line(entry.line()) == list(entry.key) + ["a:b\\c:"]
    assert pgpass.split_line("# a comment") is None
    assert pgpass.split_line("only:three:fields") is None


def test_an_address_gives_its_entry_and_loses_its_password():
    url = "postgresql://desk:p%40ss%3Aw@db.local/riskdesk?connect_timeout=5"
    entry = pgpass.entry_for(url)
    assert entry == pgpass.Entry("db.local", "5432", "riskdesk", "desk", "p@ss:w")
    assert pgpass.without_password(url) == "postgresql://desk@db.local/riskdesk?connect_timeout=5"
    assert pgpass.entry_for(pgpass.without_password(url)) is None
    assert pgpass.entry_for("sqlite:///x.sqlite3") is None
    assert pgpass.entry_for("postgresql+psycopg://u:pw@h:6543/d").port == "6543"
    back = pgpass.with_password("postgresql://desk@db.local/riskdesk", "p@ss:w")
    assert pgpass.entry_for(back) == entry


def test_storing_replaces_the_matching_line_keeps_the_rest_owner_only(passfile):
    passfile.parent.mkdir()
    passfile.write_text("# kept comment\nother:5432:*:someone:theirs\n", encoding="utf-8")
    pgpass.store(pgpass.Entry("db.local", "5432", "riskdesk", "desk", "first"))
    pgpass.store(pgpass.Entry("db.local", "5432", "riskdesk", "desk", "second"))
    lines = passfile.read_text(encoding="utf-8").splitlines()
    assert lines == ["# kept comment", "db.local:5432:riskdesk:desk:second", "other:5432:*:someone:theirs"]
    if os.name == "posix":
        assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
    assert [p.name for p in passfile.parent.iterdir()] == ["pgpass"]  # no .part left


def test_a_new_line_goes_before_a_wildcard_that_would_win(passfile):
    passfile.parent.mkdir()
    passfile.write_text("*:*:*:desk:stale\n", encoding="utf-8")
    pgpass.store(pgpass.Entry("db.local", "5432", "riskdesk", "desk", "fresh"))
    assert pgpass.lookup("db.local", "5432", "riskdesk", "desk") == "fresh"
    assert pgpass.lookup("elsewhere", "5432", "riskdesk", "desk") == "stale"
    assert pgpass.lookup("db.local", "5432", "riskdesk", "nobody") is None


def test_saving_settings_moves_the_password_out(passfile, tmp_path):
    config = Config.load(tmp_path / "data")
    config.set("database_url", "postgresql://desk:s3cret-pw@db.local:5432/riskdesk")
    config.set("migration_database_url", "postgresql://owner:0wner-pw@db.local:5432/riskdesk")
    config.save()
    text = (tmp_path / "data" / "settings.json").read_text(encoding="utf-8")
    assert "s3cret-pw" not in text and "0wner-pw" not in text
    assert json.loads(text)["database_url"] == "postgresql://desk@db.local:5432/riskdesk"
    assert pgpass.lookup("db.local", "5432", "riskdesk", "desk") == "s3cret-pw"
    assert pgpass.lookup("db.local", "5432", "riskdesk", "owner") == "0wner-pw"


def test_an_old_settings_file_is_migrated_on_load(passfile, tmp_path, caplog):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "settings.json").write_text(json.dumps(
        {"database_url": "postgresql://desk:old-pw@db.local/riskdesk", "language": "en"}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="desktop.config"):
        config = Config.load(folder)
    assert config.database_url == "postgresql://desk@db.local/riskdesk"
    stored = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
    assert stored == {"database_url": "postgresql://desk@db.local/riskdesk", "language": "en"}
    assert pgpass.lookup("db.local", "5432", "riskdesk", "desk") == "old-pw"
    [record] = [r for r in caplog.records if "password file" in r.getMessage()]
    assert "old-pw" not in record.getMessage() and str(passfile) in record.getMessage()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="desktop.config"):
        Config.load(folder)  # nothing left to move
    assert caplog.records == []


def test_a_password_that_cannot_be_moved_leaves_the_settings_working(passfile, tmp_path, caplog):
    passfile.parent.mkdir()
    passfile.mkdir()  # the password file's place is taken by a folder
    folder = tmp_path / "data"
    folder.mkdir()
    url = "postgresql://desk:old-pw@db.local/riskdesk"
    (folder / "settings.json").write_text(json.dumps({"database_url": url}), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="desktop.config"):
        config = Config.load(folder)
    assert config.database_url == url
    assert any("could not be moved" in r.getMessage() for r in caplog.records)


def test_the_environment_address_is_left_as_given(passfile, tmp_path, monkeypatch):
    url = "postgresql://desk:env-pw@db.local/riskdesk"
    monkeypatch.setenv("RISKDESK_DATABASE_URL", url)
    config = Config.load(tmp_path / "data")
    config.set("migration_database_url", "postgresql://owner@db.local/riskdesk")
    config.save()
    assert config.database_url == url
    assert config.migration_database_url == url  # the settings' owner address is for the settings' database
    assert not passfile.exists()
    monkeypatch.setenv("RISKDESK_MIGRATION_DATABASE_URL", "postgresql://owner@db.local/other")
    assert config.migration_database_url == "postgresql://owner@db.local/other"


def test_migrations_use_the_normal_address_unless_an_owner_one_is_set(passfile, tmp_path):
    config = Config.load(tmp_path / "data")
    assert config.migration_database_url == config.database_url
    config.set("database_url", "postgresql://app@db.local/riskdesk")
    config.set("migration_database_url", "postgresql://owner@db.local/riskdesk")
    assert config.migration_database_url == "postgresql://owner@db.local/riskdesk"
