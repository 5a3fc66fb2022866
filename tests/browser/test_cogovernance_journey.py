"""Issue 8 §2: a community officer plans and holds a round-table meeting in the console
(agenda, attendance, minutes, a decision with a follow-up task for a grid worker, published);
the worker finds the task on the phone and marks it done, and the residents' /minutes/ page
shows the decision."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.journeys import PHONE, login, shot
from tests.conftest import MICRO_A
from wangge.cogovernance.choices import TaskStatus
from wangge.cogovernance.models import Committee, FollowUpTask
from wangge.workforce.models import Worker

pytestmark = pytest.mark.browser

DECISION = "供电所一周内修复3栋楼道灯,网格员复查并告知居民。"


def test_a_round_table_decision_reaches_the_workers_phone_and_the_public_site(
        browser, live_server, laocheng):
    committee = Committee.objects.get(grid__code=MICRO_A[:12])
    worker = Worker.objects.get(user__username=f"worker-{MICRO_A}")
    page = browser.new_context(viewport={"width": 1440, "height": 900},
                               locale="zh-CN").new_page()
    login(page, live_server, f"community-{MICRO_A[:12]}", "/console/cogovernance/")
    expect(page.locator("#committees")).to_contain_text(committee.name)
    page.click("#new-meeting")
    page.select_option("select[name=committee]", str(committee.pk))
    page.fill("input[name=title]", "事务决策圆桌会议:楼道照明")
    page.fill("input[name=held_at]", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "红花岗社区党群服务中心")
    page.fill("input[name=agenda_title_1]", "3栋楼道灯不亮")
    page.click("#meeting-form button[type=submit]")
    expect(page.locator("#agenda")).to_contain_text("3栋楼道灯不亮")

    hold = page.locator("#hold")
    hold.locator("input[name=present]").nth(3).uncheck()
    hold.locator("textarea[name=minutes]").fill("社区书记主持,与会单位就楼道照明问题协商。")
    hold.locator("textarea[name=decision_1]").fill(DECISION)
    hold.locator("select[name=item_1]").select_option(index=1)
    hold.locator("input[name=task_1]").fill("复查3栋楼道灯并告知居民")
    hold.locator("select[name=assignee_1]").select_option(f"w{worker.pk}")
    hold.locator("input[name=due_1]").fill(
        (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    hold.locator("input[name=public]").check()
    shot(page, "30-cogovernance-hold")
    page.click("#record-meeting")
    expect(page.locator("#meeting-status")).to_have_attribute("class", "cg-status cg-held")
    expect(page.locator("#decisions")).to_contain_text(DECISION)
    expect(page.locator("#attendance")).to_contain_text("15")
    shot(page, "31-cogovernance-held")
    task = FollowUpTask.objects.get(title="复查3栋楼道灯并告知居民")

    phone = browser.new_context(**PHONE).new_page()
    login(phone, live_server, f"worker-{MICRO_A}", "/m/")
    card = phone.locator(f"#follow-up-{task.pk}")
    expect(card).to_contain_text("复查3栋楼道灯并告知居民")
    shot(phone, "32-cogovernance-phone-task")
    card.locator("textarea[name=result]").fill("已复查,灯已修好,已在楼道张贴告知。")
    card.locator("button[type=submit]").click()
    expect(phone.locator(f"#follow-up-{task.pk}")).to_have_count(0)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE

    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{live_server.url}/minutes/")
    public.get_by_role("link", name="事务决策圆桌会议:楼道照明").click()
    expect(public.locator("main")).to_contain_text(DECISION)
    expect(public.locator("li[data-task-status=done]")).to_contain_text("复查3栋楼道灯")
    expect(public.locator("main")).not_to_contain_text(worker.name)
    shot(public, "33-cogovernance-public-minutes")
