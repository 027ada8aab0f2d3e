"""What a new data folder starts with besides the catalogues: Shaoxing's districts and their
construction authorities (resources/presets/authorities.json), written once at set-up as
ordinary organisations — the agency edits or adds to them like any other."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from desktop.models.enums import OrgKind
from desktop.paths import presets_dir
from desktop.services import organisations
from desktop.services.context import Actor, ServiceError, msg

AUTHORITIES_FILE = "authorities.json"


@dataclass(frozen=True)
class PresetOrg:
    name: str
    short_name: str = ""
    district: str = ""


@dataclass(frozen=True)
class AuthorityPreset:
    city: PresetOrg
    districts: tuple[PresetOrg, ...]


def authority_preset(path: Path | None = None) -> AuthorityPreset:
    """The city bureau and the district authorities from the preset file."""
    path = path or presets_dir() / AUTHORITIES_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != 1:
            raise ValueError("format")

        def org(entry: dict[str, Any]) -> PresetOrg:
            name = str(entry["name"]).strip()
            if not name:
                raise ValueError("name")
            return PresetOrg(name, str(entry.get("short_name", "")).strip(),
                             str(entry.get("district", "")).strip())

        return AuthorityPreset(org(raw["city"]), tuple(org(d) for d in raw["districts"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ServiceError(msg("预置的区县主管部门文件无法读取：{path}（{reason}）", path=str(path),
                               reason=str(exc))) from exc


def create_authorities(session: Session, actor: Actor,
                       path: Path | None = None) -> list[organisations.OrgRow]:
    """The city bureau and each district's 住房和城乡建设局, as authority organisations (the
    district ones under the city's); organisations already there are left as they are."""
    preset = authority_preset(path)
    kind = OrgKind.AUTHORITY.value
    city = organisations.ensure(session, actor, kind=kind, name=preset.city.name,
                                short_name=preset.city.short_name, district=preset.city.district)
    rows = [city]
    for d in preset.districts:
        rows.append(organisations.ensure(session, actor, kind=kind, name=d.name,
                                         short_name=d.short_name, district=d.district,
                                         parent_id=city.id))
    return rows
