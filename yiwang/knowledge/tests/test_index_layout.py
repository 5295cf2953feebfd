"""The FAQ page puts the results in the wide column, first; the categories are the aside.

``.grid-aside`` gives its first child the wide column and its second a 20rem column; the
results once came second and were squeezed into 20rem on desktop. The browser test
``tests/e2e/test_accessibility_sweep.py::test_faq_search_results_use_the_page_width``
measures the layout itself.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", [{}, {"q": "社保卡丢了怎么补办"}])
def test_results_come_before_the_categories(articles, client, query):
    html = client.get(reverse("knowledge:index"), query).content.decode()
    layout = html.index('class="grid-aside"')
    results = html.index('data-testid="faq-results"')
    categories = html.index('data-testid="faq-categories"')
    assert layout < results < categories
    if query:
        assert html.index("社保卡丢了怎么办？", results) < categories
