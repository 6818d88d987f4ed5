"""Hospitals, departments and what they offer; the cancer-type and service vocabularies; sources."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .normalise import normalise
from .quantities import Quantity
from .translation import chinese_version


class Source(models.Model):
    """A document facts come from: a seed page, a registry record, or a staff edit."""

    class Kind(models.TextChoices):
        SEED = "seed", _("Seed web page")
        REGISTRY = "registry", _("Trial registry record")
        VERIFIED = "verified", _("Verified outside fact")
        STAFF = "staff", _("Staff edit")

    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.SEED)
    title = models.CharField(max_length=200)
    file_name = models.CharField(max_length=120, blank=True)
    url = models.URLField(blank=True)
    last_updated = models.DateField(null=True, blank=True)
    last_updated_text = models.CharField(
        max_length=60, blank=True, help_text="As the source words it, e.g. 'Mar. 2020'."
    )
    text = models.TextField(blank=True, help_text="Full text of the source document.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "slug"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="source_slug_unique")]

    def __str__(self):
        return self.file_name or self.title

    def get_absolute_url(self):
        return reverse("departments:source-detail", kwargs={"slug": self.slug})


class Sourced(models.Model):
    """Abstract: a fact that names the source it comes from and the excerpt it rests on."""

    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    excerpt = models.TextField(blank=True, help_text="The source's words this fact rests on.")

    class Meta:
        abstract = True


class Hospital(Sourced):
    name = models.CharField(
        max_length=200, blank=True, help_text="Blank where the source does not name the hospital."
    )
    slug = models.SlugField(max_length=80)
    short_name = models.CharField(max_length=40, blank=True)
    name_zh = models.CharField("Chinese name", max_length=120, blank=True)
    city = models.CharField(max_length=80, blank=True)
    city_zh_hans = chinese_version(city, "city")
    province = models.CharField(max_length=80, blank=True)
    province_zh_hans = chinese_version(province, "province")
    country = models.CharField(max_length=80, blank=True)
    country_zh_hans = chinese_version(country, "country")
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    beds = models.PositiveIntegerField(null=True, blank=True)
    nursing_units = models.PositiveIntegerField(null=True, blank=True)
    tumour_departments = models.PositiveIntegerField(
        "clinical and medical-technology departments in oncology", null=True, blank=True
    )
    tier = models.CharField(max_length=120, blank=True)
    tier_zh_hans = chinese_version(tier, "tier")
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    description_zh_hans = chinese_version(description, "description")
    location_source = models.CharField(
        max_length=200, blank=True, help_text="Where the name and city come from, if not the seed."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "slug"]
        indexes = [models.Index(fields=["name", "slug"], name="hospital_name_idx")]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="hospital_slug_unique"),
            models.CheckConstraint(
                name="hospital_founded_year_plausible",
                condition=Q(founded_year__isnull=True) | Q(founded_year__gte=1000),
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("portal:hospital-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.founded_year is not None and self.founded_year < 1000:
            raise ValidationError(
                {"founded_year": _("Give the founding year with four digits, e.g. 1955.")}
            )

    @property
    def display_name(self):
        if self.name:
            return self.name
        if self.founded_year:
            return _("A cancer hospital founded in %(year)s (name not stated in source)") % {
                "year": self.founded_year
            }
        return str(_("Hospital (name not stated in source)"))

    @property
    def location(self):
        return ", ".join(part for part in (self.city, self.province, self.country) if part)


class CancerType(models.Model):
    """A node of the specialty vocabulary tree (digestive → gastrointestinal → stomach)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    name_zh = models.CharField("Chinese name", max_length=60, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    icd10 = models.CharField("ICD-10 codes", max_length=80, blank=True)
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="cancertype_slug_unique"),
            models.UniqueConstraint(fields=["name"], name="cancertype_name_unique"),
            models.CheckConstraint(
                name="cancertype_not_own_parent", condition=~Q(parent=models.F("pk"))
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:cancertype-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("A cancer type cannot sit below itself.")})
            seen.add(node.pk)
            node = node.parent


