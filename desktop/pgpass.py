"""PostgreSQL passwords kept in libpq's own password file (pgpass), never in settings.json.

libpq (and so psycopg, pg_dump and pg_restore) reads the file by itself when a connection
address has no password: `PGPASSFILE` when set, else `%APPDATA%\\postgresql\\pgpass.conf` on
Windows and `~/.pgpass` elsewhere. Each line is `host:port:database:user:password`, a `:` or
`\\` inside a field escaped with `\\`, `*` matching anything; the first matching line wins, and
on POSIX the file is ignored unless only its owner may read it (0600).

This module parses addresses with the standard library only (the settings page and the
settings loader use it without the database libraries).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from desktop.fileutil import atomic_write_text

DEFAULT_PORT = "5432"


@dataclass(frozen=True)
class Entry:
    """One line of the password file: where the password applies, and the password."""

    host: str
    port: str
    database: str
    user: str
    password: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.host, self.port, self.database, self.user)

    def line(self) -> str:
        return ":".join(escape(f) for f in (*self.key, self.password))


def pgpass_path() -> Path:
    """The file libpq reads: PGPASSFILE, else the platform's default place."""
    named = os.environ.get("PGPASSFILE")
    if named:
        return Path(named).expanduser()
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def escape(field: str) -> str:
    return field.replace("\\", "\\\\").replace(":", "\\:")


def split_line(line: str) -> list[str] | None:
    """The five fields of a password-file line, unescaped; None for a comment or a bad line."""
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    fields: list[str] = []
    current: list[str] = []
    chars = iter(line.rstrip("\r\n"))
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, ""))
        elif ch == ":" and len(fields) < 4:
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
    fields.append("".join(current))
    return fields if len(fields) == 5 else None


def is_postgresql(url: str) -> bool:
    return url.strip().lower().startswith(("postgresql:", "postgresql+", "postgres:"))


def entry_for(url: str, password: str | None = None) -> Entry | None:
    """The password-file entry a PostgreSQL address needs (its own password unless one is
    given); None for another kind of address or one without a password."""
    if not is_postgresql(url):
        return None
    parts = urlsplit(url.strip())
    secret = password if password is not None else (
        unquote(parts.password) if parts.password is not None else None)
    if not secret:
        return None
    try:
        port = str(parts.port) if parts.port else DEFAULT_PORT
    except ValueError:  # not a number: connecting will say so
        return None
    return Entry(host=parts.hostname or "localhost", port=port,
                 database=unquote(parts.path.lstrip("/")),
                 user=unquote(parts.username) if parts.username else getpass.getuser(),
                 password=secret)


def without_password(url: str) -> str:
    """The address with its password taken out (everything else as written)."""
    if not is_postgresql(url):
        return url
    parts = urlsplit(url.strip())
    if parts.password is None:
        return url.strip()
    user = parts.netloc.rpartition("@")[0].partition(":")[0]
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


def with_password(url: str, password: str) -> str:
    """The address with `password` put in (for a connection test before saving)."""
    bare = without_password(url)
    if not password or not is_postgresql(bare):
        return bare
    parts = urlsplit(bare)
    user, _, host = parts.netloc.rpartition("@")
    netloc = f"{user or quote(getpass.getuser(), safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def read_entries(path: Path | None = None) -> list[Entry]:
    file = path or pgpass_path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [Entry(*fields) for fields in map(split_line, text.splitlines()) if fields]


def lookup(host: str, port: str, database: str, user: str, path: Path | None = None) -> str | None:
    """The password libpq would use for these four values (first match, `*` a wildcard)."""
    wanted = (host, port, database, user)
    for entry in read_entries(path):
        if all(f == "*" or f == w for f, w in zip(entry.key, wanted, strict=True)):
            return entry.password
    return None


def store(entry: Entry, path: Path | None = None) -> Path:
    """Write `entry` into the password file: its line (same host, port, database and user)
    replaced in place, else put before every other line so that no wildcard line above it
    wins. Other lines and comments are kept; the file is written atomically, mode 0600."""
    file = path or pgpass_path()
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    replaced = False
    out: list[str] = []
    for line in lines:
        fields = split_line(line)
        if fields is not None and tuple(fields[:4]) == entry.key:
            if not replaced:
                out.append(entry.line())
                replaced = True
            continue  # a duplicate of the same key further down would only mislead
        out.append(line)
    if not replaced:
        first = next((i for i, line in enumerate(out) if split_line(line) is not None), len(out))
        out.insert(first, entry.line())
    file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(file, "\n".join(out) + "\n", private=True)
    return file


def move_password_out(url: str, path: Path | None = None) -> tuple[str, Path | None]:
    """A PostgreSQL address with a password: the password stored in the password file and the
    address returned without it (and the file written). Any other address comes back as is."""
    entry = entry_for(url)
    if entry is None:
        return url, None
    return without_password(url), store(entry, path)
