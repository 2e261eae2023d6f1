"""The HTML part read as a person sees it: hidden text left out, shown text kept, bounded."""

from __future__ import annotations

import time

import pytest

from caveat.mail.htmltext import MAX_DEPTH, html_to_text, visible_text

IBAN = "DE89 3704 0044 0532 0130 00"


def words(html: str) -> str:
    return " ".join(html_to_text(html).split())


# ------------------------------------------------------------------ hidden: left out


@pytest.mark.parametrize(
    "style",
    [
        "display:none",
        "display: none !important",
        "visibility:hidden",
        "font-size:0",
        "font-size:0px",
        "font-size:1px",
        "font-size:2pt",
        "font:0/0 a",
        "opacity:0",
        "opacity:0.05",
        "color:#ffffff",
        "color:#fefefe",
        "color:white",
        "color:rgba(0,0,0,0)",
        "color:transparent",
        "mso-hide:all",
        "width:0;height:0;overflow:hidden",
        "max-height:0;overflow:hidden",
        "position:absolute;left:-9999px",
        "text-indent:-9999px",
        "position:absolute;clip:rect(0 0 0 0)",
        "transform:scale(0)",
        "line-height:0;max-height:0",
    ],
)
def test_text_hidden_by_an_inline_style_is_left_out_and_the_iban_joins(style: str) -> None:
    html = f'<p>IBAN DE89 3704<span style="{style}">77 zz</span> 0044 0532 0130 00</p>'
    got = visible_text(html)
    assert got.text == f"IBAN {IBAN}"
    assert got.hidden == 1


@pytest.mark.parametrize(
    "sheet, markup",
    [
        (".h{display:none}", '<span class="h">77 zz</span>'),
        ("#h{font-size:0}", '<span id="h">77 zz</span>'),
        ("span{visibility:hidden}", "<span>77 zz</span>"),
        ("p b{opacity:0}", "<b>77 zz</b>"),
        ("@media screen{.h{display:none}}", '<span class="h">77 zz</span>'),
        (".a.b{color:#fff}", '<i class="a b">77 zz</i>'),
        ("[data-x]{display:none}", '<span data-x="1">77 zz</span>'),
    ],
)
def test_text_hidden_by_a_style_sheet_is_left_out(sheet: str, markup: str) -> None:
    html = f"<style>{sheet}</style><p>IBAN DE89 3704{markup} 0044 0532 0130 00</p>"
    assert words(html) == f"IBAN {IBAN}"


def test_white_on_a_white_table_cell_and_font_color_are_hidden() -> None:
    html = (
        '<table bgcolor="#FFFFFF"><tr><td>Pay <font color="#fdfdfd">not</font> here</td>'
        '<td style="background:#003366"><span style="color:#003366">hidden</span>'
        '<span style="color:#fff">shown</span></td></tr></table>'
    )
    assert words(html) == "Pay here shown"


def test_hidden_attribute_hides_unless_css_shows_it_again() -> None:
    html = '<div hidden>one</div><div hidden style="display:block">two</div>'
    assert words(html) == "two"


def test_script_style_template_and_head_are_never_read() -> None:
    html = (
        "<html><head><title>t1</title><style>p{}</style></head><body>"
        "<script>var a='s1'</script><template>t2</template><p>shown</p></body></html>"
    )
    assert words(html) == "shown"


# ------------------------------------------------------------------ shown: kept


def test_a_rule_undone_by_a_later_or_more_specific_rule_hides_nothing() -> None:
    html = (
        "<style>.h{display:none} div .h{display:inline} .g{font-size:0} .g{font-size:14px}"
        "</style><div>a <span class=h>b</span> <span class=g>c</span></div>"
    )
    assert words(html) == "a b c"


def test_inline_style_beats_the_sheet_unless_the_sheet_is_important() -> None:
    assert words('<style>.h{display:none}</style><p class=h style="display:block">x</p>') == "x"
    html = '<style>.h{display:none!important}</style><p class=h style="display:block">x</p>'
    assert words(html) == ""


def test_a_child_can_be_seen_again_where_css_allows_it() -> None:
    # font size and visibility are inherited and can be set again; display:none cannot.
    assert words('<div style="font-size:0">a<span style="font-size:14px">b</span></div>') == "b"
    html = '<div style="visibility:hidden">a<span style="visibility:visible">b</span></div>'
    assert words(html) == "b"
    assert words('<div style="display:none">a<span style="display:block">b</span></div>') == ""