class AliasKind(models.TextChoices):
    SYNONYM = "synonym", _("Synonym")
    ABBREVIATION = "abbreviation", _("Abbreviation")
    LAY = "lay", _("Lay term")
    SPELLING = "spelling", _("Spelling variant")
    CHINESE = "chinese", _("Chinese")
    SOURCE = "source", _("Source wording")


class Alias(models.Model):
    """Abstract: another way of saying a vocabulary term (the foreign key `term_field`)."""

    term_field = ""

    text = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=AliasKind, default=AliasKind.SYNONYM)
    normalised = models.CharField(max_length=120, editable=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["text"]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.normalised = normalise(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return getattr(self, self.term_field).get_absolute_url()

    def clean(self):
        """One alias, one term: the same words (once normalised) cannot name two terms."""
        super().clean()
        clash = (
            type(self)
            .objects.filter(normalised=normalise(self.text))
            .exclude(pk=self.pk)
            .select_related(self.term_field)
            .first()
        )
        if clash:
            term = getattr(clash, self.term_field)
            raise ValidationError(
                {"text": _("'%(t)s' already names %(term)s.") % {"t": self.text, "term": term}}
            )


class CancerTypeAlias(Alias):
    term_field = "cancer_type"
    cancer_type = models.ForeignKey(CancerType, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name_plural = "cancer type aliases"
        constraints = [
            models.UniqueConstraint(fields=["normalised"], name="cancertypealias_one_term"),
        ]


class Service(models.Model):
    """A therapy, modality or service (chemotherapy, CAR-T, NGS, genetic counselling…)."""

    class Category(models.TextChoices):
        SYSTEMIC = "systemic", _("Systemic therapy")
        RADIATION = "radiation", _("Radiotherapy")
        SURGERY = "surgery", _("Surgery and procedures")
        DIAGNOSTICS = "diagnostics", _("Diagnostics and screening")
        RESEARCH = "research", _("Research platform")
        CARE = "care", _("Care and support")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    name_zh = models.CharField("Chinese name", max_length=60, blank=True)
    category = models.CharField(max_length=16, choices=Category)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="service_slug_unique"),
            models.UniqueConstraint(fields=["name"], name="service_name_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:department-list") + f"?service={self.slug}"


class ServiceAlias(Alias):
    term_field = "service"
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name_plural = "service aliases"
        constraints = [
            models.UniqueConstraint(fields=["normalised"], name="servicealias_one_term"),
        ]


class Person(Sourced):
    name = models.CharField(max_length=120)
    honorific = models.CharField(max_length=20, blank=True, help_text="e.g. Prof.")
    role = models.CharField(max_length=200, blank=True)
    department = models.ForeignKey(
        "Department", null=True, blank=True, on_delete=models.CASCADE, related_name="people"
    )
    bio = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.honorific} {self.name}".strip()

    def get_absolute_url(self):
        return self.department.get_absolute_url() if self.department else "/"


class DepartmentQuerySet(models.QuerySet):
    def with_hospital(self):
        return self.select_related("hospital")

    def treating(self, cancer_types):
        """Departments linked to any of the given cancer types (a semi-join: no DISTINCT)."""
        links = DepartmentCancerType.objects.filter(
            department=models.OuterRef("pk"), cancer_type__in=cancer_types
        )
        return self.filter(models.Exists(links))

    def offering(self, services):
        """Departments offering any of the given services (a semi-join: no DISTINCT)."""
        links = DepartmentService.objects.filter(
            department=models.OuterRef("pk"), service__in=services
        )
        return self.filter(models.Exists(links))

    def stale(self, *, today=None):
        """Departments not verified within the last 12 months."""
        cutoff = stale_cutoff(today=today)
        return self.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))


STALE_AFTER = datetime.timedelta(days=365)
CURATE_PERMISSION = "departments.edit_all_departments"


