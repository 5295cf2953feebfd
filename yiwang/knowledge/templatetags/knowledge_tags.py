from django import template

from ..rendering import render_answer

register = template.Library()


@register.filter(name="answer_html")
def answer_html(text: str):
    """Render an article answer (escaped; paragraphs, lists, bold)."""
    return render_answer(text)
