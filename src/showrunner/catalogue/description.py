"""An imported item's HTML description -> the Markdown body of its notes.md.

The HTML is untrusted: it is parsed by lxml's HTML parser (no network, no entities beyond
HTML's own), only its text, paragraphs, line breaks, lists, emphasis and http(s)/mailto links
are kept, and every piece of text is escaped so that it reads as text in Markdown.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from lxml import html as lxml_html

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_SAFE_URL = re.compile(r"^(?:https?://|mailto:)[^\s<>()]*$", re.I)
_BLOCKS = {"p", "div", "section", "article", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
           "pre", "table", "tr", "figure"}
_DROPPED = {"script", "style", "iframe", "object", "embed", "template", "head", "title"}


def markdown_from_html(description: str) -> str:
    """Markdown paragraphs and lists that show what the description's HTML showed."""
    if not description.strip():
        return ""
    if "<" not in description:  # plain text: one paragraph per blank-line break
        return "\n\n".join(_escape(" ".join(p.split())) for p in re.split(r"\n\s*\n", description)
                           if p.strip())
    try:
        parts = lxml_html.fragments_fromstring(description)
    except (etree.ParserError, ValueError):
        return _escape(" ".join(re.sub(r"<[^>]*>", " ", description).split()))
    blocks: list[str] = []
    inline: list[str] = []
    for part in parts:
        _walk(part, blocks, inline)
    _flush(blocks, inline)
    return "\n\n".join(b for b in blocks if b.strip())


def _walk(node: Any, blocks: list[str], inline: list[str]) -> None:
    if isinstance(node, str):
        inline.append(_escape(node))
        return
    tag = node.tag.lower() if isinstance(node.tag, str) else ""
    if tag in _DROPPED or not tag:
        _tail(node, inline)
        return
    if tag in ("ul", "ol"):
        _flush(blocks, inline)
        items = [f"{'1.' if tag == 'ol' else '-'} {_inline(li)}" for li in node
                 if isinstance(li.tag, str) and li.tag.lower() == "li" and _inline(li)]
        blocks.append("\n".join(items))
    elif tag in _BLOCKS:
        _flush(blocks, inline)
        inline.append(_inline(node))
        _flush(blocks, inline)
    elif tag == "br":
        inline.append("  \n")
    else:
        inline.append(_inline(node))
    _tail(node, inline)


def _tail(node: Any, inline: list[str]) -> None:
    if node.tail:
        inline.append(_escape(node.tail))


def _inline(node: Any) -> str:
    """A node's content as one Markdown line: emphasis and safe links kept."""
    pieces = [_escape(node.text or "")]
    for child in node:
        if not isinstance(child.tag, str) or child.tag.lower() in _DROPPED:
            pieces.append(_escape(child.tail or ""))
            continue
        inner = _inline(child)
        tag = child.tag.lower()
        if tag == "a" and _SAFE_URL.match((child.get("href") or "").strip()) and inner.strip():
            inner = f"[{inner.strip()}]({child.get('href').strip()})"
        elif tag in ("strong", "b") and inner.strip():
            inner = f"**{inner.strip()}**"
        elif tag in ("em", "i") and inner.strip():
            inner = f"*{inner.strip()}*"
        elif tag == "br":
            inner = " "
        pieces.append(inner + " " if tag in _BLOCKS or tag == "li" else inner)
        pieces.append(_escape(child.tail or ""))
    return " ".join("".join(pieces).split())


def _flush(blocks: list[str], inline: list[str]) -> None:
    text = "".join(inline)
    lines = [" ".join(line.split()) for line in text.split("  \n")]
    joined = "  \n".join(line for line in lines if line)
    if joined:
        blocks.append(joined)
    inline.clear()


def _escape(text: str) -> str:
    """Text that Markdown shows as itself (no markup, no HTML, no entity)."""
    text = re.sub(r"&(?=#?\w+;)", r"\\&", _MD_SPECIAL.sub(r"\\\1", text))
    return re.sub(r"^(\s*)([+=~-]|\d+(?=[.)]))", r"\1\\\2", text)
