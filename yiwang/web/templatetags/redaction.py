"""``{{ text|redact }}``: the masked form of free text shown on public pages
(``web.publication.publish_text``: personal numbers masked, official lines kept).

``{{ text|redact:public }}`` masks only when ``public`` is true, so one template can serve
the public page and a staff preview that keeps the original.
"""

from django import template

from yiwang.web.publication import publish_text

register = template.Library()


@register.filter(name="redact")
def redact(value, public: bool = True) -> str:
    if value is None:
        return ""
    return publish_text(str(value)) if public else str(value)
