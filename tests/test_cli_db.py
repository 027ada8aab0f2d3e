"""`riskdesk db grants`: the script it prints is the one shipped, bad role names are refused,
and SQLite (no roles) is told so. On PostgreSQL: tests/test_pg_grants.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import pg_grants
from desktop.cli import main
from tests.test_cli_start import loaded_after

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_script_is_the_generated_one():
    shipped = (ROOT / "resources" / "sql" / "grants.sql").read_text(encoding="utf-8")
    assert shipped == pg_grants.render()


def test_print_writes_the_script_for_the_roles_given(capsys):
    assert main(["db", "grants", "--owner", "desk_owner", "--app", "desk_app", "--print"]) == 0
    script = capsys.readouterr().out
    assert 'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "public"."audit_log" FROM "desk_app"' in script
    assert 'ALTER DEFAULT PRIVILEGES FOR ROLE "desk_owner"' in script
    assert "riskdesk_app" not in script


def test_its_help_needs_no_database_library():
    heavy, out = loaded_after("from desktop.cli import main; main(['db', 'grants', '--help'])")
    assert heavy == [] and "--owner ROLE" in out and "TRUNCATE" in out


@pytest.mark.parametrize("owner, app", [("Owner", "desk_app"), ('x"; DROP', "desk_app"),
                                        ("pg_owner", "desk_app"), ("same", "same")])
def test_bad_role_names_are_refused(owner, app, capsys):
    assert main(["db", "grants", "--owner", owner, "--app", app, "--print"]) == 2
    assert "角色" in capsys.readouterr().err


def test_sqlite_has_no_roles(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'riskdesk.sqlite3'}"
    assert main(["--data-dir", str(tmp_path), "db", "grants", "--url", url]) == 2
    assert "只用于 PostgreSQL" in capsys.readouterr().err
