"""Bulk data for query-count tests: many departments and trials linked like the seed ones."""

from departments.models import (
    CancerType,
    Department,
    DepartmentCancerType,
    DepartmentService,
    Designation,
    Hospital,
    Service,
    StaffCount,
)
from trials.models import Intervention, Trial, TrialActivity, TrialSite


def make_bulk_data(n=200):
    """Create `n` departments (each with links, figures and a trial) and `n` trials."""
    hospital = Hospital.objects.create(
        name="Bulk Test Hospital", slug="bulk-test-hospital", city="Testville", province="Testland"
    )
    cancer_types = list(CancerType.objects.order_by("pk")[:20])
    services = list(Service.objects.order_by("pk")[:10])
    intervention = Intervention.objects.first()
    departments = Department.objects.bulk_create(
        Department(
            hospital=hospital,
            name=f"Bulk Department {i:03d}",
            slug=f"bulk-department-{i:03d}",
            kind=Department.Kind.MEDICAL,
            summary="A generated department for query-count tests.",
        )
        for i in range(n)
    )
    DepartmentCancerType.objects.bulk_create(
        DepartmentCancerType(
            department=d, cancer_type=cancer_types[i % len(cancer_types)], wording="generated"
        )
        for i, d in enumerate(departments)
    )
    DepartmentService.objects.bulk_create(
        DepartmentService(department=d, service=services[i % len(services)])
        for i, d in enumerate(departments)
    )
    StaffCount.objects.bulk_create(
        StaffCount(department=d, role="staff", qualifier="at_least", value=10, wording="over 10")
        for d in departments
    )
    Designation.objects.bulk_create(
        Designation(department=d, name="Generated designation") for d in departments
    )
    trials = Trial.objects.bulk_create(
        Trial(name=f"BULK-{i:03d}", slug=f"bulk-{i:03d}", phase="2", status="recruiting")
        for i in range(n)
    )
    Trial.cancer_types.through.objects.bulk_create(
        Trial.cancer_types.through(trial=t, cancertype=cancer_types[i % len(cancer_types)])
        for i, t in enumerate(trials)
    )
    if intervention:
        Trial.interventions.through.objects.bulk_create(
            Trial.interventions.through(trial=t, intervention=intervention) for t in trials
        )
    TrialSite.objects.bulk_create(
        TrialSite(trial=t, department=d) for t, d in zip(trials, departments, strict=True)
    )
    TrialActivity.objects.bulk_create(
        TrialActivity(
            department=d, label="generated trials", qualifier="at_least", value=5, wording="over 5"
        )
        for d in departments
    )
    return departments, trials