def stale_cutoff(*, today=None):
    """Verified before this date means stale (not verified for 12 months)."""
    return (today or timezone.localdate()) - STALE_AFTER


class Department(Sourced):
    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medical oncology")
        RADIATION = "radiation", _("Radiation oncology")
        SURGICAL = "surgical", _("Surgical oncology")
        BREAST = "breast", _("Breast oncology")
        GENERAL = "general", _("General oncology")

    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(max_length=200)
    name_zh_hans = chinese_version(name, "name")
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=16, choices=Kind)
    founded_date = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="One or two sentences for lists.")
    summary_zh_hans = chinese_version(summary, "summary")
    description = models.TextField(blank=True)
    description_zh_hans = chinese_version(description, "description")
    mission = models.TextField(blank=True)
    mission_zh_hans = chinese_version(mission, "mission")
    goals = models.TextField(blank=True)
    goals_zh_hans = chinese_version(goals, "goals")
    leader = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    address_zh_hans = chinese_version(address, "address")
    website = models.URLField(blank=True)
    source_last_updated = models.DateField(
        null=True, blank=True, help_text="When the source page says it was last updated."
    )
    source_last_updated_text = models.CharField(max_length=60, blank=True)
    last_verified = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="DepartmentEditor",
        blank=True,
        related_name="edited_departments",
        help_text="Staff users who keep this department's record current in admin.",
    )

    objects = DepartmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "slug"]
        permissions = [
            ("edit_all_departments", "Can edit every department (curator)"),
        ]
        # The directory pages through departments by name; the index serves ORDER BY … LIMIT.
        indexes = [models.Index(fields=["name", "id"], name="department_name_idx")]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="department_slug_unique"),
            models.UniqueConstraint(
                fields=["hospital", "name"], name="department_name_unique_per_hospital"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("departments:department-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.founded_date and self.founded_date > timezone.localdate():
            raise ValidationError({"founded_date": _("A founded date cannot be in the future.")})

    @property
    def is_stale(self):
        """Not verified within the last 12 months (see `DepartmentQuerySet.stale`)."""
        return self.last_verified is None or self.last_verified < stale_cutoff()

    @property
    def last_updated_on(self):
        """The local date of the last change to this record (admin edits included)."""
        return timezone.localdate(self.updated_at) if self.updated_at else None


class DepartmentEditor(models.Model):
    """Grants one staff user the editor role for one department (and what belongs to it)."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="editor_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="department_editor_links",
        limit_choices_to={"is_active": True},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["department", "user"]
        constraints = [
            models.UniqueConstraint(fields=["department", "user"], name="departmenteditor_unique"),
        ]

    def __str__(self):
        return f"{self.user} edits {self.department}"

    def get_absolute_url(self):
        return self.department.get_absolute_url()


class DepartmentChild(Sourced):
    """Abstract: a row that belongs to one department (and is edited with it)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="%(class)ss")
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["department", "sort_order", "pk"]

    def get_absolute_url(self):
        return self.department.get_absolute_url()


class DepartmentCancerType(DepartmentChild):
    class Relation(models.TextChoices):
        PRIMARY_FOCUS = "primary_focus", _("Primary focus")
        TREATS = "treats", _("Treats")
        MDT = "mdt", _("Multidisciplinary team for")
        STRENGTH = "strength", _("Named strength")
        RESEARCH = "research", _("Research on")

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="cancer_type_links"
    )
    cancer_type = models.ForeignKey(
        CancerType, on_delete=models.PROTECT, related_name="department_links"
    )
    relation = models.CharField(max_length=16, choices=Relation, default=Relation.TREATS)
    wording = models.CharField(max_length=200, blank=True, help_text="The source's own wording.")

    class Meta(DepartmentChild.Meta):
        verbose_name = "cancer treated"
        verbose_name_plural = "cancers treated"
        # "Which departments treat these types, which state them as their focus": an index-only
        # scan from the type side (the directory filtered by a cancer type).
        indexes = [
            models.Index(
                fields=["cancer_type", "department", "relation"],
                name="dct_type_department_rel_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "cancer_type"], name="department_cancertype_unique"
            ),
        ]

    def __str__(self):
        return f"{self.department} — {self.cancer_type} ({self.get_relation_display()})"


