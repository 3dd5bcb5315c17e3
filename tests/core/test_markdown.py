"""Markdown rendering: safe for Qt rich text, tolerant of half-written replies, cheap to stream."""

from __future__ import annotations

import re
import time

import pytest

from avatar_desktop.core.markdown import document_css, is_safe_link, render_markdown, render_plain
from avatar_desktop.core.markdown_stream import MarkdownStream, stable_prefix_end

HREF = re.compile(r'href="([^"]*)"')


def hrefs(html: str) -> list[str]:
    return HREF.findall(html)


def test_script_tags_are_shown_as_text() -> None:
    html = render_markdown("Hi <script>alert('x')</script> there")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "<img src=http://x/y.png>",
        '<img src="http://x/y.png" onerror="alert(1)">',
        "<div>\n<img src=http://x>\n</div>",
        "text <iframe src=http://x></iframe>",
        '<a href="javascript:alert(1)">x</a>',
        "<style>body{background:url(http://x)}</style>",
    ],
)
def test_raw_html_is_escaped(source: str) -> None:
    html = render_markdown(source)
    assert not re.search(r"<(img|iframe|div|style|a)\b", html)
    assert "&lt;" in html


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("![a cat](http://x/cat.png)", "http://x/cat.png"),
        ("![a cat](https://x/cat.png 'title')", "https://x/cat.png"),
        ("![a cat][ref]\n\n[ref]: https://x/cat.png", "https://x/cat.png"),
    ],
)
def test_images_become_links_to_the_image(source: str, link: str) -> None:
    html = render_markdown(source)
    assert "<img" not in html
    assert hrefs(html) == [link]
    assert ">a cat</a>" in html


@pytest.mark.parametrize(
    "source",
    [
        "![a cat](data:image/png;base64,AAAA)",
        "![a cat](file:///etc/passwd)",
        "![a cat](cat.png)",
        "![a cat](javascript:alert(1))",
    ],
)
def test_images_without_a_web_source_become_alt_text(source: str) -> None:
    html = render_markdown(source)
    assert "<img" not in html
    assert "href" not in html
    assert "a cat" in html


def test_image_inside_a_link_does_not_nest_anchors() -> None:
    html = render_markdown("[![logo](https://x/logo.png)](https://example.com)")
    assert hrefs(html) == ["https://example.com"]
    assert html.count("<a ") == 1
    assert "logo" in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](vbscript:msgbox)",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](file:///etc/passwd)",
        "[click](relative/page.html)",
        "[click](#anchor)",
        "[click](ftp://example.com/x)",
        "<javascript:alert(1)>",
    ],
)
def test_unsafe_links_are_plain_text(source: str) -> None:
    html = render_markdown(source)
    assert "<a" not in html
    assert "href" not in html


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("[docs](https://docs.python.org/3/)", "https://docs.python.org/3/"),
        ("[site](http://example.com/a?b=1&c=2)", "http://example.com/a?b=1&amp;c=2"),
        ("[mail](mailto:me@example.com)", "mailto:me@example.com"),
        ("<https://example.com>", "https://example.com"),
    ],
)
def test_web_and_mail_links_are_kept(source: str, link: str) -> None:
    assert hrefs(render_markdown(source)) == [link]


def test_link_text_keeps_its_formatting_when_the_link_is_dropped() -> None:
    html = render_markdown("[**bold** label](javascript:x)")
    assert "<strong>bold</strong> label" in html
    assert "<a" not in html


def test_is_safe_link() -> None:
    assert is_safe_link("HTTPS://EXAMPLE.COM")
    assert is_safe_link(" mailto:a@b.c")
    assert not is_safe_link("javascript:alert(1)")
    assert not is_safe_link("//example.com/protocol-relative")
    assert not is_safe_link("http://[::1")  # malformed, urlsplit raises


def test_code_fence_becomes_an_escaped_pre_block() -> None:
    html = render_markdown("Look:\n\n```python\nif a < b:\n    print('<b>')\n```\n")
    assert "<pre>if a &lt; b:\n    print('&lt;b&gt;')</pre>" in html
    assert 'class="code"' in html
    assert "language-python" not in html


def test_indented_code_is_a_pre_block_too() -> None:
    assert "<pre>x = 1</pre>" in render_markdown("Text\n\n    x = 1\n")


@pytest.mark.parametrize(
    "source", ["```", "```py", "```\ncode", "```py\ncode\n\nmore\n``", "~~~\n"]
)
def test_unclosed_fence_renders_what_is_there(source: str) -> None:
    html = render_markdown(source)
    assert "<pre>" in html
    for line in source.splitlines()[1:]:
        assert line.strip("`") in html


