"""Run the command line as a person: `--user NAME --password-file FILE` for the data commands."""

from __future__ import annotations

from pathlib import Path

TEST_PASSWORD = "secret123"  # the password of the accounts tests/conftest.py `users` makes


def as_user(folder: Path, user: str = "admin", password: str = TEST_PASSWORD) -> list[str]:
    """The options that sign a command in as `user`, the password in a file in `folder`."""
    path = Path(folder) / f".pw-{user}.txt"
    path.write_text(password + "\n", encoding="utf-8")
    return ["--user", user, "--password-file", str(path)]
