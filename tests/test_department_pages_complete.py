"""Each seed department's page shows every fact stored for it (and so every fact of its seed)."""

from html import unescape

import pytest

from departments.models import Department

pytestmark = pytest.mark.django_db

SLUGS = [
    "fahzu-medical-oncology-1",
    "fahzu-medical-oncology-3",
    "cancer-hospital-1955-oncology-department",
    "zhejiang-cancer-hospital-breast-medical-oncology",
    "jilin-first-hospital-radiation-oncology",
]


def expected_texts(department):
    """The text by which a reader finds each stored fact on the page."""
    texts = []
    for link in department.cancer_type_links.select_related("cancer_type"):
        texts += [link.cancer_type.name, link.wording]
    for link in department.service_links.select_related("service"):
        texts.append(link.service.name)
    for row in department.staffcounts.all():
        texts += [row.role, row.display]
    for model_rows in (
        department.designations.all(),
        department.researchdirections.all(),
        department.programmes.all(),
        department.education_activities.all(),
        department.awards.all(),
    ):
        for row in model_rows:
            texts.append(row.name)
            if getattr(row, "display", ""):
                texts.append(row.display)
    for row in department.annualstatistics.all():
        texts += [row.metric, row.display]
    for row in department.fundingawards.all():
        texts += [row.programme, row.display]
    for row in department.researchoutputs.all():
        texts.append(row.title or row.display)
    for row in department.trial_activities.all():
        texts += [row.label, row.display]
    for site in department.trial_sites.select_related("trial"):
        texts.append(site.trial.name)
    if department.leader:
        texts.append(department.leader.name)
    if department.phone:
        texts.append(department.phone)
    return [t for t in texts if t]


@pytest.mark.parametrize("slug", SLUGS)
def test_department_page_shows_every_stored_fact(client, slug):
    department = Department.objects.get(slug=slug)
    html = unescape(client.get(department.get_absolute_url()).content.decode())
    missing = [text for text in expected_texts(department) if text not in html]
    assert not missing, f"{slug} page lacks: {missing}"
    assert len(expected_texts(department)) > 20
