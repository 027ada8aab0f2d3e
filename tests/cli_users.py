"""Run the command line as a person: the data commands take `--user NAME` and a password."""

from __future__ import annotations

from pathlib import Path

TEST_PASSWORD = "Secret-Desk-2026"  # the password of the accounts tests/conftest.py `users` makes
# the tokens that name a command signing in (`trust add|remove`, `key rotate` by their action)
NEEDS_LOGIN = {"export-package", "import", "backup", "restore", "selfcheck", "report", "add",
               "remove", "rotate", "grading"}


def as_user(argv: list[str], user: str = "admin") -> list[str]:
    """`argv` with `--user` added when its command signs in (the password then comes from
    RISKDESK_PASSWORD: set it with `monkeypatch.setenv`)."""
    argv = [str(a) for a in argv]
    if "--user" in argv or not NEEDS_LOGIN & set(argv):
        return argv
    return [*argv, "--user", user]


def login_options(folder: Path, user: str = "admin", password: str = TEST_PASSWORD) -> list[str]:
    """`--user` and `--password-file`, the password written to a file in `folder`."""
    path = Path(folder) / f".pw-{user}.txt"
    path.write_text(password + "\n", encoding="utf-8")
    return ["--user", user, "--password-file", str(path)]