class DepartmentService(DepartmentChild):
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="service_links"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="department_links")
    wording = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)
    detail_zh_hans = chinese_version(detail, "detail")

    class Meta(DepartmentChild.Meta):
        verbose_name = "service offered"
        verbose_name_plural = "services offered"
        constraints = [
            models.UniqueConstraint(
                fields=["department", "service"], name="department_service_unique"
            ),
        ]

    def __str__(self):
        return f"{self.department} — {self.service}"


class StaffCount(DepartmentChild, Quantity):
    role = models.CharField(max_length=120, help_text="e.g. 'chief physicians'.")
    role_zh_hans = chinese_version(role, "role")
    period_zh_hans = chinese_version(Quantity._meta.get_field("period"), "period")

    class Meta(DepartmentChild.Meta, Quantity.Meta):
        constraints = [
            *Quantity.Meta.constraints,
            models.UniqueConstraint(fields=["department", "role"], name="staffcount_role_unique"),
        ]

    def __str__(self):
        return f"{self.display} {self.role}"


class Designation(DepartmentChild):
    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        INSTITUTIONAL = "institutional", _("Institutional")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=300)
    name_zh_hans = chinese_version(name, "name")
    level = models.CharField(max_length=16, choices=Level, blank=True)
    awarded_by = models.CharField(max_length=200, blank=True)
    awarded_by_zh_hans = chinese_version(awarded_by, "awarded by")
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(DepartmentChild.Meta):
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="designation_name_unique"),
        ]

    def __str__(self):
        return self.name


class ResearchDirection(DepartmentChild):
    name = models.CharField(max_length=300)
    name_zh_hans = chinese_version(name, "name")
    kind = models.CharField(
        max_length=20,
        choices=[("clinical", "Clinical"), ("basic", "Basic"), ("translational", "Translational")],
        blank=True,
    )

    class Meta(DepartmentChild.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="researchdirection_name_unique"
            ),
        ]

    def __str__(self):
        return self.name


class Programme(DepartmentChild):
    name = models.CharField(max_length=200)
    name_zh_hans = chinese_version(name, "name")
    description = models.TextField(blank=True)
    description_zh_hans = chinese_version(description, "description")
    started_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(DepartmentChild.Meta):
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="programme_name_unique"),
        ]

    def __str__(self):
        return self.name


class OptionalQuantity(Quantity):
    """Abstract: like Quantity, but the figure may be absent altogether (no qualifier)."""

    qualifier = models.CharField(
        max_length=16, choices=Quantity._meta.get_field("qualifier").choices, blank=True
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_quantity_coherent",
                condition=Quantity.Meta.constraints[0].condition
                | Q(qualifier="", value__isnull=True, value_max__isnull=True),
            ),
        ]

    @property
    def display(self):
        return super().display if self.qualifier else ""

    def clean(self):
        if self.qualifier:
            super().clean()
        elif self.value is not None or self.value_max is not None:
            raise ValidationError({"qualifier": _("Choose how the figure is qualified.")})


class EducationActivity(DepartmentChild, OptionalQuantity):
    class Kind(models.TextChoices):
        TRAINING_BASE = "training_base", _("Training base")
        TEACHING = "teaching", _("Teaching")
        COURSE = "course", _("Course or continuing education")
        CONFERENCE = "conference", _("Conference or forum")
        PATIENT_EDUCATION = "patient_education", _("Patient education and communication")
        GRADUATES = "graduates", _("Students trained")

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="education_activities"
    )
    name = models.CharField(max_length=300)
    name_zh_hans = chinese_version(name, "name")
    kind = models.CharField(max_length=20, choices=Kind)
    description = models.TextField(blank=True)
    description_zh_hans = chinese_version(description, "description")

    class Meta(DepartmentChild.Meta, OptionalQuantity.Meta):
        verbose_name_plural = "education activities"
        constraints = [
            *OptionalQuantity.Meta.constraints,
            models.UniqueConstraint(
                fields=["department", "name"], name="educationactivity_name_unique"
            ),
        ]

    def __str__(self):
        return self.name


