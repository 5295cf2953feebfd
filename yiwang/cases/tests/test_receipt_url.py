"""The receipt's and the decision's QR code and printed address use YIWANG_PUBLIC_URL and lead
to the case's public progress page."""

import re

import pytest
from django.urls import reverse

from yiwang.cases import actions
from yiwang.web.testing import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured(monkeypatch):
    """The arguments the documents are rendered with (the QR code's URL among them)."""
    from yiwang.cases import documents

    calls = []
    real = documents.render_pdf

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(documents, "render_pdf", spy)
    return calls


def test_receipt_qr_and_address_use_the_public_url(client, world, submit, settings, captured):
    settings.YIWANG_PUBLIC_URL = "https://zwfw.dabu.gov.cn/"
    case = submit()
    client.force_login(world.citizen)
    response = client.get(reverse("cases:receipt", args=[case.pk]))
    expected = "https://zwfw.dabu.gov.cn" + reverse("cases:track", args=[case.track_token])
    assert captured[-1]["qr_url"] == expected
    assert expected in re.sub(r"\s+", "", pdf_text(response.content))
    # The address leads to the public progress page, no login needed.
    client.logout()
    assert client.get(reverse("cases:track", args=[case.track_token])).status_code == 200


def test_decision_qr_uses_the_public_url(client, world, submit, settings, captured):
    settings.YIWANG_PUBLIC_URL = "https://zwfw.dabu.gov.cn"
    rejected = actions.reject(actor=world.reviewer, case=submit(), reason="材料不齐")
    client.force_login(world.citizen)
    assert client.get(reverse("cases:decision", args=[rejected.pk])).status_code == 200
    expected = "https://zwfw.dabu.gov.cn" + reverse("cases:track", args=[rejected.track_token])
    assert captured[-1]["qr_url"] == expected
