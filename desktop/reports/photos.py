"""Photos for documents: shrunk to print size, EXIF-upright, cached, laid out in grids."""

from __future__ import annotations

import io
import logging
import math
import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle
from reportlab.platypus import Image as RLImage

from desktop.reports.fonts import BODY
from desktop.reports.grid import Grid
from desktop.reports.styles import GREY, P, Styles
from desktop.reports.text import para

log = logging.getLogger("desktop.reports")

PRINT_DPI = 150  # sharp on an office printer; a 80 mm photo needs ~470 px
JPEG_QUALITY = 80
_CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ShrunkPhoto:
    data: bytes  # a baseline JPEG, upright
    width: int
    height: int


class _LruBytes:
    """A small in-memory cache of shrunk JPEGs bounded by total size, shared by all builders."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple[Any, ...], ShrunkPhoto] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple[Any, ...]) -> ShrunkPhoto | None:
        with self.lock:
            item = self.items.get(key)
            if item is not None:
                self.items.move_to_end(key)
            return item

    def put(self, key: tuple[Any, ...], value: ShrunkPhoto) -> None:
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.size += len(value.data)
            while self.size > self.limit and self.items:
                _, old = self.items.popitem(last=False)
                self.size -= len(old.data)


_cache = _LruBytes(_CACHE_BYTES)


def px_for(width_pt: float) -> int:
    """Pixels needed for a picture printed `width_pt` points wide at PRINT_DPI."""
    return max(64, math.ceil(width_pt / 72 * PRINT_DPI))


def shrink_photo(path: Path | str, *, max_px: int) -> ShrunkPhoto | None:
    """The photo at `path` turned upright and fitted in max_px × max_px; None if unreadable."""
    source = Path(path)
    try:
        stat = source.stat()
    except OSError:
        log.warning("photo missing: %s", source)
        return None
    key = (str(source.resolve()), stat.st_mtime_ns, stat.st_size, max_px)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        with Image.open(source) as img:
            # draft() lets the JPEG decoder skip most of a 12-megapixel file
            img.draft("RGB", (max_px, max_px))
            upright = ImageOps.exif_transpose(img)
            upright.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
            if upright.mode != "RGB":
                upright = _flatten(upright)
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            shrunk = ShrunkPhoto(out.getvalue(), upright.width, upright.height)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("photo unreadable: %s (%s)", source, exc)
        return None
    _cache.put(key, shrunk)
    return shrunk


def prefetch(paths: Sequence[Path | str], *, max_px: int) -> None:
    """Shrink many photos ahead of a build on every core (Pillow decodes without the GIL),
    so the grid that follows finds them in the cache."""
    todo = list(dict.fromkeys(paths))
    if len(todo) < 8:
        return
    workers = min(len(todo), os.cpu_count() or 1, 8)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(lambda path: shrink_photo(path, max_px=max_px), todo):
            pass


def grid_px(width: float, columns: int) -> int:
    """The pixel size photo_grid asks for, for `columns` photos across `width` points."""
    cell_w = width / columns
    return px_for(cell_w - 4 * mm)


def _flatten(img: Image.Image) -> Image.Image:
    """RGB on white: transparency, palettes and CMYK all print the same way."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def photo_flowable(path: Path, *, width: float, height: float) -> Flowable:
    """The shrunk photo fitted in width × height points, or a labelled placeholder."""
    shrunk = shrink_photo(path, max_px=px_for(max(width, height)))
    if shrunk is None:
        return _Placeholder(f"照片无法读取：{Path(path).name}", width, height)
    scale = min(width / shrunk.width, height / shrunk.height)
    return _Photo(shrunk.data, width=shrunk.width * scale, height=shrunk.height * scale)


class _Photo(RLImage):
    """A picture that keeps its bytes: the same picture for the .docx copy (reports/docx_out.py)."""

    def __init__(self, data: bytes, *, width: float, height: float) -> None:
        super().__init__(io.BytesIO(data), width=width, height=height)
        self.photo_bytes = data


class _Placeholder(Flowable):
    def __init__(self, text: str, width: float, height: float) -> None:
        super().__init__()
        self.text, self.width, self.height = text, width, height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(GREY)
        c.setDash(2, 2)
        c.rect(0, 0, self.width, self.height)
        c.setFont(BODY, 8)
        c.setFillColor(GREY)
        c.drawCentredString(self.width / 2, self.height / 2, self.text[:40])
        c.restoreState()


def photo_grid(photos: Sequence[tuple[Path, str]], *, width: float,
               columns: int = 3) -> Table | None:
    """Photos with captions, `columns` per row; the table splits between rows across pages."""
    if not photos:
        return None
    cell_w = width / columns
    pic_w, pic_h = cell_w - 4 * mm, (cell_w - 4 * mm) * 0.75
    rows: list[list[Any]] = []
    for start in range(0, len(photos), columns):
        chunk = photos[start:start + columns]
        row = [[photo_flowable(p, width=pic_w, height=pic_h), P(para(cap), Styles.caption)]
               for p, cap in chunk]
        rows.append(row + [""] * (columns - len(chunk)))
    table = Grid(rows, colWidths=[cell_w] * columns)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 9),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


def before_after_grid(before: Sequence[Path], after: Sequence[Path], *, width: float,
                      label: str = "", notes: Mapping[Path, str] | None = None) -> Table | None:
    """整改前 | 整改后 side by side, one pair per row; unmatched photos face an empty cell."""
    if not before and not after:
        return None
    cell_w = width / 2
    pic_w, pic_h = cell_w - 6 * mm, (cell_w - 6 * mm) * 0.75
    rows: list[list[Any]] = [["整改前", "整改后"]]
    for i in range(max(len(before), len(after))):
        row: list[Flowable | list[Flowable]] = []
        for photos, word in ((before, "整改前"), (after, "整改后")):
            if i < len(photos):
                caption = f"{label} {word} {i + 1}".strip()
                if notes and notes.get(photos[i]):  # capture time and place, when known
                    caption += "\n" + notes[photos[i]]
                row.append([photo_flowable(photos[i], width=pic_w, height=pic_h),
                            P(para(caption), Styles.caption)])
            else:
                row.append(P("（无）", Styles.caption))
        rows.append(row)
    table = Grid(rows, colWidths=[cell_w, cell_w], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 9),
        ("FONT", (0, 0), (-1, 0), BODY, 10),
        ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
        ("GRID", (0, 0), (-1, -1), 0.5, GREY),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 1), (-1, -1), 4),
    ]))
    return table
