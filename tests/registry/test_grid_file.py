"""One grid, one file: a parent's figures are the sums of its children's, at every level."""

import pytest

from wangge.grids.models import Grid
from wangge.registry.selectors import GridFigures, grid_figures, grid_file

pytestmark = pytest.mark.django_db


def _add(total: dict, figures: GridFigures) -> None:
    for key, value in figures.flat().items():
        total[key] = total.get(key, 0) + value


@pytest.mark.parametrize("code", ["520302001", "520302001001", "520302001001001"])
def test_a_parents_figures_are_the_sums_of_its_childrens(laocheng, code):
    gf = grid_file(grid=Grid.objects.get(code=code))
    summed: dict = {}
    for _child, figures in gf.children:
        _add(summed, figures)
    own = gf.figures.flat()
    assert own == grid_figures(code=code)[code].flat()  # the node counted on its own
    assert own["people"] > 0
    assert {k: v for k, v in summed.items() if v} == {k: v for k, v in own.items() if v}


def test_the_demo_population_is_plausible(laocheng):
    street = grid_file(grid=laocheng).figures
    assert 55_000 <= street.people <= 65_000
    assert 19_000 <= street.households <= 21_000
    assert 2_400 <= street.buildings <= 2_700
    assert street.organisations > 500
    assert street.facilities > 800
    assert street.by_population_type["floating"] > 0
    assert street.by_care_group.get("elderly_alone", 0) > 0


def test_sixteen_co_governance_units_in_honghuagang(laocheng):
    from wangge.registry.models import Organisation

    members = Organisation.objects.in_subtree("520302001001").filter(co_governance_member=True)
    assert members.count() == 16
    assert members.filter(name="中国工商银行遵义碧云支行").exists()


def test_grid_file_page_and_downloads(client, street_admin, laocheng):
    client.force_login(street_admin)
    page = client.get("/registry/grids/520302001001/")
    assert page.status_code == 200
    assert "红花岗社区" in page.content.decode()
    xlsx = client.get("/registry/grids/520302001001/file.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get("/registry/grids/520302001001/file.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


def test_grid_file_needs_a_login_and_a_scope(client, outsider, laocheng):
    assert client.get("/registry/grids/520302001/").status_code == 302
    client.force_login(outsider)
    assert client.get("/registry/grids/520302001/").status_code == 404
