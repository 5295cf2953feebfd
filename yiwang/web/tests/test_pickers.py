"""``{% grouped_options %}``: grouped choices drawn by hand-written selects, and the words the
upload control and the list filter show (``{% ui_strings %}``)."""

import json

from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template("{% load web_tags %}" + source).render(Context(context))


GROUPS = [
    (1, "大埔县"),
    ("湖寮镇", [(2, "湖寮镇 (whole town)"), (3, "城东社区")]),
    ("<b>", [(4, "<i>")]),
]


def test_grouped_options_draws_groups_and_marks_the_selected_value():
    html = render("{% grouped_options groups selected %}", groups=GROUPS, selected="3")
    assert html.startswith('<option value="1">大埔县</option><optgroup label="湖寮镇">')
    assert '<option value="3" selected>城东社区</option>' in html
    assert html.count(" selected") == 1


def test_grouped_options_escapes_labels():
    html = render("{% grouped_options groups %}", groups=GROUPS)
    assert '<optgroup label="&lt;b&gt;"><option value="4">&lt;i&gt;</option></optgroup>' in html
    assert "<b>" not in html and "<i>" not in html


def test_grouped_options_takes_several_selected_values_or_objects():
    class Obj:
        pk = 2

    html = render("{% grouped_options groups selected %}", groups=GROUPS, selected={1, 3})
    assert html.count(" selected") == 2
    html = render("{% grouped_options groups selected %}", groups=GROUPS, selected=Obj())
    assert '<option value="2" selected>' in html
    assert render("{% grouped_options groups None %}", groups=GROUPS).count("selected") == 0


def test_ui_strings_is_inert_json_with_the_upload_limit(settings):
    settings.YIWANG_UPLOAD_MAX_BYTES = 1234
    html = render("{% ui_strings %}")
    assert html.startswith('<script id="ui-strings" type="application/json">')
    data = json.loads(html.split(">", 1)[1].rsplit("</script>", 1)[0])
    assert data["maxBytes"] == 1234
    assert {"chooseFiles", "remove", "uploading", "progress", "filter"} <= set(data)
