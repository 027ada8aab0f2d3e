"""A chart (a reportlab.graphics Drawing) as a PNG, drawn with Pillow, for the Word copies.

ReportLab's own bitmap renderer needs pycairo (a native library the app does not ship), so
the shapes are walked here: groups with their transforms, widgets expanded through
`provideNode()`, then rectangles, lines, polygons, wedges, paths (as polygons), circles and
strings. The charts of reports/charts.py and reports/risk_report.py use only these.
Text is drawn with the font file ReportLab registered under the string's font name.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any, cast

from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Ellipse,
    Group,
    Line,
    Path,
    Polygon,
    PolyLine,
    Rect,
    String,
    UserNode,
    Wedge,
)
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desktop.reports.fonts import BODY, ensure_fonts

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)
MARGIN = 10.0  # points around the drawing: pie labels and slanted axis labels reach past it


def drawing_png(drawing: Drawing, *, scale: float = 3.0) -> bytes:
    """The drawing on white with MARGIN around it, at `scale` pixels per point (3 ≈ 216 dpi),
    as PNG bytes."""
    ensure_fonts()
    width = max(1, round((drawing.width + 2 * MARGIN) * scale))
    height = max(1, round((drawing.height + 2 * MARGIN) * scale))
    image = Image.new("RGB", (width, height), "white")
    painter = _Painter(image, scale, drawing.height)
    painter.walk(drawing, _IDENTITY)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _rgb(colour: Any) -> tuple[int, int, int, int] | None:
    if not isinstance(colour, Color):
        return None
    alpha = getattr(colour, "alpha", 1) or 0
    if alpha <= 0:
        return None
    r, g, b = (round(255 * max(0.0, min(1.0, v))) for v in colour.rgb())
    return r, g, b, round(255 * min(1.0, alpha))


class _Painter:
    def __init__(self, image: Image.Image, scale: float, height: float) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image, "RGBA")
        self.scale = scale
        self.height = height
        self.fonts: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}

    def point(self, m: Matrix, x: float, y: float) -> tuple[float, float]:
        px = m[0] * x + m[2] * y + m[4]
        py = m[1] * x + m[3] * y + m[5]
        return (px + MARGIN) * self.scale, (self.height - py + MARGIN) * self.scale

    def walk(self, node: Any, m: Matrix) -> None:
        if isinstance(node, UserNode):
            node = node.provideNode()
        if isinstance(node, Group):
            inner = _multiply(m, tuple(node.transform)) if getattr(node, "transform", None) else m
            for child in node.getContents():
                self.walk(child, inner)
        elif isinstance(node, Rect):
            x, y, w, h = node.x, node.y, node.width, node.height
            self.shape(node, m, [(x, y), (x + w, y), (x + w, y + h), (x, y + h)], closed=True)
        elif isinstance(node, Line):
            self.shape(node, m, [(node.x1, node.y1), (node.x2, node.y2)], closed=False)
        elif isinstance(node, Polygon):  # before PolyLine: both hold points
            self.shape(node, m, _pairs(node.points), closed=True)
        elif isinstance(node, PolyLine):
            self.shape(node, m, _pairs(node.points), closed=False)
        elif isinstance(node, Wedge | Path):
            # the outline comes back without the style: it is the wedge's (or path's) own
            outline = node.asPolygon() if isinstance(node, Wedge) else node
            parts = outline.asPolygons() if isinstance(outline, Path) else [outline]  # type: ignore[attr-defined]
            for part in parts:
                self.shape(node, m, _pairs(part.points), closed=True)
        elif isinstance(node, Circle | Ellipse):
            rx = node.r if isinstance(node, Circle) else node.rx
            ry = node.r if isinstance(node, Circle) else node.ry
            points = [(node.cx + rx * math.cos(a / 36 * math.pi),
                       node.cy + ry * math.sin(a / 36 * math.pi)) for a in range(72)]
            self.shape(node, m, points, closed=True)
        elif isinstance(node, String):
            self.text(node, m)

    def shape(self, node: Any, m: Matrix, points: Sequence[tuple[float, float]], *,
              closed: bool) -> None:
        xy = [self.point(m, x, y) for x, y in points]
        if len(xy) < 2:
            return
        fill = _rgb(getattr(node, "fillColor", None)) if closed else None
        stroke = _rgb(getattr(node, "strokeColor", None))
        width = max(1, round((getattr(node, "strokeWidth", 1) or 0) * self.scale * _zoom(m)))
        if fill is not None and len(xy) >= 3:
            self.draw.polygon(xy, fill=fill)
        if stroke is not None and (getattr(node, "strokeWidth", 1) or 0) > 0:
            self.draw.line(xy + ([xy[0]] if closed else []), fill=stroke, width=width)

    def text(self, node: String, m: Matrix) -> None:
        colour = _rgb(getattr(node, "fillColor", None))
        if colour is None or not node.text:
            return
        size = max(1, round(node.fontSize * self.scale * _zoom(m)))
        font = self.font(node.fontName or BODY, size)
        left, top, right, bottom = font.getbbox(node.text, anchor="ls")
        shift = {"middle": (right - left) / 2, "end": right - left}.get(node.textAnchor, 0)
        angle = math.degrees(math.atan2(m[1], m[0]))
        x, y = self.point(m, node.x, node.y)
        if abs(angle) < 0.5:
            self.draw.text((x - shift, y), node.text, font=font, fill=colour, anchor="ls")
            return
        # rotated (slanted axis labels): drawn on a patch about its centre, then turned
        half = round(right - left + bottom - top) + 2
        patch = Image.new("RGBA", (2 * half, 2 * half))
        ImageDraw.Draw(patch).text((half - shift, half), node.text, font=font, fill=colour,
                                   anchor="ls")
        turned = patch.rotate(angle, center=(half, half), resample=Image.Resampling.BICUBIC)
        self.image.paste(turned, (round(x - half), round(y - half)), turned)

    def font(self, name: str, size: int) -> ImageFont.FreeTypeFont:
        key = (name, size)
        if key not in self.fonts:
            font = pdfmetrics.getFont(name if name in pdfmetrics.getRegisteredFontNames()
                                      else BODY)
            face = font.face if isinstance(font, TTFont) else cast(TTFont, pdfmetrics.getFont(BODY)).face
            index = getattr(face, "subfontIndex", 0) or 0
            self.fonts[key] = ImageFont.truetype(face.filename, size, index=index)
        return self.fonts[key]


def _multiply(outer: Matrix, inner: Sequence[float]) -> Matrix:
    """outer × inner for PDF-style affine matrices (a, b, c, d, e, f)."""
    a, b, c, d, e, f = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _zoom(m: Matrix) -> float:
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0


def _pairs(points: Sequence[float]) -> list[tuple[float, float]]:
    return [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2)]
