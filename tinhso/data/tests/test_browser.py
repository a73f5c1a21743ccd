"""The dataset page in a real browser: the chart is drawn beside its table, accessibly."""

import pytest

from tinhso.testing import axe_violations


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dataset_page_draws_chart_and_is_accessible(browser_page, demo_users):
    from tinhso.data.demo import demo_load

    demo_load()
    page = browser_page
    page.goto(page.base_url + "/du-lieu/?q=khu+cong+nghiep")
    page.click("text=Các khu công nghiệp tỉnh Bình Dương")
    page.wait_for_selector("canvas#data-chart[data-ready=true]")
    assert page.locator("table caption", has_text="xem trước").count() == 1
    page.select_option("#chart-series", index=1)
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 380, "height": 800})
    page.goto(page.base_url + "/du-lieu/")
    assert axe_violations(page) == []
