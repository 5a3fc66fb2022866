"""Every app's sweep runs from one place: `wangge sweep` and the sweeper thread."""

import io

import pytest
from django.core.management import call_command

from wangge.core import sweeps


@pytest.fixture
def isolated_sweeps(monkeypatch):
    monkeypatch.setattr(sweeps, "_sweeps", {})
    return sweeps


def test_a_failing_sweep_does_not_stop_the_others(isolated_sweeps):
    ran = []

    def broken(*, now=None):
        raise RuntimeError("boom")

    def fine(*, now=None):
        ran.append(now)
        return "done 1"

    isolated_sweeps.register("broken", broken)
    isolated_sweeps.register("fine", fine)
    results = isolated_sweeps.run_all()
    assert results == {"broken": None, "fine": "done 1"}
    assert ran == [None]


@pytest.mark.django_db
def test_wangge_sweep_runs_the_case_sweep(laocheng):
    assert "cases" in sweeps.registered()
    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert "cases: raised 0, to the direct line 0, warned 0" in out.getvalue()
