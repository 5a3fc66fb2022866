"""The residents' site: no login, phone first, large type on request. Residents file an
appeal, follow it by its tracking code, rate the result, and browse published results and
the street's figures. The pages call the same services as the API."""

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from wangge.cases import selectors as case_selectors
from wangge.cases import services
from wangge.cases.choices import CLOSED, Action, Evaluation, Source, Status
from wangge.cases.models import Case, Category
from wangge.grids.selectors import first_street
from wangge.portal import selectors
from wangge.portal.forms import AppealForm, RateForm, TrackForm

APPEALS_PER_HOUR = 10  # per address: enough for a family, too few for a flood


def home(request):
    return render(request, "portal/home.html", {
        "figures": selectors.street_figures(),
        "track_form": TrackForm(),
        "recent": case_selectors.published_cases()[:5],
    })


def _too_many(request) -> bool:
    key = "appeals:" + request.META.get("REMOTE_ADDR", "")
    count = cache.get(key, 0)
    if count >= APPEALS_PER_HOUR:
        return True
    cache.set(key, count + 1, 3600)
    return False


@require_http_methods(["GET", "POST"])
def appeal_new(request):
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if _too_many(request):
            form.add_error(None, _("Too many appeals from this connection in the last hour; "
                                   "please call the community office."))
        else:
            data = form.cleaned_data
            has_point = data.get("lon") is not None and data.get("lat") is not None
            try:
                case = services.case_report(
                    source=Source.ONLINE,
                    category=Category.objects.get(code=data["category"]),
                    title="", description=data["description"],
                    lon=data["lon"] if has_point else None,
                    lat=data["lat"] if has_point else None, address=data["address"],
                    grid=None if has_point else first_street(),
                    reporter_name=data["name"], reporter_phone=data["phone"],
                    photos=data["photos"], actor=None)
            except services.CaseError as exc:
                form.add_error(None, str(exc))
            else:
                request.session["portal_new_case"] = case.tracking_code
                return redirect("portal:appeal", code=case.tracking_code)
    return render(request, "portal/appeal_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def track(request):
    form = TrackForm(request.GET or None)
    if form.is_valid():
        return redirect("portal:appeal", code=form.cleaned_data["code"].strip().upper())
    return render(request, "portal/home.html", {
        "figures": selectors.street_figures(), "track_form": form,
        "recent": case_selectors.published_cases()[:5]}, status=400)


# What a resident reads for each step of the timeline (staff notes stay inside).
PUBLIC_STEP_TEXT = {
    Action.REPORT: gettext_lazy("Your appeal was received."),
    Action.ACCEPT: gettext_lazy("Accepted by the grid."),
    Action.DISPATCH: gettext_lazy("Assigned to the people who will handle it."),
    Action.START: gettext_lazy("Work has started."),
    Action.HANDLE: gettext_lazy("Handled; being checked."),
    Action.HANDLE_ON_SPOT: gettext_lazy("Handled on the spot by the grid worker."),
    Action.CLOSE: gettext_lazy("Checked and closed."),
    Action.REWORK: gettext_lazy("Sent back to be done better."),
    Action.EVALUATE: gettext_lazy("You rated the result."),
    Action.REOPEN: gettext_lazy("Reopened because you were not satisfied."),
    Action.RAISE: gettext_lazy("Raised to the next level to be solved."),
    Action.DIRECT_LINE: gettext_lazy("Put on the Party secretary's direct-line meeting."),
    Action.DIRECT_LINE_DECISION: gettext_lazy("The direct-line meeting decided how to solve it."),
    Action.DEFER: gettext_lazy("Deferred as a long-term matter."),
    Action.RESUME: gettext_lazy("Work resumed."),
    Action.DECLINE: gettext_lazy("Not accepted; see the explanation."),
    Action.MARK_DUPLICATE: gettext_lazy("Merged with an earlier appeal about the same matter."),
    Action.RELOCATE: gettext_lazy("Passed to the right grid."),
}


def appeal_detail(request, code: str):
    try:
        case = case_selectors.case_public_get(code=code)
    except Case.DoesNotExist as exc:
        raise Http404(_("No appeal has this tracking code.")) from exc
    steps = [(s, PUBLIC_STEP_TEXT.get(s.action)) for s in case.steps.all()
             if s.action in PUBLIC_STEP_TEXT]
    new = request.session.pop("portal_new_case", None) == case.tracking_code
    rate_form = RateForm(initial={"version": case.version}) if case.status == Status.CLOSED \
        else None
    decline_note = ""
    if case.status == Status.DECLINED:
        decline_note = next((s.note for s in reversed(case.steps.all())
                             if s.action in (Action.DECLINE, Action.DIRECT_LINE_DECISION)), "")
    return render(request, "portal/appeal_detail.html", {
        "case": case, "steps": steps, "new": new, "rate_form": rate_form,
        "closed": case.status in CLOSED, "decline_note": decline_note,
        "result_photos": [p for p in case.photos.all() if p.stage == "result"],
    })


@require_POST
def appeal_rate(request, code: str):
    try:
        case = case_selectors.case_public_get(code=code)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how satisfied you are."))
        return redirect("portal:appeal", code=case.tracking_code)
    value = form.cleaned_data["evaluation"]
    action = Action.REOPEN if value == Evaluation.DISSATISFIED else Action.EVALUATE
    try:
        services.case_act(case=case.pk, action=action, actor=None,
                          note=form.cleaned_data["comment"],
                          expected_version=form.cleaned_data["version"], evaluation=value,
                          comment=form.cleaned_data["comment"])
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you. Your rating was recorded.") if
                         action == Action.EVALUATE else
                         _("Thank you. Your appeal has been reopened and will be handled "
                           "again."))
    return redirect("portal:appeal", code=case.tracking_code)


def appeal_photo(request, code: str, pk: int):
    """A result photo of an appeal, for whoever holds its tracking code (photos are not
    served from a public media URL)."""
    try:
        case = case_selectors.case_public_get(code=code)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    photo = case.photos.filter(pk=pk, stage="result").first()
    if photo is None:
        raise Http404
    return FileResponse(photo.image.open("rb"), content_type=_image_type(photo.image.name))


def _image_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def results(request):
    qs = case_selectors.published_cases()
    community = request.GET.get("community", "")
    if community:
        qs = qs.filter(grid__code__startswith=community)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    names = {g.code: g.name for g in selectors.communities()}
    return render(request, "portal/results.html", {
        "page": page, "communities": selectors.communities(), "community": community,
        "community_names": names, "figures": selectors.street_figures()})