class Award(DepartmentChild, OptionalQuantity):
    name = models.CharField(max_length=300)
    level = models.CharField(max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(DepartmentChild.Meta, OptionalQuantity.Meta):
        constraints = [
            *OptionalQuantity.Meta.constraints,
            models.UniqueConstraint(fields=["department", "name"], name="award_name_unique"),
        ]

    def __str__(self):
        return self.name


class AnnualStatistic(DepartmentChild, Quantity):
    metric = models.CharField(max_length=200, help_text="e.g. 'cancer outpatients'.")
    metric_zh_hans = chinese_version(metric, "metric")
    period_zh_hans = chinese_version(Quantity._meta.get_field("period"), "period")

    class Meta(DepartmentChild.Meta, Quantity.Meta):
        constraints = [
            *Quantity.Meta.constraints,
            models.UniqueConstraint(
                fields=["department", "metric"], name="annualstatistic_metric_unique"
            ),
        ]

    def __str__(self):
        return f"{self.display} {self.metric}"


class FundingAward(DepartmentChild, OptionalQuantity):
    """Projects funded by one funder's programme (quantity = number of projects, if stated)."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial / ministerial")
        INSTITUTIONAL = "institutional", _("Institutional")
        UNSTATED = "unstated", _("Not stated")

    funder = models.CharField(max_length=200, blank=True)
    programme = models.CharField(max_length=200)
    level = models.CharField(max_length=16, choices=Level, default=Level.UNSTATED)

    class Meta(DepartmentChild.Meta, OptionalQuantity.Meta):
        constraints = [
            *OptionalQuantity.Meta.constraints,
            models.UniqueConstraint(
                fields=["department", "funder", "programme"], name="fundingaward_unique"
            ),
        ]

    def __str__(self):
        return f"{self.display} {self.programme}".strip()


class ResearchOutput(DepartmentChild, OptionalQuantity):
    """Counts of publications, books, guidelines and patents — or one named output."""

    class Kind(models.TextChoices):
        SCI_ARTICLE = "sci_article", _("SCI-indexed articles")
        PAPER = "paper", _("Peer-reviewed papers")
        MONOGRAPH = "monograph", _("Monographs")
        BOOK = "book", _("Books")
        GUIDELINE = "guideline", _("Clinical guidelines and consensus statements")
        PATENT = "patent", _("Invention patents")

    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        EDITOR = "editor", _("Editor")
        DEPUTY_EDITOR = "deputy_editor", _("Deputy editor")
        CONTRIBUTOR = "contributor", _("Contributor / participant")
        HOLDER = "holder", _("Holder")

    kind = models.CharField(max_length=16, choices=Kind)
    role = models.CharField(max_length=16, choices=Role, default=Role.AUTHOR)
    title = models.CharField(max_length=300, blank=True, help_text="For one named output.")
    publisher = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="outputs"
    )

    class Meta(DepartmentChild.Meta, OptionalQuantity.Meta):
        constraints = [
            *OptionalQuantity.Meta.constraints,
            models.CheckConstraint(
                name="researchoutput_count_or_title",
                condition=~Q(qualifier="") | ~Q(title=""),
            ),
        ]

    def __str__(self):
        if self.title:
            return self.title
        return f"{self.display} {self.get_kind_display().lower()}"

    def clean(self):
        super().clean()
        if not self.qualifier and not self.title:
            raise ValidationError(
                {"title": _("Give either a count (qualifier and value) or a title.")}
            )
