"""Triage help on intake (issue 8 §4): the category a new case's words suggest, with its
confidence, the usual unit, and likely duplicates; suggestions only. The held-out test
measures the model trained on the demo's case history against descriptions written by
hand, never seen in training."""

import json

import pytest
from django.db import transaction
from django.test import Client

from wangge.cases import triage
from wangge.cases.choices import CLOSED, Source
from wangge.cases.models import Case, Category, TriageModel
from wangge.cases.selectors import possible_duplicates
from wangge.cases.services import case_report
from wangge.demo import cases as demo_cases
from wangge.workbench.selectors import category_for_text

pytestmark = pytest.mark.django_db


def demo_phrasings() -> list[triage.Sample]:
    """Every phrasing the demo generator knows, once each, placed in a made-up spot: a small
    training set of clear examples."""
    out = []
    for texts in (demo_cases.TEXTS, demo_cases.MORE_TEXTS):
        for code, pairs in texts.items():
            for title, description in pairs:
                text = description.format(place="幸福小区3栋", lane="丁字口")
                out.append(triage.Sample(f"{title} {text}", code))
    return out


@pytest.fixture
def trained(laocheng):
    return triage.train(samples=demo_phrasings(), cv_folds=0).model


def test_a_model_trained_on_closed_cases_names_the_category_of_clear_texts(trained):
    for text, expected in [("楼道里闻到很浓的煤气味,怕是漏气了", "gas_safety"),
                           ("我们这条巷子的路灯晚上都不亮", "street_lamp"),
                           ("老板拖了我们三个月工资不给", "wage_dispute"),
                           ("小区垃圾桶满了好几天没人清运", "sanitation")]:
        found = triage.suggest(text)
        assert found.method == "classifier"
        assert found.categories[0].category.code == expected, (text, found.categories)
        assert len(found.categories) == 3
        assert 0 < found.categories[2].confidence <= found.categories[0].confidence <= 1
    assert triage.suggest("楼道里闻到很浓的煤气味").unit.unit == "燃气公司"


def test_the_model_round_trips_through_the_database_as_plain_json(trained):
    params = triage.fit(demo_phrasings())
    in_memory = triage.Classifier(params)
    row = TriageModel.objects.create(trained_at=trained.trained_at, cases=1,
                                     classes=params["classes"],
                                     params=json.loads(json.dumps(params)))
    current_row, served = triage.current()
    assert current_row.pk == row.pk  # the newest row is the one served
    texts = ["电梯坏了三天没人修", "有人在楼道给电动车充电"]
    assert served.proba(texts) == pytest.approx(in_memory.proba(texts), abs=1e-4)
    assert served.proba(texts).sum(axis=1) == pytest.approx([1, 1])
    assert "coef" in row.params and isinstance(row.params["word_vocab"], list)


def test_without_a_model_the_keyword_rule_answers_and_nothing_fails(laocheng):
    assert not TriageModel.objects.exists()
    found = triage.suggest("楼下有人占道摆摊")
    assert found.method == "keywords" and found.model is None
    assert found.categories[0].category.code == "street_vending"
    assert found.categories[0].confidence is None
    assert triage.suggest("   ").categories == []
    leaves = list(Category.objects.filter(parent__isnull=False))
    assert category_for_text("发现井盖缺失", leaves).code == "manhole"
    answer = Client().post("/api/appeals/triage", {"text": "楼下有人占道摆摊"},
                           content_type="application/json")
    assert answer.status_code == 200 and answer.json()["method"] == "keywords"


def test_staff_api_suggests_and_shows_only_duplicates_the_user_may_see(
        client, trained, case_a, point_a, worker_a, worker_b):
    lon, lat = point_a
    body = {"text": "楼下垃圾桶几天没人清运了,臭得很", "lon": lon, "lat": lat}
    client.force_login(worker_a)
    answer = client.post("/api/cases/triage", body, content_type="application/json")
    assert answer.status_code == 200
    data = answer.json()
    assert data["categories"][0]["code"] == "sanitation"
    assert 0 < data["categories"][0]["confidence"] <= 1
    assert data["unit"]["unit"] == "街道环卫所"
    assert [d["tracking_code"] for d in data["duplicates"]] == [case_a.tracking_code]
    assert data["duplicates"][0]["similarity"] > 0.3

    client.force_login(worker_b)  # another micro-grid: the suggestion, not A's case
    other = client.post("/api/cases/triage", body, content_type="application/json").json()
    assert other["categories"][0]["code"] == "sanitation"
    assert other["duplicates"] == []