@pytest.mark.parametrize(
    "source",
    ["**bold", "*", "[link](http://", "| a | b |\n|--", "1. one\n2.", "> quote\n>", "<", "![", "`"],
)
def test_incomplete_markdown_never_raises(source: str) -> None:
    assert isinstance(render_markdown(source), str)


def test_bold_italic_strikethrough_and_inline_code() -> None:
    html = render_markdown("**bold** *em* ~~gone~~ `a<b`")
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<s>gone</s>" in html
    assert "<code>a&lt;b</code>" in html


def test_lists() -> None:
    html = render_markdown("- one\n- two\n\n1. first\n2. second\n")
    assert re.search(r"<ul>\s*<li>one</li>\s*<li>two</li>\s*</ul>", html)
    assert re.search(r"<ol>\s*<li>first</li>\s*<li>second</li>\s*</ol>", html)


def test_tables_use_align_attributes_not_styles() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert '<table class="grid"' in html
    assert '<td align="right">2</td>' in html
    assert "style=" not in html


def test_single_newlines_are_line_breaks() -> None:
    assert "<br />" in render_markdown("roses are red\nviolets are blue")


def test_render_plain_escapes_and_keeps_line_breaks() -> None:
    html = render_plain("a <b>bold</b> & **not markdown**\n  indented")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; **not markdown**\n  indented" in html
    assert "pre-wrap" in html


def test_document_css_uses_the_given_colors_and_font() -> None:
    css = document_css(
        code_background="#123456",
        border="#abcdef",
        quote="#777777",
        code_font="M'o",
        background="#fedcba",
    )
    assert "#123456" in css
    assert "#abcdef" in css
    assert "#fedcba" in css
    assert "'Mo'" in css


STREAMED = """# Title

Intro with **bold** and a [link](https://x.y).

1. one
2. two

3. three after a blank line

- a

  continued paragraph in the item

  ```
  code in the item

  more
  ```

- b
> quote
lazy

    indented code

    more indented

````md
```
inner
```

still inside
````

| a | b |
|---|---|
| 1 | 2 |

Setext
---

~~~
tilde

~~~
Last paragraph
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_stream_matches_a_full_render_at_every_prefix(newline: str) -> None:
    document = STREAMED.replace("\n", newline)
    stream = MarkdownStream()
    for end in range(len(document) + 1):
        assert stream.render(document[:end]) == render_markdown(document[:end]), end


def test_stream_starts_over_when_the_text_is_replaced() -> None:
    stream = MarkdownStream()
    stream.render("First paragraph.\n\nSecond")
    assert stream.render("Other text") == render_markdown("Other text")


def test_stream_keeps_the_last_block_apart_while_it_grows() -> None:
    pieces = MarkdownStream().pieces("One.\n\nTwo.\n\nThree.\nMo", final=False)
    assert [piece.html for piece in pieces] == [
        render_markdown("One.\n\nTwo.\n\n"),
        render_markdown("Three.\nMo"),
    ]


@pytest.mark.parametrize(
    ("text", "boundary"),
    [
        ("a\n\nb\n", 3),
        ("a\n\nb", 0),  # the last line may still grow
        ("```\na\n\nb\n", 0),  # inside a fence
        ("- a\n\n- b\n", 0),  # the list may go on
        ("- a\n\n  b\n", 0),  # still inside the item
        ("a\n\n```\nx\n```\n\nb\n", 14),
        ("\x0c\nb\n", 0),  # a form feed is no blank line to markdown-it
    ],
)
def test_stable_prefix_end(text: str, boundary: int) -> None:
    assert stable_prefix_end(text) == boundary


def _reply(size: int) -> str:
    block = (
        "Here is **how** to do it, with `code` and a [link](https://example.com).\n\n"
        "1. First step\n2. Second step\n\n```python\ndef main() -> None:\n    print('hi')\n```\n\n"
    )
    return (block * (size // len(block) + 1))[:size]


def test_rendering_is_fast() -> None:
    """Generous bounds so slow CI passes; typical figures are ~2 ms and ~0.2 ms."""
    reply = _reply(5000)
    started = time.perf_counter()
    for _ in range(10):
        render_markdown(reply)
    assert (time.perf_counter() - started) / 10 < 0.05

    stream = MarkdownStream()
    steps = range(0, len(reply), 25)
    started = time.perf_counter()
    for end in steps:
        stream.render(reply[:end])
    assert (time.perf_counter() - started) / len(steps) < 0.01
