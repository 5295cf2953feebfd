from django import template
from django.utils.safestring import mark_safe

from yiwang.web.publication import publish_text

from ..rendering import render_answer

register = template.Library()


@register.filter(name="answer_html")
def answer_html(text: str):
    """Render an article answer (escaped; paragraphs, lists, bold)."""
    return render_answer(text)


@register.filter(name="public_answer_html")
def public_answer_html(text: str, public: bool = True):
    """``answer_html``, redacted when shown to the public.

    Redaction runs on the rendered HTML: masks are asterisks, which the answer syntax would
    read as bold. The HTML holds only escaped text and attribute-less tags, and redaction
    writes digits and asterisks only, so the result stays safe.
    """
    html = render_answer(text)
    return mark_safe(publish_text(html)) if public else html  # noqa: S308 (see above)