def test_the_api_refuses_empty_text_and_strangers(client, worker_a):
    assert Client().post("/api/cases/triage", {"text": "垃圾"},
                         content_type="application/json").status_code in (401, 403)
    client.force_login(worker_a)
    answer = client.post("/api/cases/triage", {"text": ""}, content_type="application/json")
    assert answer.status_code == 400 and "text" in answer.json()


def test_the_residents_variant_returns_categories_and_never_cases(trained, case_a, point_a):
    lon, lat = point_a
    answer = Client().post("/api/appeals/triage",
                           {"text": "楼下垃圾桶三天没有清运,气味很大", "lon": lon, "lat": lat},
                           content_type="application/json")
    assert answer.status_code == 200
    data = answer.json()
    assert set(data) == {"method", "categories"}
    assert data["categories"][0]["code"] == "sanitation"
    assert case_a.tracking_code not in answer.content.decode()


def test_words_alike_find_a_duplicate_filed_under_another_category(laocheng, point_a):
    lon, lat = point_a
    parking = Category.objects.get(code="parking")
    fire = Category.objects.get(code="fire_hazard")
    earlier = case_report(source=Source.ONLINE, category=parking, title="",
                          description="小区消防通道被几辆私家车堵死了,消防车进不来",
                          lon=lon, lat=lat)
    text = "消防通道被私家车堵死了,消防车根本进不来"
    assert possible_duplicates(category=fire, lon=lon, lat=lat) == []
    found = possible_duplicates(category=fire, lon=lon, lat=lat, text=text)
    assert [c.case for c in found] == [earlier] and found[0].similarity > 0.3
    unrelated = possible_duplicates(category=fire, lon=lon, lat=lat, text="路灯不亮")
    assert unrelated == []


def test_the_workbench_report_page_suggests_from_the_description(client, trained, worker_a):
    client.force_login(worker_a)
    page = client.get("/m/report/duplicates", {"description": "单元楼里有人飞线给电动车充电"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="triage-suggest"' in html and 'data-pick-category="ebike_charging"' in html


def test_the_appeal_form_asks_for_the_description_before_the_category(client, laocheng):
    html = client.get("/appeal/new").content.decode()
    assert 'id="triage-suggest"' in html and "portal/triage.js" in html
    assert html.index('id="id_description"') < html.index('id="id_category"')


# --- accuracy on hand-written descriptions ---------------------------------------------------


@pytest.fixture(scope="module")
def demo_model(django_db_setup, django_db_blocker):
    """The model trained on the demo's closed cases (the history generated in memory, as
    `wangge demo` would load it), once for this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        history = demo_cases.generate(demo_cases.world_from_db())
        closed = [c for c in history.cases if c.status in CLOSED]
        samples = triage.samples_from_cases(closed)
        clf = triage.Classifier(triage.fit(samples))
        leaves = {c.code: c for c in Category.objects.filter(parent__isnull=False)
                  .select_related("parent")}
        transaction.set_rollback(True)
    return samples, clf, leaves


def test_held_out_descriptions_are_not_training_texts(demo_model):
    samples, _clf, _leaves = demo_model
    heldout = triage.read_heldout()
    assert len(heldout) >= 150
    training = {s.text for s in samples}
    assert not [h.text for h in heldout if h.text in training]
    # Nor a sentence of one (the two-word ones like "路灯坏了" are bound to recur).
    assert not [h.text for h in heldout
                if len(h.text) > 8 and any(h.text in t for t in training)]


def test_most_hand_written_descriptions_get_the_right_category(demo_model):
    # Measured 79–81% top-1 and 92–94% top-3 (175 descriptions) when this was written; the bar
    # leaves room for the history changing with the day the demo is generated.
    _samples, clf, leaves = demo_model
    score = triage.evaluate(clf, triage.read_heldout(), leaves)
    assert score.top1 >= 0.65, score
    assert score.top3 >= 0.80, score


def test_the_demo_loader_trains_a_model(laocheng):
    """`train_demo` (run by the demo loader after the history) learns from closed cases."""
    assert triage.train_demo() is None  # no case history in the test database
    for i, (title, text) in enumerate([("垃圾", "垃圾没人清运"), ("路灯", "路灯不亮")] * 6):
        case = case_report(source=Source.ONLINE, title=title, description=text,
                           category=Category.objects.get(
                               code="sanitation" if i % 2 == 0 else "street_lamp"),
                           lon=None, lat=None, address="老城街道",
                           grid=laocheng)
        Case.objects.filter(pk=case.pk).update(status="closed")
    done = triage.train_demo()
    assert done is not None and done.samples == 12 and done.heldout.n >= 150
