"""Crash-drill writer: records hazards with photos, edits and import-like batches forever,
printing each id after its transaction commits. The drill kills it with SIGKILL.

    python -m tests.drill_writer DATA_DIR PROJECT_ID USERNAME SEED
"""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

from PIL import Image

from desktop.db import Database
from desktop.services import hazards
from desktop.services.context import Actor, ConflictError
from desktop.services.exchange import attachments


def _photo(rng: random.Random) -> bytes:
    img = Image.new("RGB", (48, 32), tuple(rng.randrange(256) for _ in range(3)))
    img.putpixel((rng.randrange(48), rng.randrange(32)), (rng.randrange(256), 0, 0))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def main() -> None:
    run(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
        lambda line: print(line, flush=True))


def run(data_dir: Path, project_id: int, username: str, seed: int, say) -> None:  # type: ignore[no-untyped-def]
    """Write until killed; `say(line)` reports each commit (READY first)."""
    rng = random.Random(seed)
    db = Database(f"sqlite:///{data_dir / 'riskdesk.sqlite3'}")
    store = data_dir / "attachments"
    with db.read() as s:
        from sqlalchemy import select

        from desktop.models import User

        user = s.execute(select(User).where(User.username == username)).scalar_one()
        actor = Actor(user.id, user.username, user.role, user.display_name)
    say("READY")
    n = 0
    while True:
        n += 1
        batch = 20 if n % 5 == 0 else 1  # every fifth unit is an import-like batch
        with db.session() as s:
            ids = []
            for _ in range(batch):
                h = hazards.record(s, actor, hazards.HazardForm(
                    project_id=project_id, description=f"演练隐患 {seed}-{n}-{rng.random():.6f}",
                    location="演练部位", level=rng.choice([2, 3, 4]), measures="演练整改措施",
                    contingency="演练预案"))
                attachments.store_file(s, actor, store_dir=store, data=_photo(rng), original_name="现场.jpg",
                                       owner_type="hazard", owner_id=h.id, role="before")
                ids.append(h.id)
        say("C " + " ".join(map(str, ids)))
        # an edit of an earlier hazard, with the version check
        try:
            with db.session() as s:
                h = hazards.get(s, ids[0])
                hazards.update(s, actor, h.id, expected_version=h.version, measures=f"改 {n}")
            say(f"E {ids[0]} {h.version + 1}")
        except ConflictError:
            pass


if __name__ == "__main__":
    main()


def child(data_dir: str, project_id: int, username: str, seed: int, conn) -> None:  # type: ignore[no-untyped-def]
    """Entry for a forked drill process: reports go through a one-way pipe."""
    run(Path(data_dir), project_id, username, seed, lambda line: conn.send_bytes(line.encode()))
