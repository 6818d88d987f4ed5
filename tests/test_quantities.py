import pytest
from django.db import IntegrityError, transaction

from departments.models import AnnualStatistic, Department, ResearchOutput, StaffCount
from departments.quantities import Qualifier, render_quantity


@pytest.mark.parametrize(
    ("qualifier", "value", "value_max", "wording", "unit", "expected"),
    [
        (Qualifier.EXACT, 103, None, "103", "", "103"),
        (Qualifier.EXACT, 14010, None, "14010 cases", "", "14,010"),
        (Qualifier.AT_LEAST, 100, None, "more than 100", "", "100+"),
        (Qualifier.AT_LEAST, 30, None, "more than 30%", "%", "30%+"),
        (Qualifier.ABOUT, 12000, None, "approximately 12,000", "", "about 12,000"),
        (Qualifier.RANGE, 1, 2, "1-2", "", "1–2"),
        (Qualifier.UNQUANTIFIED, None, None, "dozens", "", "dozens"),
        (Qualifier.UNQUANTIFIED, None, None, "several", "", "several"),
        (Qualifier.EXACT, 12, None, "for the last 12 years", "years", "12 years"),
    ],
)
def test_render_quantity_keeps_the_wording(qualifier, value, value_max, wording, unit, expected):
    assert render_quantity(qualifier, value, value_max, wording, unit) == expected


def test_more_than_is_never_rendered_as_a_bare_number():
    assert render_quantity(Qualifier.AT_LEAST, 100) != "100"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"qualifier": Qualifier.AT_LEAST, "value": None, "wording": "more than"},
        {"qualifier": Qualifier.EXACT, "value": None, "wording": "x"},
        {"qualifier": Qualifier.UNQUANTIFIED, "value": 12, "wording": "dozens"},
        {"qualifier": Qualifier.UNQUANTIFIED, "value": None, "wording": ""},
        {"qualifier": Qualifier.RANGE, "value": 2, "value_max": 1, "wording": "2-1"},
        {"qualifier": Qualifier.RANGE, "value": 1, "value_max": None, "wording": "1-"},
        {"qualifier": Qualifier.ABOUT, "value": 5, "value_max": 9, "wording": "about 5"},
    ],
)
def test_database_rejects_incoherent_quantities(fields):
    department = Department.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffCount.objects.create(department=department, role="incoherent", **fields)


@pytest.mark.django_db
def test_database_accepts_coherent_quantities():
    department = Department.objects.first()
    row = AnnualStatistic.objects.create(
        department=department,
        metric="a test metric",
        qualifier=Qualifier.RANGE,
        value=1,
        value_max=2,
        wording="1-2",
    )
    assert row.display == "1–2"


@pytest.mark.django_db
def test_output_needs_a_count_or_a_title():
    department = Department.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ResearchOutput.objects.create(department=department, kind="book", qualifier="")


@pytest.mark.django_db
def test_model_validation_messages_for_quantities():
    from django.core.exceptions import ValidationError

    department = Department.objects.first()
    row = StaffCount(department=department, role="x", qualifier=Qualifier.AT_LEAST, value=None)
    with pytest.raises(ValidationError) as info:
        row.full_clean()
    assert "needs a value" in str(info.value.message_dict["value"])
    row = StaffCount(
        department=department, role="y", qualifier=Qualifier.UNQUANTIFIED, value=3, wording="few"
    )
    with pytest.raises(ValidationError) as info:
        row.full_clean()
    assert "has no value" in str(info.value.message_dict["value"])
