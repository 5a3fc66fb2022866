"""My tasks and a case's page: what a worker sees and the one-tap steps they take."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override

from tests.workbench.conftest import png
from wangge.cases.choices import Source, Status
from wangge.cases.services import case_report

pytestmark = pytest.mark.django_db

with override("zh-hans"):
    REQUIRED = gettext("This field is required.")  # Django's own Chinese: 该字段是必填项。


def _section(html: str, key: str) -> str:
    """The HTML of one section of the task list."""
    start = html.index(f'<section class="section" id="{key}">')
    return html[start:html.index("</section>", start)]


def test_a_new_case_of_my_micro_grid_is_in_my_tasks_with_an_accept_button(client, worker_a,
                                                                          case_a):
    client.force_login(worker_a)
    html = client.get("/m/").content.decode()
    todo = _section(html, "to-do")
    assert case_a.tracking_code in todo
    assert case_a.title in todo
    assert f'/m/cases/{case_a.tracking_code}/accept' in todo
    assert "环境卫生" in todo  # the category


def test_accept_then_handle_on_the_spot_closes_the_case_with_the_three_lists(client, worker_a,
                                                                            case_a):
    client.force_login(worker_a)
    response = client.post(f"/m/cases/{case_a.tracking_code}/accept",
                           {"version": case_a.version, "next": "/m/"})
    assert response.status_code == 302 and response.url == "/m/"
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED

    page = client.get(f"/m/cases/{case_a.tracking_code}?do=handle_on_spot").content.decode()
    assert 'id="step-handle_on_spot" open' in page
    response = client.post(f"/m/cases/{case_a.tracking_code}/handle_on_spot", {
        "version": case_a.version, "outcome": "resolved", "result": "已联系环卫当场清运完毕",
        "photos": [png()]})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.CLOSED
    assert case_a.discussions.count() == 1 and case_a.feedback.count() == 1
    photo = case_a.photos.get(stage="result")

    page = client.get(response.url).content.decode()
    for section in ("collection-list", "discussion-list", "feedback-list", "timeline"):
        assert f'id="{section}"' in page
    assert "已联系环卫当场清运完毕" in page
    assert f"/m/cases/{case_a.tracking_code}/photos/{photo.pk}" in page
    image = client.get(f"/m/cases/{case_a.tracking_code}/photos/{photo.pk}")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    # A closed case is no longer a task.
    assert case_a.tracking_code not in client.get("/m/").content.decode()


def test_handling_without_a_result_keeps_the_form_and_says_what_is_missing(client, worker_a,
                                                                         case_a):
    client.force_login(worker_a)
    response = client.post(f"/m/cases/{case_a.tracking_code}/handle_on_spot",
                           {"version": case_a.version, "outcome": "explained"})
    assert response.status_code == 400
    page = response.content.decode()
    assert REQUIRED in page
    assert 'id="step-handle_on_spot" open' in page
    assert '<option value="explained" selected>' in page
    case_a.refresh_from_db()
    assert case_a.status == Status.REPORTED


def test_a_stale_version_says_the_case_changed_and_shows_its_state(client, worker_a, leader_a,
                                                                 case_a):
    from wangge.cases.services import case_act

    seen = case_a.version
    case_act(case=case_a, action="accept", actor=leader_a)
    client.force_login(worker_a)
    response = client.post(f"/m/cases/{case_a.tracking_code}/handle_on_spot",
                           {"version": seen, "result": "已处理"})
    assert response.status_code == 409
    with override("zh-hans"):
        expected = gettext("The case changed while you were looking at it: it is now "
                           "“%(status)s”. Reload and try again.") % {
                               "status": Status.ACCEPTED.label}
    page = response.content.decode()
    assert expected in page
    assert 'data-status="accepted"' in page
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED


def test_raising_needs_a_reason(client, worker_a, case_a):
    client.force_login(worker_a)
    response = client.post(f"/m/cases/{case_a.tracking_code}/raise",
                           {"version": case_a.version, "note": ""})
    assert response.status_code == 400
    response = client.post(f"/m/cases/{case_a.tracking_code}/raise",
                           {"version": case_a.version, "note": "需要社区协调环卫所"})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.level == "community"


def test_another_micro_grids_worker_cannot_see_or_act_on_the_case(client, worker_b, case_a):
    client.force_login(worker_b)
    code = case_a.tracking_code
    assert client.get(f"/m/cases/{code}").status_code == 404
    for action in ("accept", "handle_on_spot", "raise"):
        response = client.post(f"/m/cases/{code}/{action}",
                               {"version": case_a.version, "result": "x", "note": "x"})
        assert response.status_code == 404
    assert code not in client.get("/m/").content.decode()
    case_a.refresh_from_db()
    assert case_a.status == Status.REPORTED and case_a.steps.count() == 1


def test_cases_past_their_time_limit_are_overdue_and_near_ones_warned(client, worker_a,
                                                                    point_a, sanitation):
    lon, lat = point_a
    old = case_report(source=Source.PATROL, category=sanitation, title="旧案超时",
                      description="很久以前上报", lon=lon, lat=lat,
                      reported_at=timezone.now() - dt.timedelta(days=20))
    client.force_login(worker_a)
    html = client.get("/m/").content.decode()
    assert old.tracking_code in _section(html, "overdue")
    assert old.tracking_code not in _section(html, "to-do")


def test_without_a_worker_record_the_page_says_so(client, outsider):
    client.force_login(outsider)
    response = client.get("/m/")
    assert response.status_code == 403
    assert 'id="no-worker"' in response.content.decode()


def test_the_workbench_needs_a_login(client):
    response = client.get("/m/report")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/m/report")


def test_pages_are_made_for_a_phone(client, worker_a):
    client.force_login(worker_a)
    for url in ("/m/", "/m/report", "/m/patrols", "/m/must-report", "/m/grid"):
        page = client.get(url).content.decode()
        assert '<meta name="viewport" content="width=device-width' in page, url
        assert 'class="wb-tabs"' in page, url
        assert "<script>" not in page, url  # the CSP allows no inline script


def test_a_step_that_is_no_longer_mine_shows_why(client, worker_a, case_a):
    """Raised to the community, the case is theirs: a stale page's button is refused with
    the reason, and the page no longer offers it."""
    client.force_login(worker_a)
    client.post(f"/m/cases/{case_a.tracking_code}/raise",
                {"version": case_a.version, "note": "需要社区协调"})
    case_a.refresh_from_db()
    response = client.post(f"/m/cases/{case_a.tracking_code}/handle_on_spot",
                           {"version": case_a.version, "result": "已处理"})
    assert response.status_code == 403
    page = response.content.decode()
    with override("zh-hans"):
        expected = gettext("The case is held by %(grid)s (%(level)s); this step is theirs.") \
            % {"grid": case_a.responsible.name, "level": case_a.get_level_display()}
    assert expected in page
    assert 'data-action="handle_on_spot"' not in page
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED
