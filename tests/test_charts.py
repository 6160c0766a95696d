"""Charts as a person meets them: on a phone-sized web page (SVG), in a chat (PNG) and as the
table beside them; a figure that may not be shown is a label, never a bar."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from PIL import Image

from bot.charts import Chart, Point, Series, Sheet, png, table, to_png, to_svg
from bot.charts.palette import INK, STYLES, contrast

SVG = "{http://www.w3.org/2000/svg}"


def needs_chart(need: str = "food") -> Chart:
    return Chart(
        key=f"needs-{need}",
        title=f"{need}: strained and unmet",
        description=f"How many said {need} was strained or unmet, per round.",
        category_heading="Round opened",
        categories=("Mon 2 Mar", "Mon 9 Mar", "Mon 16 Mar"),
        series=(
            Series("strained", (Point.drawn(4), Point.not_drawn("fewer than 3"), Point.drawn(7))),
            Series(
                "unmet",
                (Point.not_drawn("fewer than 3"), Point.drawn(0), Point.not_drawn("9 or more")),
            ),
        ),
    )


def bars(svg: str) -> list[ET.Element]:
    return [e for e in ET.fromstring(svg).iter(f"{SVG}rect") if e.get("class") == "bar"]


def labels(svg: str, kind: str | None = None) -> list[str]:
    found = ET.fromstring(svg).iter(f"{SVG}text")
    return [e.text or "" for e in found if kind is None or e.get("class") == kind]


def test_a_suppressed_point_is_a_label_where_its_bar_would_be() -> None:
    svg = to_svg(needs_chart())
    assert len(bars(svg)) == 3  # 4, 7 and 0: the three drawn points
    assert sorted(labels(svg, "not-drawn")) == ["9 or more", "fewer than 3", "fewer than 3"]
    hovers = [e.findtext(f"{SVG}title") for e in bars(svg)]
    assert "strained, Mon 2 Mar: 4" in hovers
    assert not any("fewer" in (h or "") for h in hovers)
    shown = labels(svg)
    assert "4" in shown and "7" in shown and "0" in shown  # every drawn bar says its value


def test_the_svg_is_an_image_with_a_title_and_description_for_screen_readers() -> None:
    chart = needs_chart()
    root = ET.fromstring(to_svg(chart))
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox") == "0 0 480 320"
    title_id, desc_id = (root.get("aria-labelledby") or "").split()
    assert root.find(f"{SVG}title[@id='{title_id}']").text == chart.title  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc[@id='{desc_id}']").text == chart.description  # type: ignore[union-attr]


def test_two_charts_on_one_page_never_share_an_id() -> None:
    page = to_svg(needs_chart("food")) + to_svg(needs_chart("rest"))
    ids = re.findall(r' id="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))
    assert to_svg(needs_chart(), ident="first") != to_svg(needs_chart(), ident="second")


def test_a_need_named_like_markup_is_escaped() -> None:
    chart = needs_chart("<b>x</b> & <script>alert(1)</script>")
    svg = to_svg(chart)
    assert "<b>" not in svg and "<script>" not in svg
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;" in svg
    assert ET.fromstring(svg).findtext(f"{SVG}title") == chart.title  # still well-formed


def test_series_differ_without_colour_and_every_colour_reads_on_white() -> None:
    assert len({pattern for _, pattern in STYLES}) == len(STYLES)
    for colour, _ in STYLES:
        assert contrast(colour) >= 4.5, colour
    assert contrast(INK) >= 7


def test_the_png_is_a_deterministic_image_for_chat() -> None:
    data = to_png(needs_chart())
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.size == (1000, 560)
    assert to_png(needs_chart()) == data


def test_a_sheet_puts_several_charts_in_one_image() -> None:
    sheet = Sheet("Needs since Mon 2 Mar", "All the needs charts.", (needs_chart(),) * 3)
    with Image.open(io.BytesIO(to_png(sheet))) as image:
        width, height = image.size
    assert width == 2000 and height > 2 * 560


def test_the_pngs_font_has_the_accented_letters_of_spanish_and_german() -> None:
    assert png.covers_accents(png.font(22))


def test_the_table_holds_the_same_labels() -> None:
    headers, rows = table(needs_chart())
    assert headers == ["Round opened", "strained", "unmet"]
    assert rows == [
        ["Mon 2 Mar", "4", "fewer than 3"],
        ["Mon 9 Mar", "fewer than 3", "0"],
        ["Mon 16 Mar", "7", "9 or more"],
    ]


def test_a_chart_with_nothing_drawn_still_labels_every_point() -> None:
    chart = Chart(
        "quiet",
        "Quiet",
        "Nothing may be drawn.",
        "Round",
        ("a", "b"),
        (Series("checked in", (Point.not_drawn("fewer than 3"), Point.not_drawn("fewer than 3"))),),
    )
    svg = to_svg(chart)
    assert bars(svg) == [] and labels(svg, "not-drawn") == ["fewer than 3"] * 2
    assert to_png(chart).startswith(b"\x89PNG")
