"""Each seed department's page shows every fact stored for it (and so every fact of its seed)."""

from html import unescape

import pytest

from departments.models import Department
from departments.sections import sections

pytestmark = pytest.mark.django_db

SLUGS = [
    "fahzu-medical-oncology-1",
    "fahzu-medical-oncology-3",
    "cancer-hospital-1955-oncology-department",
    "zhejiang-cancer-hospital-breast-medical-oncology",
    "jilin-first-hospital-radiation-oncology",
]


def expected_texts(department):
    """The text by which a reader finds each stored fact on the page (each section's `facts`)."""
    texts = []
    for section in sections():
        for row in section.shown_rows(department):
            texts += section.fact_texts(row)
    return [t for t in texts if t]


def test_every_section_names_the_facts_a_reader_finds():
    """A new section says which of its rows' fields the page shows, so this test checks them."""
    assert not [section.key for section in sections() if not section.facts]


@pytest.mark.parametrize("slug", SLUGS)
def test_department_page_shows_every_stored_fact(client, slug):
    department = Department.objects.get(slug=slug)
    html = unescape(client.get(department.get_absolute_url()).content.decode())
    missing = [text for text in expected_texts(department) if text not in html]
    assert not missing, f"{slug} page lacks: {missing}"
    assert len(expected_texts(department)) > 20
