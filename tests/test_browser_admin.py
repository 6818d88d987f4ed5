"""In a real browser: a department editor updates their department and the public page follows."""

import datetime

import pytest
from django.utils import timezone
from django.utils.dateformat import format as format_date

from departments.models import Department

from .helpers import PASSWORD, SLUG_B, make_editor

NEW_PHONE = "+86-571-8812-3456"


@pytest.mark.browser
def test_editor_changes_phone_and_public_page_shows_it(chromium, live_portal):
    old = timezone.make_aware(datetime.datetime(2020, 1, 15, 12, 0))
    Department.objects.filter(slug=SLUG_B).update(updated_at=old)
    department = Department.objects.get(slug=SLUG_B)
    make_editor("browser_editor", SLUG_B)
    today = format_date(timezone.localdate(), "j F Y")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_portal.url}/departments/{SLUG_B}/")
        assert "Last updated on 15 January 2020" in page.content()

        page.goto(f"{live_portal.url}/admin/")
        page.fill("#id_username", "browser_editor")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#site-name")
        assert "Site administration" in page.content()

        page.click('a[href="/admin/departments/department/"]')
        page.click(f'a[href="/admin/departments/department/{department.pk}/change/"]')
        assert page.input_value("#id_phone") == department.phone
        page.fill("#id_phone", NEW_PHONE)
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success")
        assert "was changed successfully" in page.inner_text(".messagelist")

        page.goto(f"{live_portal.url}/departments/{SLUG_B}/")
        assert page.locator("dd", has_text=NEW_PHONE).count() == 1
        assert f"Last updated on {today}" in page.content()
        assert "Last updated on 15 January 2020" not in page.content()
    finally:
        context.close()

    department.refresh_from_db()
    assert department.phone == NEW_PHONE
    latest = department.history.latest("history_id")
    assert latest.history_user.username == "browser_editor"
    assert latest.phone == NEW_PHONE


@pytest.mark.browser
def test_with_the_page_cache_on_a_staff_edit_reaches_visitors_at_once(
    chromium, live_portal, settings
):
    """Visitors are served cached pages; an editor's save in admin moves the data version, so
    the very next anonymous visit shows the change."""
    settings.PAGE_CACHE_SECONDS = 300
    department = Department.objects.get(slug=SLUG_B)
    make_editor("cache_editor", SLUG_B)
    url = f"{live_portal.url}/departments/{SLUG_B}/"
    visitor = chromium.new_context()
    staff = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        visitor_page = visitor.new_page()
        assert visitor_page.goto(url).headers["x-page-cache"] == "miss"
        assert visitor_page.goto(url).headers["x-page-cache"] == "hit"
        assert NEW_PHONE not in visitor_page.content()

        page = staff.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_portal.url}/admin/")
        page.fill("#id_username", "cache_editor")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#site-name")
        page.goto(f"{live_portal.url}/admin/departments/department/{department.pk}/change/")
        page.fill("#id_phone", NEW_PHONE)
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success")
        staff_view = page.goto(url)
        assert "x-page-cache" not in staff_view.headers  # staff always get fresh pages
        assert page.locator("dd", has_text=NEW_PHONE).count() == 1

        fresh = visitor_page.goto(url)
        assert fresh.headers["x-page-cache"] == "miss"
        assert visitor_page.locator("dd", has_text=NEW_PHONE).count() == 1
        assert visitor_page.goto(url).headers["x-page-cache"] == "hit"
    finally:
        visitor.close()
        staff.close()
