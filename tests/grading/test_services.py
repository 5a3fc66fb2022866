"""Recompute proposes with reasons; confirming and overriding go through the level history;
the street's setting applies automatically; the sweep runs once a day; preview writes
nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.grading.conftest import FACILITIES_ONLY, set_bad_facilities
from wangge.grading import selectors, services
from wangge.grading.indicators import Config
from wangge.grading.models import GradingModel, GradingRun, GradingSetting, LevelProposal
from wangge.grids.models import Grid, GridLevelChange

pytestmark = pytest.mark.django_db


def _open(grid):
    return LevelProposal.objects.open().get(grid=grid)


def test_recompute_proposes_a_change_with_its_reasons(green_a, street_staff):
    services.grading_recompute(actor=street_staff)
    assert not LevelProposal.objects.open().filter(grid=green_a).exists()

    set_bad_facilities(green_a, 3)
    run = services.grading_recompute(actor=street_staff)
    proposal = _open(green_a)
    assert (proposal.from_level, proposal.to_level, proposal.score) == ("green", "red", 30.0)
    assert proposal.run == run and run.proposed >= 1
    top = proposal.contributions[0]
    assert top == {"indicator": "bad_facilities", "value": 3.0, "weight": 10.0,
                   "points": 30.0, "since": 0.0}
    [line] = selectors.contribution_lines(proposal)
    assert "30" in line and "+3" in line
    green_a.refresh_from_db()
    assert green_a.level == "green"  # nothing applied without the community

    # Computed again the same: the open proposal is updated, not duplicated.
    services.grading_recompute(actor=street_staff)
    assert LevelProposal.objects.filter(grid=green_a).count() == 1

    # The facilities are mended: the proposal is no longer borne out.
    set_bad_facilities(green_a, 0)
    services.grading_recompute(actor=street_staff)
    proposal.refresh_from_db()
    assert proposal.status == "superseded"


def test_confirm_sets_the_level_with_the_reasons_in_the_history(green_a, street_staff,
                                                                community_officer, client):
    set_bad_facilities(green_a, 2)
    services.grading_recompute(actor=street_staff)
    proposal = _open(green_a)
    assert proposal.to_level == "yellow"
    services.proposal_confirm(proposal=proposal, actor=community_officer, note="已核实")
    green_a.refresh_from_db()
    assert green_a.level == "yellow"
    change = GridLevelChange.objects.filter(grid=green_a).first()
    assert (change.from_level, change.to_level, change.changed_by) == \
        ("green", "yellow", community_officer)
    assert "20" in change.reason and "+2" in change.reason and "已核实" in change.reason
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decided_level) == \
        ("confirmed", community_officer, "yellow")
    # The console's level history shows it.
    client.force_login(community_officer)
    page = client.get(f"/console/levels/{green_a.code}")
    assert change.reason in page.content.decode()

    # What moved is measured from the confirmed level: mending both facilities is "-2".
    set_bad_facilities(green_a, 0)
    services.grading_recompute(actor=street_staff)
    back = _open(green_a)
    assert (back.from_level, back.to_level) == ("yellow", "green")
    assert "-2" in selectors.proposal_reason(back)

    with pytest.raises(services.GradingError):
        services.proposal_confirm(proposal=proposal, actor=community_officer)


def test_override_keeps_the_level_with_the_officers_note(green_a, street_staff,
                                                         community_officer):
    set_bad_facilities(green_a, 3)
    services.grading_recompute(actor=street_staff)
    proposal = _open(green_a)
    with pytest.raises(services.GradingError):
        services.proposal_override(proposal=proposal, actor=community_officer, level="green",
                                   note="  ")
    changes = GridLevelChange.objects.filter(grid=green_a).count()
    services.proposal_override(proposal=proposal, actor=community_officer, level="green",
                               note="部件已报修,本周修好")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_level, proposal.note) == \
        ("overridden", "green", "部件已报修,本周修好")
    assert GridLevelChange.objects.filter(grid=green_a).count() == changes

    # Overriding to another level than proposed sets it, with the note as the reason.
    set_bad_facilities(green_a, 4)
    services.grading_recompute(actor=street_staff)
    services.proposal_override(proposal=_open(green_a), actor=community_officer,
                               level="yellow", note="先黄牌观察")
    green_a.refresh_from_db()
    assert green_a.level == "yellow"
    assert "先黄牌观察" in GridLevelChange.objects.filter(grid=green_a).first().reason


def test_the_street_setting_applies_levels_automatically(green_a, street_staff, laocheng):
    services.grading_setting_update(actor=street_staff, street=laocheng, auto_apply=True)
    set_bad_facilities(green_a, 3)
    run = services.grading_recompute(actor=None)
    green_a.refresh_from_db()
    assert green_a.level == "red"
    assert run.applied >= 1
    proposal = LevelProposal.objects.filter(grid=green_a).get()
    assert proposal.status == "auto_applied"
    change = GridLevelChange.objects.filter(grid=green_a).first()
    assert change.changed_by is None and "30" in change.reason
    assert GradingSetting.objects.get(street=laocheng).history.count() >= 1


def test_the_daily_sweep_runs_once_a_day(laocheng):
    from wangge.core import sweeps

    assert "grading" in sweeps.registered()
    day = timezone.now() + dt.timedelta(days=3)
    assert services.grading_sweep(now=day)
    assert services.grading_sweep(now=day + dt.timedelta(minutes=5)) == ""
    assert GradingRun.objects.filter(kind="sweep").count() == 1
    assert services.grading_sweep(now=day + dt.timedelta(days=1))


def test_preview_counts_changes_and_writes_nothing(laocheng, street_staff):
    counts = (LevelProposal.objects.count(), GradingModel.history.count(),
              GridLevelChange.objects.count(), GradingRun.objects.count())
    levels = dict(Grid.objects.micro_grids().values_list("code", "level"))
    saved = selectors.configs()
    stricter = Config(FACILITIES_ONLY, {}, 5, 8)  # any facility in bad repair is red
    preview = selectors.grading_preview(user=street_staff,
                                        configs_by_type={k: stricter for k in saved})
    assert preview.scored == 885
    assert preview.changes > preview.saved_changes
    assert sum(preview.by_move.values()) == preview.changes
    assert all(to != "yellow" for _from, to in preview.by_move)
    assert len(preview.rows) == min(preview.changes, selectors.PREVIEW_ROWS)
    same = selectors.grading_preview(user=street_staff, configs_by_type={})
    assert (same.changes, same.recoloured) == (same.saved_changes, 0)
    assert counts == (LevelProposal.objects.count(), GradingModel.history.count(),
                      GridLevelChange.objects.count(), GradingRun.objects.count())
    assert levels == dict(Grid.objects.micro_grids().values_list("code", "level"))


def test_model_update_is_checked_and_kept_in_history(laocheng, street_staff, worker_a):
    with pytest.raises(services.GradingForbidden):
        services.grading_model_update(actor=worker_a, grid_type=None, weights={},
                                      yellow_from=1, red_from=2)
    with pytest.raises(services.GradingError):
        services.grading_model_update(actor=street_staff, grid_type=None, weights={},
                                      yellow_from=20, red_from=10)
    with pytest.raises(services.GradingError):
        services.grading_model_update(actor=street_staff, grid_type=None,
                                      weights={"nonsense": 1}, yellow_from=1, red_from=2)
    model = services.grading_model_update(actor=street_staff, grid_type=None,
                                          weights={"overdue_cases": 7}, yellow_from=5,
                                          red_from=9)
    assert model.weights["overdue_cases"] == 7 and model.weights["bad_facilities"] == 0
    assert model.history.first().history_user == street_staff


def test_the_demo_levels_agree_with_the_model(laocheng):
    """The demo's registry is drawn from its story's levels and the default model is
    calibrated on it: nearly every micro-grid's computed level is its card."""
    configs = selectors.configs()
    from wangge.grading import indicators

    raws = indicators.collect(now=timezone.now())
    grids = list(Grid.objects.micro_grids().values_list("id", "level", "grid_type_id"))
    agree = sum(indicators.score(raws.get(gid, indicators.Raw()),
                                 selectors.config_for(configs, t)).level == level
                for gid, level, t in grids)
    assert agree / len(grids) >= 0.9
    # Loading the demo proposed the rest and changed no level.
    assert LevelProposal.objects.open().count() == len(grids) - agree
    assert not GridLevelChange.objects.exclude(from_level="").exists()


def test_the_recompute_command(laocheng):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("grading", "recompute", stdout=out)
    assert "885 micro-grids scored" in out.getvalue()
    assert GradingRun.objects.filter(kind="on_demand").exists()
