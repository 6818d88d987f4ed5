"""Clinical trials, the departments taking part, and departments' aggregate trial activity."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from departments.models import CancerType, Department, DepartmentChild, Sourced
from departments.normalise import normalise
from departments.quantities import Quantity
from departments.translation import chinese_version


class Intervention(Sourced):
    """A drug or device studied in trials (Pertuzumab, T-DM1, envafolimab…)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    drug_class = models.CharField("class and target", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="intervention_slug_unique"),
            models.UniqueConstraint(fields=["name"], name="intervention_name_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("trials:trial-list") + f"?intervention={self.slug}"


class InterventionAlias(Sourced):
    """Another name of a drug: its generic name, a brand, its Chinese names, or a member of the
    class it stands for ("palbociclib" concerns "CDK4/6 inhibitors"). Search reads them; each
    names the source it comes from (ENRICHMENT.md "Drug names" only)."""

    class Kind(models.TextChoices):
        GENERIC = "generic", _("Generic name")
        BRAND = "brand", _("Brand name")
        CHINESE_GENERIC = "chinese_generic", _("Chinese generic name")
        CHINESE_BRAND = "chinese_brand", _("Chinese brand name")
        CLASS_NAME = "class_name", _("Class name")
        CLASS_MEMBER = "class_member", _("Member of the class")

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind)
    normalised = models.CharField(max_length=120, editable=False, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["intervention", "kind", "text"]
        verbose_name_plural = "intervention aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "text"], name="interventionalias_unique"
            ),
            models.CheckConstraint(
                name="interventionalias_kind_valid",
                condition=Q(
                    kind__in=[
                        "generic",
                        "brand",
                        "chinese_generic",
                        "chinese_brand",
                        "class_name",
                        "class_member",
                    ]
                ),
            ),
        ]

    def __str__(self):
        return f"{self.text} → {self.intervention.name}"

    def get_absolute_url(self):
        return self.intervention.get_absolute_url()

    def save(self, *args, **kwargs):
        self.normalised = normalise(self.text)
        super().save(*args, **kwargs)


class TrialQuerySet(models.QuerySet):
    def for_cancer_types(self, cancer_types):
        """Trials for any of the given cancer types (a semi-join: no DISTINCT)."""
        links = Trial.cancer_types.through.objects.filter(
            trial=models.OuterRef("pk"), cancertype__in=cancer_types
        )
        return self.filter(models.Exists(links))


