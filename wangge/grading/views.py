"""The grading page of the console (`/console/grading/`): the models of every micro-grid type
with a preview of how many micro-grids would change colour before saving, the street's
setting, and the open proposals of the user's part of the tree with their reasons, to
confirm or override. Thin: every write is a `grading.services` call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.console.views import render_console
from wangge.grading import selectors, services
from wangge.grading.forms import (
    ConfirmForm,
    ModelsForm,
    OverrideForm,
    SettingForm,
    columns,
    lines_of_work,
)
from wangge.grading.models import LevelProposal
from wangge.grids.choices import LEVEL_COLOURS

PROPOSALS_SHOWN = 200


def _models_form(data=None) -> ModelsForm:
    cols = columns(models=selectors.model_list(), grid_types=selectors.grid_types(),
                   default=selectors.configs()[None])
    return ModelsForm(data, cols=cols, lines=lines_of_work())


def _page(request: HttpRequest, *, form: ModelsForm | None = None, status: int = 200,
          preview=None) -> HttpResponse:
    user = request.user
    may_tune = selectors.may_tune(user=user)
    streets = selectors.streets_of(user=user) if may_tune else []
    saved = selectors.settings_of(streets=streets)
    settings_forms = [(s, SettingForm(initial={"auto_apply": saved[s.pk].auto_apply},
                                      prefix=f"s{s.pk}")) for s in streets]
    proposals = list(selectors.proposal_list(user=user)[:PROPOSALS_SHOWN])
    rows = [{"p": p, "reasons": selectors.contribution_lines(p),
             "may_decide": selectors.may_decide(user=user, proposal=p),
             "override": OverrideForm(initial={"level": p.from_level}, prefix=f"p{p.pk}"),
             "confirm": ConfirmForm(prefix=f"c{p.pk}")} for p in proposals]
    return render_console(request, "grading/model.html", {
        "may_tune": may_tune, "form": form or (_models_form() if may_tune else None),
        "settings_forms": settings_forms, "proposals": rows,
        "open_count": selectors.proposal_list(user=user).count(),
        "preview": preview, "colours": LEVEL_COLOURS,
    }, tab="grading", status=status)


@login_required
@require_GET
def model(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """How many micro-grids the typed models would recolour; writes nothing (htmx)."""
    if not selectors.may_tune(user=request.user):
        return HttpResponse(_("Only the street's officers tune the grading model."), status=403)
    form = _models_form(request.POST)
    if not form.is_valid():
        return render(request, "grading/_preview.html", {"form": form, "invalid": True},
                      status=400)
    result = selectors.grading_preview(user=request.user,
                                       configs_by_type=form.configs_by_type())
    return render(request, "grading/_preview.html", {"preview": result,
                                                     "colours": LEVEL_COLOURS})


@login_required
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    """Save every model and recompute at once, so the proposals follow the new model."""
    if not selectors.may_tune(user=request.user):
        return _page(request, status=403)
    form = _models_form(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some numbers are not right; nothing was saved."))
        return _page(request, form=form, status=400)
    try:
        for col in form.cols:
            config = form.configs()[col.key]
            services.grading_model_update(
                actor=request.user, grid_type=col.grid_type, weights=config.weights,
                category_weights=config.category_weights, yellow_from=config.yellow_from,
                red_from=config.red_from)
        run = services.grading_recompute(actor=request.user)
    except services.GradingError as exc:
        form.add_error(None, str(exc))
        return _page(request, form=form, status=400)
    messages.success(request, _("Saved. %(grids)s micro-grids scored: %(new)s new proposals, "
                                "%(updated)s updated, %(applied)s applied automatically.")
                     % {"grids": run.micro_grids, "new": run.proposed, "updated": run.updated,
                        "applied": run.applied})
    return redirect("grading:model")


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    try:
        run = services.grading_recompute(actor=request.user)
    except services.GradingForbidden:
        return _page(request, status=403)
    messages.success(request, _("%(grids)s micro-grids scored: %(new)s new proposals, "
                                "%(updated)s updated, %(applied)s applied automatically.")
                     % {"grids": run.micro_grids, "new": run.proposed, "updated": run.updated,
                        "applied": run.applied})
    return redirect("grading:model")


@login_required
@require_POST
def setting(request: HttpRequest, code: str) -> HttpResponse:
    streets = {s.code: s for s in selectors.streets_of(user=request.user)}
    if not selectors.may_tune(user=request.user):
        return _page(request, status=403)
    if code not in streets:
        raise Http404
    street = streets[code]
    form = SettingForm(request.POST, prefix=f"s{street.pk}")
    form.is_valid()
    services.grading_setting_update(actor=request.user, street=street,
                                    auto_apply=form.cleaned_data.get("auto_apply", False))
    messages.success(request, _("The setting of %(street)s is saved.") % {"street": street.name})
    return redirect("grading:model")


def _proposal(request: HttpRequest, pk: int) -> LevelProposal:
    try:
        return selectors.proposal_get(user=request.user, pk=pk)
    except LevelProposal.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = ConfirmForm(request.POST, prefix=f"c{pk}")
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        services.proposal_confirm(proposal=proposal, actor=request.user, note=note)
    except services.GradingForbidden as exc:
        messages.error(request, str(exc))
        return _page(request, status=403)
    except services.GradingError as exc:
        messages.error(request, str(exc))
        return _page(request, status=409)
    messages.success(request, _("%(grid)s is now “%(level)s”.")
                     % {"grid": proposal.grid.name,
                        "level": proposal.grid.get_level_display()})
    return redirect("grading:model")


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = OverrideForm(request.POST, prefix=f"p{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose the level and say why the proposal is overridden."))
        return _page(request, status=400)
    try:
        services.proposal_override(proposal=proposal, actor=request.user,
                                   level=form.cleaned_data["level"],
                                   note=form.cleaned_data["note"])
    except services.GradingForbidden as exc:
        messages.error(request, str(exc))
        return _page(request, status=403)
    except services.GradingError as exc:
        messages.error(request, str(exc))
        return _page(request, status=409)
    messages.success(request, _("Proposal overridden: %(grid)s stays or becomes “%(level)s”.")
                     % {"grid": proposal.grid.name,
                        "level": proposal.grid.get_level_display()})
    return redirect("grading:model")
