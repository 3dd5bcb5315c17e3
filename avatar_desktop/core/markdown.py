"""Markdown to safe HTML for Qt rich text: nothing in a reply can run, load or hide a link.

The output uses only Qt's rich-text subset. Raw HTML in the source is shown as text, images
become their alt text (a link when the source is http or https) so no resource is ever
fetched, and links survive only for http, https and mailto. Colors are not decided here: the
widget passes palette colors to :func:`document_css` and wraps the body with it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

# Code boxes span the full width; widgets that size to content can skip measuring them.
FULL_WIDTH_MARK = '<table class="code" width="100%"'
SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_LINK_SCHEMES = frozenset({"http", "https"})

_LINK_STACK = "avatar_link_stack"  # env key: one bool per open link, True if it was kept


def is_safe_link(url: str, schemes: frozenset[str] = SAFE_LINK_SCHEMES) -> bool:
    """Whether a link may be shown and opened: only schemes that open a browser or mailer."""
    try:
        scheme = urlsplit(url.strip()).scheme
    except ValueError:
        return False
    return scheme.lower() in schemes


def _link_stack(env: EnvType) -> list[bool]:
    stack: list[bool] = env.setdefault(_LINK_STACK, [])
    return stack


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Keep the anchor only for a safe scheme; otherwise the label stays as plain text."""
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    keep = is_safe_link(href) and not any(_link_stack(env))
    _link_stack(env).append(keep)
    if not keep:
        return ""
    return f'<a href="{html.escape(href, quote=True)}">'


def _render_link_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    stack = _link_stack(env)
    return "</a>" if stack and stack.pop() else ""


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Show an image as its alt text, a link to it when safe, so nothing is ever loaded."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env).strip()
    label = html.escape(alt or src or "image", quote=False)
    if any(_link_stack(env)) or not is_safe_link(src, IMAGE_LINK_SCHEMES):
        return label
    return f'<a href="{html.escape(src, quote=True)}">{label}</a>'


def _render_code(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A padded, shaded box: Qt pads table cells but not blocks, so the box is a 1-cell table."""
    code = html.escape(tokens[idx].content.rstrip("\n"), quote=False)
    cell = f"<tr><td><pre>{code}</pre></td></tr>"
    return f'{FULL_WIDTH_MARK} cellspacing="0" cellpadding="6">{cell}</table>\n'


def _render_table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A class for the grid rules, so they never reach the code boxes, which are tables too.

    The rules are the table's color showing through one pixel of cell spacing: Qt draws
    that five times faster than collapsed cell borders, which look the same.
    """
    return '<table class="grid" cellspacing="1">\n'


def _render_cell_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Align with the ``align`` attribute: an inline style would drop Qt's CSS cell borders."""
    token = tokens[idx]
    match = re.fullmatch(r"text-align:(left|center|right)", str(token.attrGet("style") or ""))
    return f'<{token.tag} align="{match.group(1)}">' if match else f"<{token.tag}>"


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("link_close", _render_link_close)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("fence", _render_code)
    md.add_render_rule("code_block", _render_code)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("th_open", _render_cell_open)
    md.add_render_rule("td_open", _render_cell_open)
    return md


_MD = _build_parser()


def render_markdown(text: str) -> str:
    """The assistant's Markdown as safe HTML; partial input mid-stream renders as it stands."""
    return _MD.render(text, {})


def parse_blocks(text: str, env: EnvType) -> list[Token]:
    """The block tokens of ``text``, for rendering in slices with :func:`render_blocks`.

    ``env`` collects what the parse found, such as link reference definitions.
    """
    return _MD.parse(text, env)


def render_blocks(tokens: Sequence[Token], env: EnvType) -> str:
    """HTML for a run of block tokens; runs cut between blocks join into the whole render."""
    return _MD.renderer.render(tokens, _MD.options, env)


def render_plain(text: str) -> str:
    """The user's text exactly as typed: escaped, with line breaks and runs of spaces kept."""
    escaped = html.escape(text, quote=False)
    return '<p style="white-space: pre-wrap;">' + escaped + "</p>"


def document_css(
    *, code_background: str, border: str, quote: str, code_font: str, background: str
) -> str:
    """The stylesheet that goes with the HTML above; colors and fonts come from the widget."""
    family = re.sub(r"[^\w .-]", "", code_font)  # a font name must not end the CSS string
    return f"""
p, ul, ol, blockquote, h1, h2, h3, h4, h5, h6 {{ margin-top: 0px; margin-bottom: 8px; }}
li {{ margin-top: 0px; margin-bottom: 2px; }}
h1 {{ font-size: x-large; }}
h2 {{ font-size: large; }}
h3, h4, h5, h6 {{ font-size: medium; }}
blockquote {{ color: {quote}; margin-left: 12px; }}
pre, code {{ font-family: '{family}', monospace; }}
code {{ background-color: {code_background}; }}
table.code {{ background-color: {code_background}; margin-top: 2px; margin-bottom: 8px; }}
table.code pre {{ margin: 0px; white-space: pre-wrap; }}
table.grid {{ background-color: {border}; margin-bottom: 8px; }}
table.grid th, table.grid td {{ background-color: {background}; padding: 3px 6px; }}
"""