class Trial(Sourced):
    class Phase(models.TextChoices):
        PHASE_1 = "1", _("Phase 1")
        PHASE_1_2 = "1/2", _("Phase 1/2")
        PHASE_2 = "2", _("Phase 2")
        PHASE_2_3 = "2/3", _("Phase 2/3")
        PHASE_3 = "3", _("Phase 3")
        PHASE_4 = "4", _("Phase 4")

    class Status(models.TextChoices):
        RECRUITING = "recruiting", _("Recruiting")
        ACTIVE = "active", _("Active, not recruiting")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    class Scope(models.TextChoices):
        GLOBAL = "global", _("Global / international")
        DOMESTIC = "domestic", _("Domestic")

    class SponsorType(models.TextChoices):
        INDUSTRY = "industry", _("Industry")
        INVESTIGATOR = "investigator", _("Investigator-initiated")

    name = models.CharField(max_length=120, help_text="Name or acronym, e.g. IMbrave150.")
    slug = models.SlugField(max_length=80)
    source_wording = models.CharField(
        max_length=120, blank=True, help_text="How the seed writes it, e.g. 'IM BRAVE150'."
    )
    title = models.CharField(max_length=300, blank=True)
    registry_id = models.CharField(
        max_length=40, blank=True, help_text="Only where certain, e.g. NCT03434379."
    )
    registry_source = models.CharField(
        max_length=200, blank=True, help_text="Who verified the registry facts."
    )
    phase = models.CharField(max_length=8, choices=Phase, blank=True)
    status = models.CharField(max_length=16, choices=Status, blank=True)
    scope = models.CharField(max_length=16, choices=Scope, blank=True)
    multicentre = models.BooleanField(null=True, blank=True)
    sponsor_type = models.CharField(max_length=16, choices=SponsorType, blank=True)
    sponsor = models.CharField(max_length=200, blank=True)
    condition = models.CharField(max_length=300, blank=True)
    intervention_summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    cancer_types = models.ManyToManyField(CancerType, blank=True, related_name="trials")
    interventions = models.ManyToManyField(Intervention, blank=True, related_name="trials")
    departments = models.ManyToManyField(
        Department, through="TrialSite", blank=True, related_name="trials"
    )

    objects = TrialQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=["cancer_types", "interventions"])

    class Meta:
        ordering = ["name"]
        # The trial list pages by name, alone or within a status or phase.
        indexes = [
            models.Index(fields=["name", "id"], name="trial_name_idx"),
            models.Index(fields=["status", "name", "id"], name="trial_status_name_idx"),
            models.Index(fields=["phase", "name", "id"], name="trial_phase_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="trial_slug_unique"),
            models.UniqueConstraint(
                fields=["registry_id"],
                condition=~Q(registry_id=""),
                name="trial_registry_id_unique",
            ),
            models.CheckConstraint(
                name="trial_registry_id_format",
                condition=Q(registry_id="") | Q(registry_id__regex=r"^NCT[0-9]{8}$"),
            ),
            models.CheckConstraint(
                name="trial_registry_id_has_source",
                condition=Q(registry_id="") | ~Q(registry_source=""),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("trials:trial-detail", kwargs={"slug": self.slug})

    @property
    def registry_url(self):
        if self.registry_id:
            return f"https://clinicaltrials.gov/study/{self.registry_id}"
        return ""


class TrialSite(Sourced):
    class Role(models.TextChoices):
        LEAD = "lead", _("Leading centre")
        PARTICIPANT = "participant", _("Participating centre")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="sites")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="trial_sites")
    role = models.CharField(max_length=16, choices=Role, default=Role.PARTICIPANT)
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "trial__name"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "department"], name="trialsite_unique"),
        ]
        # "Which trials do these departments run": an index-only scan from the department side
        # (search explains a page of departments by their trials; the directory counts them).
        indexes = [
            models.Index(fields=["department", "trial"], name="trialsite_department_trial_idx")
        ]

    def __str__(self):
        return f"{self.trial} at {self.department}"

    def get_absolute_url(self):
        return self.trial.get_absolute_url()


class TrialActivity(DepartmentChild, Quantity):
    """A department's aggregate trial activity ("more than 100 global and domestic trials")."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="trial_activities"
    )
    label = models.CharField(
        max_length=300, help_text="What was counted, e.g. 'clinical trials undertaken'."
    )
    label_zh_hans = chinese_version(label, "label")
    period_zh_hans = chinese_version(Quantity._meta.get_field("period"), "period")
    phases = models.CharField(max_length=60, blank=True)
    scope = models.CharField(max_length=16, choices=Trial.Scope, blank=True)
    multicentre = models.BooleanField(null=True, blank=True)
    sponsor_type = models.CharField(max_length=16, choices=Trial.SponsorType, blank=True)
    role = models.CharField(max_length=60, blank=True, help_text="e.g. 'hosted and participated'.")
    role_zh_hans = chinese_version(role, "role")
    cancer_types = models.ManyToManyField(CancerType, blank=True, related_name="trial_activities")
    interventions = models.ManyToManyField(
        Intervention, blank=True, related_name="trial_activities"
    )

    # Tracked by the history that DepartmentChild declares (inherit=True).
    _history_m2m_fields = ["cancer_types", "interventions"]

    class Meta(DepartmentChild.Meta, Quantity.Meta):
        verbose_name_plural = "trial activities"
        constraints = [
            *Quantity.Meta.constraints,
            models.UniqueConstraint(fields=["department", "label"], name="trialactivity_unique"),
        ]

    def __str__(self):
        return f"{self.display} {self.label}"
