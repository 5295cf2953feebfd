"""The city-case list and photos use the shared pieces: the one pager of the staff lists and the
one way uploads are stored (named by hash, removed again when attaching them fails)."""

import re

import pytest
from django.core.files.storage import default_storage

from yiwang.grid import views
from yiwang.grid.models import EventPhoto
from yiwang.web.testing import jpeg_file

from .conftest import PASSWORD, png_file

pytestmark = pytest.mark.django_db


def test_events_pager_keeps_the_filters_and_hides_on_a_single_page(
    world, report, client, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    status = report().status
    report()
    client.login(username=world.dispatcher.username, password=PASSWORD)
    first = client.get("/grid/events/", {"status": status}).content.decode()
    nav = re.search(r'<nav class="pagination".*?</nav>', first, re.S).group(0)
    assert 'rel="next"' in nav and f"status={status}" in nav and "page=2" in nav
    second = client.get("/grid/events/", {"status": status, "page": "2"}).content.decode()
    assert f'href="?status={status}&amp;page=1" rel="prev"' in second
    monkeypatch.setattr(views, "PAGE_SIZE", 30)
    assert 'class="pagination"' not in client.get("/grid/events/").content.decode()


def test_event_photo_is_stored_under_the_shared_naming_rule(world, report):
    photo = report().photos.get()
    assert re.fullmatch(rf"grid/\d{{4}}/\d{{2}}/{photo.sha256[:16]}\.png", photo.file.name)
    assert default_storage.exists(photo.file.name)


def test_photos_already_written_are_removed_when_attaching_one_fails(world, report, monkeypatch):
    real_create = EventPhoto.objects.create
    calls = []

    def create_then_fail(**kw):
        calls.append(kw["file"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_create(**kw)

    monkeypatch.setattr(EventPhoto.objects, "create", create_then_fail)
    with pytest.raises(RuntimeError):
        report(photos=[png_file(), jpeg_file()])
    assert len(calls) == 2
    assert not any(default_storage.exists(name) for name in calls)
