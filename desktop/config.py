"""Machine-local settings, declared once with their defaults, kept in settings.json in the data dir.

Agency-wide rules (deadlines per level, numbering patterns, visit frequencies) are shared by
every desk and therefore live in the database: see `desktop.services.rules`.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop import APP_NAME, pgpass
from desktop.clock import zone_problem
from desktop.fileutil import atomic_write_text

log = logging.getLogger(__name__)

ENV_DATA_DIR = "RISKDESK_DATA_DIR"
ENV_DATABASE_URL = "RISKDESK_DATABASE_URL"
ENV_MIGRATION_DATABASE_URL = "RISKDESK_MIGRATION_DATABASE_URL"
SETTINGS_FILE = "settings.json"
URL_SETTINGS = ("database_url", "migration_database_url")  # their passwords live in pgpass


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "", "数据库地址；留空则使用数据目录中的 SQLite 文件"),
    Setting("migration_database_url", "",
            "升级数据库结构时使用的地址（PostgreSQL 所有者角色）；留空则使用数据库地址"),
    Setting("attachments_dir", "", "附件库目录；留空则为数据目录下的 attachments"),
    Setting("language", "zh_CN", "界面语言：zh_CN 或 en"),
    Setting("backup_dir", "", "自动备份目录；留空则为数据目录下的 backups"),
    Setting("backup_keep", 10, "自动备份保留份数"),
    Setting("backup_interval_hours", 24, "自动备份间隔（小时），0 为关闭"),
    Setting("time_zone", "Asia/Shanghai", "机构时区（IANA 名称）：“今天”“当日”和期间起止按此时区计算"),
    Setting("import_max_mb", 200, "导入的 Excel 文件解压后大小上限（MB），超过则不读取"),
    Setting("import_max_rows", 200_000, "导入的工作表行数上限，超过则不读取"),
    Setting("idle_lock_minutes", 15, "无操作自动锁定（分钟），0 为关闭"),
    Setting("photo_group_gap_minutes", 3,
            "从文件夹导入照片时，相邻两张拍摄时间相隔超过多少分钟就分为另一处隐患"),
    Setting("last_folder", "", "文件对话框上次使用的文件夹"),
    Setting("document_font", "",
            "文书正文字体文件（宋体、仿宋或楷体 TrueType；集合文件写成 路径:序号）；留空则自动选择"),
    Setting("audit_checkpoint_every", 200,
            "每写入多少条审计记录就在数据目录中签名记下一个检查点，0 为只在备份、导出和会话结束时记"),
)
_DEFAULTS = {s.key: s.default for s in SETTINGS}


def default_data_dir() -> Path:
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


@dataclass
class Config:
    """The settings of one data directory."""

    data_dir: Path
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path | str | None = None) -> Config:
        path = Path(data_dir).expanduser() if data_dir else default_data_dir()
        values: dict[str, Any] = {}
        file = path / SETTINGS_FILE
        if file.exists():
            try:
                loaded = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValueError(f"设置文件无法读取：{file}（{exc}）") from exc
            if isinstance(loaded, dict):
                values = {k: v for k, v in loaded.items() if k in _DEFAULTS}
        problem = zone_problem(values.get("time_zone", _DEFAULTS["time_zone"]))
        if problem is not None:
            raise ValueError(f"设置文件 {file} 中的 time_zone 无效：{problem}")
        config = cls(data_dir=path, values=values)
        config._migrate_passwords()
        return config

    def _migrate_passwords(self) -> None:
        """A settings file written by an older version may hold a PostgreSQL password in an
        address: it moves to the password file and the file is rewritten without it."""
        if not any(pgpass.entry_for(str(self.values.get(k) or "")) for k in URL_SETTINGS):
            return
        try:
            moved = self._passwords_to_pgpass()
            self._write()
        except OSError as exc:
            log.error("settings.json holds a PostgreSQL password; it could not be moved to the "
                      "password file: %s", exc)
            return
        log.warning("moved the PostgreSQL password of %s from %s to the password file %s",
                    ", ".join(moved), self.data_dir / SETTINGS_FILE, pgpass.pgpass_path())

    def get(self, key: str) -> Any:
        if key not in _DEFAULTS:
            raise KeyError(key)
        return self.values.get(key, _DEFAULTS[key])

    def set(self, key: str, value: Any) -> None:
        if key not in _DEFAULTS:
            raise KeyError(key)
        if key == "time_zone" and (problem := zone_problem(value)) is not None:
            raise ValueError(problem)
        self.values[key] = value

    def save(self) -> None:
        """Write settings.json; a password in a database address goes to libpq's password
        file (`desktop.pgpass`) first and the address is kept without it."""
        self._passwords_to_pgpass()
        self._write()

    def _passwords_to_pgpass(self) -> list[str]:
        moved = []
        for key in URL_SETTINGS:
            url = str(self.values.get(key) or "")
            bare, written = pgpass.move_password_out(url)
            if written is not None:
                self.values[key] = bare
                moved.append(key)
        return moved

    def _write(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.values, ensure_ascii=False, indent=2, sort_keys=True)
        atomic_write_text(self.data_dir / SETTINGS_FILE, text, private=True)

    @property
    def database_url(self) -> str:
        env = os.environ.get(ENV_DATABASE_URL)
        if env:
            return env
        url = self.get("database_url")
        if url:
            return str(url)
        return f"sqlite:///{self.sqlite_path}"

    @property
    def migration_database_url(self) -> str:
        """The address migrations run with (the schema owner's role); the normal address when
        none is set. With RISKDESK_DATABASE_URL in the environment only the environment
        counts: RISKDESK_MIGRATION_DATABASE_URL, else that address."""
        if os.environ.get(ENV_DATABASE_URL):
            return os.environ.get(ENV_MIGRATION_DATABASE_URL) or self.database_url
        return str(self.get("migration_database_url") or "") or self.database_url

    @property
    def document_font(self) -> str:
        return str(self.get("document_font") or "").strip()

    @property
    def time_zone(self) -> str:
        return str(self.get("time_zone")).strip()

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "riskdesk.sqlite3"

    @property
    def attachments_dir(self) -> Path:
        custom = self.get("attachments_dir")
        return Path(custom).expanduser() if custom else self.data_dir / "attachments"

    @property
    def backup_dir(self) -> Path:
        custom = self.get("backup_dir")
        return Path(custom).expanduser() if custom else self.data_dir / "backups"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"
