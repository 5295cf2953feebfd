"""Answers are plain text with a few conventions ("markdown-lite"), rendered safely.

- a blank line separates paragraphs; a single line break stays a line break;
- consecutive lines starting with ``- ``, ``* ``, ``• `` make a bulleted list,
  lines starting with ``1. `` / ``1、`` / ``（1）`` a numbered list;
- ``**text**`` is bold.

Everything is HTML-escaped first, so an answer can never inject markup.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBER = re.compile(r"^\s*(?:\d{1,3}[.、．)]|[（(]\d{1,3}[）)])\s*(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text))


def _block(lines: list[str]) -> str:
    out: list[str] = []
    kind: str | None = None
    items: list[str] = []
    para: list[str] = []

    def flush_list() -> None:
        nonlocal kind, items
        if kind:
            tag = "ul" if kind == "ul" else "ol"
            out.append(f"<{tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>")
        kind, items = None, []

    def flush_para() -> None:
        nonlocal para
        if para:
            out.append("<p>" + "<br>".join(para) + "</p>")
        para = []

    for line in lines:
        bullet, number = _BULLET.match(line), _NUMBER.match(line)
        if bullet or number:
            flush_para()
            wanted = "ul" if bullet else "ol"
            if kind != wanted:
                flush_list()
                kind = wanted
            marker = bullet or number
            assert marker is not None  # one of the two matched: this branch
            items.append(_inline(marker.group(1)))
        else:
            flush_list()
            para.append(_inline(line.strip()))
    flush_list()
    flush_para()
    return "".join(out)


def render_answer(text: str) -> SafeString:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    return mark_safe("".join(_block(b.split("\n")) for b in blocks))  # noqa: S308 (escaped above)
