"""A chart as a PNG for chat platforms (Pillow): the same layout as the SVG, about 1000 x 560,
byte for byte the same for the same chart. A sheet puts several charts in one image."""

from __future__ import annotations

import io
import math
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from bot.charts.layout import Box, Text, lay_out
from bot.charts.model import Chart, Sheet
from bot.charts.palette import FAINT, GRID, INK, Pattern, style

WIDTH, HEIGHT, FONT = 1000, 560, 22
SHEET_COLUMNS = 2

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


# Fonts that hold the accented letters of Spanish and German (Pillow's bundled Aileron does
# not: "ü" comes out as a box), looked up where the system keeps its fonts.
FONT_FILES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf", "Arial.ttf")
ACCENTED = "áéíóúñüöäßÜ¿¡"


def covers_accents(face: Font) -> bool:
    """Whether every accented letter has a glyph of its own, not the box for a missing one."""
    missing = bytes(face.getmask("\U000f0000"))  # a private-use character: never a glyph
    return all(bytes(face.getmask(letter)) != missing for letter in ACCENTED)


@cache
def font(size: int) -> Font:
    """The first system font that covers accented Latin letters; else Pillow's bundled one at
    that size; else, where Pillow was built without FreeType, its one-size bitmap font."""
    for name in FONT_FILES:
        try:
            face = ImageFont.truetype(name, size)
        except OSError:
            continue
        if covers_accents(face):
            return face
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError, ImportError):  # pragma: no cover - a Pillow without FreeType
        return ImageFont.load_default()


def _measure(text: str, size: float) -> float:
    return float(font(round(size)).getlength(text))


def _tile(box: Box, colour: str, pattern: Pattern) -> Image.Image:
    """A bar (or swatch) filled with its colour and pattern, the marks cut at its edges."""
    w, h = max(1, round(box.w)), max(1, round(box.h))
    tile = Image.new("RGB", (w, h), colour)
    draw = ImageDraw.Draw(tile)
    step = 12
    if pattern in (Pattern.DIAGONAL, Pattern.CROSS):
        for k in range(-h, w + h, step):
            draw.line(
                (k, h, k + h, 0), fill="#ffffff", width=3 if pattern is Pattern.DIAGONAL else 2
            )
            if pattern is Pattern.CROSS:
                draw.line((k, 0, k + h, h), fill="#ffffff", width=2)
    elif pattern is Pattern.DOTS:
        for y in range(step // 2, h, step):
            for x in range(step // 2, w, step):
                draw.ellipse((x - 2.5, y - 2.5, x + 2.5, y + 2.5), fill="#ffffff")
    elif pattern is Pattern.HORIZONTAL:
        for y in range(step // 2, h, step):
            draw.line((0, y, w, y), fill="#ffffff", width=3)
    return tile


def _write(image: Image.Image, text: Text, colour: str = INK) -> None:
    face = font(round(text.size))
    if text.vertical:  # drawn level on its own image, then turned to read bottom to top
        width = math.ceil(face.getlength(text.text)) + 2
        height = math.ceil(text.size * 1.4)
        level = Image.new("RGBA", (width, height), (255, 255, 255, 0))
        ImageDraw.Draw(level).text(
            (0, height * 0.8), text.text, font=face, fill=colour, anchor="ls"
        )
        turned = level.rotate(90, expand=True)
        image.paste(turned, (round(text.x - height * 0.8), round(text.y - width)), turned)
        return
    anchor = {"start": "ls", "middle": "ms", "end": "rs"}[text.anchor]
    ImageDraw.Draw(image).text((text.x, text.y), text.text, font=face, fill=colour, anchor=anchor)


def _paste(image: Image.Image, box: Box, series: int) -> None:
    colour, pattern = style(series)
    image.paste(_tile(box, colour, pattern), (round(box.x), round(box.y)))


def draw(chart: Chart, width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    image = Image.new("RGB", (width, height), "#ffffff")
    layout = lay_out(chart, width, height, FONT * width / WIDTH, _measure)
    pen = ImageDraw.Draw(image)
    plot = layout.plot
    for y in layout.gridlines:
        pen.line((plot.x, y, plot.x + plot.w, y), fill=FAINT, width=1)
    _write(image, layout.title)
    for swatch in layout.legend:
        _paste(image, swatch.box, swatch.series)
        _write(image, swatch.name)
    for tick in layout.ticks:
        _write(image, tick)
    for bar in layout.bars:
        if bar.box is not None:
            _paste(image, bar.box, bar.series)
        _write(image, bar.label)
    bottom = plot.y + plot.h
    pen.line((plot.x, bottom, plot.x + plot.w, bottom), fill=GRID, width=2)
    for label in layout.categories:
        _write(image, label)
    return image


def _sheet(sheet: Sheet) -> Image.Image:
    """The charts two by two under the sheet's title."""
    columns = min(SHEET_COLUMNS, len(sheet.charts))
    rows = math.ceil(len(sheet.charts) / columns)
    heading = round(FONT * 2.6)
    image = Image.new("RGB", (WIDTH * columns, heading + HEIGHT * rows), "#ffffff")
    _write(image, Text(FONT, FONT * 1.8, sheet.title, FONT * 1.4, anchor="start"))
    for index, chart in enumerate(sheet.charts):
        row, column = divmod(index, columns)
        image.paste(draw(chart), (column * WIDTH, heading + row * HEIGHT))
    return image


def to_png(chart: Chart | Sheet) -> bytes:
    if isinstance(chart, Sheet) and not chart.charts:
        raise ValueError("a sheet without charts has nothing to draw")
    image = _sheet(chart) if isinstance(chart, Sheet) else draw(chart)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