def test_aria_hidden_does_not_hide_from_sight() -> None:
    assert words('<p aria-hidden="true">shown</p>') == "shown"


def test_outlook_conditional_comments_are_read() -> None:
    html = "<!--[if mso]><p>only in Outlook</p><![endif]--><p>everywhere</p>"
    assert words(html) == "only in Outlook everywhere"


def test_css_generated_content_is_read() -> None:
    html = '<style>.x::before{content:"DE89 "}</style><p class="x">3704 0044 0532 0130 00</p>'
    assert words(html) == IBAN


def test_table_cells_are_read_in_order_rows_on_their_own_lines() -> None:
    html = (
        "<table><tr><td>IBAN</td><td>DE89 3704</td><td>0044 0532 0130 00</td></tr>"
        "<tr><td>BIC</td><td>COBADEFFXXX</td></tr></table>"
    )
    lines = [line for line in html_to_text(html).splitlines() if line]
    assert lines == [f"IBAN {IBAN}", "BIC COBADEFFXXX"]


def test_a_hidden_preheader_of_a_legitimate_newsletter_is_left_out() -> None:
    html = (
        '<div style="display:none;max-height:0;overflow:hidden">Our offers this week</div>'
        "<p>Dear reader,</p><p>the spring catalogue is out.</p>"
    )
    assert html_to_text(html) == "Dear reader,\n\nthe spring catalogue is out."


# ------------------------------------------------------------------ bounded


def test_a_huge_nested_document_is_read_fast_and_its_text_kept() -> None:
    html = "<div>" * 200_000 + "DE89 3704 0044 0532 0130 00" + "</div>" * 10
    started = time.perf_counter()
    got = visible_text(html)
    assert time.perf_counter() - started < 2.0
    assert got.text == IBAN
    assert str(MAX_DEPTH) in got.cut


def test_hiding_styles_beyond_the_depth_limit_cannot_hide_text() -> None:
    html = "<div>" * (MAX_DEPTH + 5) + '<span style="display:none">shown</span>'
    assert html_to_text(html) == "shown"


def test_a_huge_style_sheet_is_read_in_bounded_time() -> None:
    sheet = "".join(f".c{i} p:nth-child(2n+1) > span ~ b{{display:none}}" for i in range(50_000))
    html = f"<style>{sheet}</style>" + "<div class=c1><p><span>a</span><b>b</b></p></div>" * 2000
    started = time.perf_counter()
    visible_text(html)
    assert time.perf_counter() - started < 3.0


@pytest.mark.parametrize(
    "html",
    [
        "<style>{{{{</style><p>x</p>",
        "<style>.a{display:</style><p class=a>x</p>",
        "<style>:::{display:none}</style><p>x</p>",
        '<p style="color:rgb(1,2">x</p>',
        '<p style="font-size:1e999px">x</p>',
        "<style>p::before{content:attr(x)}</style><p>x</p>",
    ],
)
def test_broken_css_never_raises(html: str) -> None:
    assert "x" in html_to_text(html)


def test_a_style_and_a_sheet_met_again_hide_the_same_each_time() -> None:
    # Style texts and style sheets already read are remembered: the second message (and
    # the second cell) must be read exactly as the first.
    sheet = "<style>.x { display: none } p.y { color: #fff }</style>"
    for body in ("one", "two"):
        doc = (
            f"<html><head>{sheet}</head><body>"
            f'<p class="x">hidden {body}</p><p class="y">white {body}</p>'
            f'<span style="font-size:0">tiny {body}</span><span style="font-size:0">again</span>'
            f'<p style="COLOR: RED">{body} shown</p></body></html>'
        )
        seen = visible_text(doc)
        assert seen.text == f"{body} shown"
        assert seen.hidden == 4
        assert html_to_text(doc) == seen.text
        assert html_to_text(doc) == seen.text  # the remembered answer


def test_a_long_style_is_read_whole() -> None:
    style = "color: black; " * 60 + "display: none"
    assert html_to_text(f'<p style="{style}">gone</p><p>kept</p>') == "kept"
