"""SharedMemo: reference data kept per process, rebuilt when any process marks it stale."""

import pytest
from django.core.cache import cache

from yiwang.web.memo import SharedMemo

pytestmark = pytest.mark.django_db  # forget() also acts at commit


def counting_memo(**kwargs):
    builds = []

    def build():
        builds.append(1)
        return {"built": len(builds)}

    return SharedMemo("test:memo", build, **kwargs), builds


def test_built_once_and_reused():
    memo, builds = counting_memo()
    assert memo.get() == {"built": 1}
    assert memo.get() is memo.get()
    assert len(builds) == 1


def test_forget_rebuilds_here_at_once():
    memo, _builds = counting_memo()
    memo.get()
    memo.forget()
    assert memo.get() == {"built": 2}


def test_another_process_marking_it_stale_is_seen_after_recheck():
    memo, _builds = counting_memo(recheck=0)
    memo.get()
    cache.delete("test:memo")  # what forget() in another process does
    assert memo.get() == {"built": 2}
    assert memo.get() == {"built": 2}  # the new version is kept


def test_within_the_recheck_window_the_copy_is_used():
    memo, _builds = counting_memo(recheck=60)
    memo.get()
    cache.delete("test:memo")
    assert memo.get() == {"built": 1}
    SharedMemo.drop_all_copies()
    assert memo.get() == {"built": 2}
