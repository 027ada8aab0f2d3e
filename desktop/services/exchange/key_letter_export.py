"""A key letter saved for sending: its PDF with the public key file (.pem) it names beside it.

Above documents (which renders every kind, the key letter included) and key_letter (which
registers the letter's data), so neither needs the other.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.fileutil import atomic_write_bytes
from desktop.reports import key_letter as layout
from desktop.services import documents, permissions
from desktop.services.context import Actor, ServiceError, ValidationError, msg
from desktop.services.queries.key_letter import _profile, letter_public_pem


def _safe(name: str) -> str:
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name).strip() or "key"


def save_with_key(session: Session, actor: Actor, document_id: int, *, store_dir: Path | str,
                  folder: Path | str) -> tuple[Path, Path]:
    """Copy a key letter's PDF into `folder` with the public key file (.pem) it names beside it,
    for sending to an insurer together. Returns (pdf, pem)."""
    permissions.require(actor, "export")
    fingerprint, pem = letter_public_pem(session, document_id)
    row = documents.get(session, document_id)
    source = documents.file_path(store_dir, row)
    target = Path(folder)
    if not target.is_dir():
        raise ValidationError({"folder": msg("所选文件夹不存在：{folder}", folder=target)})
    number = row.display_number if row.status != "draft" else "草稿"
    agency_name = _profile(session).name
    pdf = target / _safe(f"{number} {layout.TITLE}.pdf")
    key_file = target / _safe(f"{agency_name} 签名公钥 {fingerprint.replace(' ', '')[:8]}.pem")
    try:
        atomic_write_bytes(pdf, source.read_bytes())
        atomic_write_bytes(key_file, pem)
    except OSError as exc:
        raise ServiceError(msg("无法保存文件：{reason}", reason=exc.strerror or str(exc))) from exc
    return pdf, key_file
