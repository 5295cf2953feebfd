"""`yiwang run` warns when YIWANG_PUBLIC_URL (put into QR codes) does not reach the served
address, and says nothing when it does; receipts and decisions carry that public URL."""

from io import StringIO

import pytest
from django.core.management import call_command


class FakeSupervisor:
    """Stands in for the real one: nothing is started."""

    started = False

    def __init__(self, children):
        self.children = children

    def install_signal_handlers(self):
        pass

    def run(self):
        FakeSupervisor.started = True


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setattr("yiwang.site.management.commands.run.Supervisor", FakeSupervisor)

    def _run(addrport: str) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        call_command("run", addrport, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return _run


def test_run_warns_when_the_public_url_points_elsewhere(run, settings):
    settings.YIWANG_PUBLIC_URL = "http://127.0.0.1:8000"
    out, err = run("127.0.0.1:9000")
    assert "http://127.0.0.1:9000" in out
    assert "YIWANG_PUBLIC_URL" in err and "http://127.0.0.1:8000" in err
    assert FakeSupervisor.started


@pytest.mark.parametrize(
    ("public", "addrport"),
    [("http://127.0.0.1:9000", "127.0.0.1:9000"), ("https://zwfw.dabu.gov.cn", "127.0.0.1:9000")],
)
def test_run_is_quiet_when_the_public_url_fits(run, settings, public, addrport):
    settings.YIWANG_PUBLIC_URL = public
    _out, err = run(addrport)
    assert "YIWANG_PUBLIC_URL" not in err
