"""Pages offer the way back to a list the reader may open.

The accessibility sweep (tests/e2e/test_accessibility_sweep.py) followed the breadcrumb and
toolbar links of the agent's and the authority's pages to the dispatch list, which only
dispatchers may open: a link to a 403.
"""

import pytest
from django.urls import reverse

from yiwang.hotline.config import can_configure

from .test_actions import dispatched

pytestmark = pytest.mark.django_db


def links(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return page.content.decode()


def test_agent_register_page_does_not_link_the_dispatch_list(world, client):
    dispatch = f'href="{reverse("hotline:dispatch")}"'
    client.force_login(world.agent)
    assert dispatch not in links(client, reverse("hotline:new"))
    assert client.get(reverse("hotline:dispatch")).status_code == 403


def test_ticket_breadcrumb_leads_to_the_readers_own_list(world, client):
    ticket = dispatched(world)
    detail = reverse("hotline:detail", args=[ticket.pk])
    dispatch = f'href="{reverse("hotline:dispatch")}"'
    inbox = f'href="{reverse("hotline:inbox")}"'

    client.force_login(world.dispatcher)
    assert dispatch in links(client, detail)

    client.force_login(world.handler_scj)
    html = links(client, detail)
    assert dispatch not in html and inbox in html
    assert client.get(reverse("hotline:dispatch")).status_code == 403


def test_config_page_links_the_dispatch_list_only_for_dispatchers(world, client):
    from yiwang.accounts import actions as accounts

    authority = accounts.create_staff(
        actor=world.admin,
        username="authority",
        password="Dabu@2026.gov",
        real_name="authority",
        posts=[{"role": "authority", "department": world.sjj, "region": world.dabu}],
    )
    assert can_configure(authority)
    client.force_login(authority)
    html = links(client, reverse("hotline:config"))
    assert f'href="{reverse("hotline:dispatch")}"' not in html
    assert client.get(reverse("hotline:dispatch")).status_code == 403
