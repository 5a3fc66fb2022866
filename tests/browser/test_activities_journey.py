"""Issue 8 §3: a community officer creates an activity, signs up a registered Party member
and a volunteer, marks attendance and finishes it; the Party member's service record shows
the hours; the residents' page shows the co-built project's progress."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.journeys import login, shot
from tests.conftest import MICRO_A
from wangge.activities.choices import ActivityStatus, VolunteerKind
from wangge.activities.models import Activity, Volunteer

pytestmark = pytest.mark.browser


def test_community_officer_runs_an_activity_and_credits_service_hours(browser, live_server,
                                                                       laocheng):
    community = MICRO_A[:12]
    member = (Volunteer.objects.filter(kind=VolunteerKind.PARTY_MEMBER,
                                       person__micro_grid__code__startswith=community)
              .select_related("person").order_by("id").first())
    volunteer = (Volunteer.objects.filter(kind=VolunteerKind.VOLUNTEER,
                                          person__micro_grid__code__startswith=community)
                 .select_related("person").order_by("id").first())
    start = timezone.localtime() - dt.timedelta(hours=3)

    page = browser.new_context(viewport={"width": 1440, "height": 900},
                               locale="zh-CN").new_page()
    login(page, live_server, f"community-{community}", "/console/activities/")
    page.goto(f"{live_server.url}/console/activities/new")
    page.fill("input[name=title]", "重阳节敬老院慰问")
    page.select_option("select[name=kind]", "volunteer_service")
    page.fill("input[name=place]", "老城敬老院")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=hours]", "2.5")
    page.fill("input[name=capacity]", "20")
    page.click("#activity-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("重阳节敬老院慰问")
    activity = Activity.objects.get(title="重阳节敬老院慰问")

    for person in (member, volunteer):
        page.fill("input[name=q]", person.person.name)
        page.click("#signup form.filters button[type=submit]")
        page.click(f"button[data-sign-up='{person.pk}']")
        expect(page.locator("#signups")).to_contain_text(person.person.name)
    expect(page.locator("#signed-count")).to_have_text("2")
    shot(page, "activities-1-signed-up")

    for row in page.locator("#signups tbody tr").all():
        row.locator("select").select_option("attended")
    page.click("#finish")
    expect(page.locator("#activity-status")).to_have_attribute("data-status", "finished")
    expect(page.locator("#served-hours")).to_have_text("5.0")
    shot(page, "activities-2-finished")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.FINISHED

    page.goto(f"{live_server.url}/console/activities/volunteers/{member.pk}/")
    entries = page.locator("#entries")
    expect(entries).to_contain_text("重阳节敬老院慰问")
    expect(entries.locator("tr", has_text="重阳节敬老院慰问")).to_contain_text("2.5")
    year = page.locator(f"#years tr[data-year='{timezone.localdate().year}']")
    expect(year).to_be_visible()
    shot(page, "activities-3-service-record")

    page.goto(f"{live_server.url}/activities/")
    project = page.locator("#projects li", has_text="捞沙巷电子支付示范街")
    expect(project.locator("progress")).to_be_visible()
    expect(project.locator(".project-progress")).to_have_attribute("data-progress", "67")
    expect(page.locator("body")).not_to_contain_text(member.person.name)
    shot(page, "activities-4-public")
