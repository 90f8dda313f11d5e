"""Every text colour the generated pages use has a contrast of at least 4.5:1 with its background (WCAG AA)."""
import re

import pytest
from pygments.styles import get_style_by_name

from coursekit.grading import class_report, feedback, pages
from coursekit.results import Row

AA = 4.5
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB hex colour."""
    h = full(colour)[1:]
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def full(colour: str) -> str:
    """#abc -> #aabbcc, lower case."""
    h = colour.lstrip("#").lower()
    return "#" + ("".join(c * 2 for c in h) if len(h) == 3 else h)


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def code_pairs() -> list[tuple[str, str, str]]:
    """(token, colour, background) for every token colour of the code style, on the code block's background."""
    style = get_style_by_name(pages.CODE_STYLE)
    background = pages.PALETTE["code"][1]
    return [(str(token), f"#{s['color']}", f"#{s['bgcolor']}" if s["bgcolor"] else background)
            for token, s in style if s["color"]]


def test_the_contrast_formula_gives_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)


@pytest.mark.parametrize("role", sorted(pages.PALETTE))
def test_every_palette_pair_reaches_aa(role):
    fg, bg = pages.PALETTE[role]
    assert contrast(fg, bg) >= AA, f"{role}: {fg} on {bg} is {contrast(fg, bg):.2f}:1"


def test_status_text_on_the_page_background_reaches_aa_too():
    """A status colour may also meet the plain page background (e.g. inline in a table cell)."""
    body_bg = pages.PALETTE["body"][1]
    for role, (fg, _) in pages.PALETTE.items():
        assert contrast(fg, body_bg) >= AA, role


def test_every_token_colour_of_the_code_style_reaches_aa():
    weak = [(t, fg, bg, round(contrast(fg, bg), 2)) for t, fg, bg in code_pairs() if contrast(fg, bg) < AA]
    assert not weak


def _style_block(html: str) -> str:
    return re.search(r"<style>(.*?)</style>", html, re.S).group(1)


@pytest.mark.parametrize("page", ["feedback", "report"])
def test_every_colour_in_a_pages_stylesheet_is_one_the_tests_above_checked(page, tmp_path):
    if page == "feedback":
        row = Row("s", "W2D1_Tutorial1", "mse_loss", 1, 1, 2, 2, "ok", "")
        html = feedback.notebook_page("s", "W2D1_Tutorial1", [row], [("mse_loss", "x = 1  # hi\n")])
    else:
        html = class_report.report([], "landlock7", tmp_path)
    checked = {full(c) for pair in pages.PALETTE.values() for c in pair}
    checked |= {full(fg) for _, fg, _ in code_pairs()}
    decorative = {full(c) for c in pages.BORDERS.values()}  # borders and rules: no text is drawn in them
    css = _style_block(html)
    text_colours = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", css))
    backgrounds = set(re.findall(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})", css))
    assert text_colours and {full(c) for c in text_colours} <= checked
    assert backgrounds and {full(c) for c in backgrounds} <= checked
    assert {full(c) for c in HEX.findall(css)} <= checked | decorative
