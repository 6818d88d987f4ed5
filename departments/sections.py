"""The sections of a department: each declared once, here or by the app that owns its model.

The fixture loader, the import/export resources, the department page (prefetching, sources,
"On this page", rendering), the admin inlines and the editor permissions all read this
registry. The departments app registers its own sections below; another app registers its own
from its `AppConfig.ready()`, so this app never names it.

Adding a section: one `register(Section(...))`, the model and its migrations (a data migration
gives the "Department editor" group its permissions: tests compare them with this registry),
and a row template `templates/departments/sections/<key>.html`, which renders one `item`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .filters import primary_focus_first
from .models import (
    AnnualStatistic,
    Award,
    CancerType,
    DepartmentCancerType,
    DepartmentService,
    Designation,
    EducationActivity,
    FundingAward,
    Person,
    Programme,
    ResearchDirection,
    ResearchOutput,
    Service,
    StaffCount,
)


@dataclass(frozen=True)
class Section:
    """One section of a department: its rows, where they come from and how they show.

    A section either holds rows of `model` (reached as `department.<related_name>`) or, without
    a model, shows the department itself (`rows` says when). Sections that share an `anchor`
    share one frame on the page, headed by their common `title`; `heading` is a part's <h3>.
    """

    key: str  # one name everywhere: the department files' key, the template's name
    title: str  # the page's <h2> and its "On this page" entry
    order: int  # display order on the page and in admin
    anchor: str = ""  # the page's id (a public URL fragment); defaults to `key`
    heading: str = ""
    layout: str = "list"  # "list", "cards" or "block" (the row template writes its own markup)
    template: str = ""  # defaults to departments/sections/<key>.html
    rows: Callable[[Any], list] | None = None  # which rows show (default: all of them)
    # Facts a reader finds each row by on the page (attribute paths; tests check them).
    facts: tuple[str, ...] = ()
    # Rows of a model that belongs to a department --------------------------------------------
    model: Any = None
    related_name: str = ""
    natural_key: tuple[str, ...] = ()  # the loader's and the import's match, with "department"
    vocabulary: dict[str, Any] = field(default_factory=dict)  # file key -> model, by slug
    many: dict[str, Any] = field(default_factory=dict)  # many-to-many file key -> model, by slug
    in_fixtures: bool = True  # rows are loaded from the department files under `key`
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    ordering: tuple[Any, ...] = ()  # page order when it is not the model's
    inline: str = ""  # dotted path of the admin inline on the department's change page
    editor_owned: bool = True  # department editors add, change, delete and view its rows
    # A section that can grow without bound shows its first `limit` rows (by `ordering`) and
    # links to the full list: `more(department)` gives (url, link text).
    limit: int | None = None
    more: Callable[[Any], tuple[str, str]] | None = None

    def __post_init__(self):
        if not self.anchor:
            object.__setattr__(self, "anchor", self.key)
        if not self.template:
            object.__setattr__(self, "template", f"departments/sections/{self.key}.html")

    def prefetch(self):
        """The department page's Prefetch for this section's rows (with their sources)."""
        queryset = self.model.objects.select_related("source", *self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.ordering:
            queryset = queryset.order_by(*self.ordering)
        if self.limit is not None:
            # One row more than shown tells the page to link to the rest.
            return Prefetch(
                self.related_name, queryset=queryset[: self.limit + 1], to_attr=self.first_rows
            )
        return Prefetch(self.related_name, queryset=queryset)

    @property
    def first_rows(self):
        """Where a limited section's prefetched first rows are kept on the department."""
        return f"first_{self.related_name}"

    def shown_rows(self, department):
        """The rows this section shows for `department` (none: the section is not shown)."""
        if self.rows is not None:
            return list(self.rows(department))
        if self.limit is not None and hasattr(department, self.first_rows):
            return list(getattr(department, self.first_rows))
        return list(getattr(department, self.related_name).all())

    def inline_class(self):
        return import_string(self.inline)

    def fact_texts(self, row):
        texts = []
        for path in self.facts:
            value = row
            for name in path.split("."):
                value = getattr(value, name)
            texts.append(str(value) if value else "")
        return texts


_REGISTRY: dict[str, Section] = {}


def register(section):
    """Add a section; sections that share an anchor must share a title."""
    if section.key in _REGISTRY:
        raise ValueError(f"section {section.key!r} is already registered")
    for other in _REGISTRY.values():
        if other.anchor == section.anchor and other.title != section.title:
            raise ValueError(f"sections {other.key!r} and {section.key!r} share an anchor")
    _REGISTRY[section.key] = section
    return section


def sections():
    """Every registered section, in display order."""
    return sorted(_REGISTRY.values(), key=lambda section: section.order)


def model_sections():
    """The sections that hold rows of a department-owned model, in display order."""
    return [section for section in sections() if section.model is not None]


def section_for(model):
    """The section that holds rows of `model`."""
    return {section.model: section for section in model_sections()}[model]


@dataclass
class Frame:
    """One <section> of the department page: an anchor, a title and its parts' rows."""

    anchor: str
    title: str
    parts: list = field(default_factory=list)  # (section, rows) pairs with rows


def page_frames(department):
    """The frames the department's page shows, in order (a frame with no rows is left out)."""
    frames = []
    for section in sections():
        if not frames or frames[-1].anchor != section.anchor:
            frames.append(Frame(section.anchor, section.title))
        rows = section.shown_rows(department)
        more = None
        if section.limit is not None and len(rows) > section.limit:
            rows, more = rows[: section.limit], section.more(department)
        if rows:
            frames[-1].parts.append((section, rows, more))
    return [frame for frame in frames if frame.parts]


# -- the departments app's sections -------------------------------------------------------------
def _own_fields(*names):
    """Rows for a section showing the department's own fields: the department, if any is set."""
    return lambda department: [department] if any(getattr(department, n) for n in names) else []


def _leader(department):
    return [department.leader] if department.leader else []


def _people(department):
    return [p for p in department.people.all() if p.pk != department.leader_id]


for _section in [
    Section(
        key="contact",
        title=_("Contact"),
        order=10,
        layout="block",
        rows=_own_fields("phone", "email", "address", "website"),
        facts=("phone", "email", "address", "website"),
    ),
    Section(
        key="cancer_types",
        title=_("Cancers treated"),
        anchor="cancers",
        order=20,
        facts=("cancer_type.name", "wording"),
        model=DepartmentCancerType,
        related_name="cancer_type_links",
        natural_key=("department", "cancer_type"),
        vocabulary={"cancer_type": CancerType},
        select_related=("cancer_type",),
        ordering=(primary_focus_first(), "sort_order", "pk"),
        inline="departments.admin.CancerTypeLinkInline",
    ),
    Section(
        key="services",
        title=_("Therapies and services"),
        order=30,
        facts=("service.name",),
        model=DepartmentService,
        related_name="service_links",
        natural_key=("department", "service"),
        vocabulary={"service": Service},
        select_related=("service",),
        inline="departments.admin.ServiceLinkInline",
    ),
    Section(
        key="leader",
        title=_("Team"),
        anchor="team",
        heading=_("Leader"),
        order=50,
        layout="block",
        rows=_leader,
        facts=("name",),
    ),
    Section(
        key="people",
        title=_("Team"),
        anchor="team",
        heading=_("People"),
        order=51,
        rows=_people,
        facts=("name",),
        model=Person,
        related_name="people",
        natural_key=("department", "name"),
        in_fixtures=False,  # a department file names its leader; outputs name people
        inline="departments.admin.PersonInline",
    ),
    Section(
        key="staff",
        title=_("Team"),
        anchor="team",
        heading=_("Staff by role"),
        order=52,
        facts=("role", "display"),
        model=StaffCount,
        related_name="staffcounts",
        natural_key=("department", "role"),
        inline="departments.admin.StaffCountInline",
    ),
    Section(
        key="designations",
        title=_("Designations"),
        order=60,
        facts=("name",),
        model=Designation,
        related_name="designations",
        natural_key=("department", "name"),
        inline="departments.admin.DesignationInline",
    ),
    Section(
        key="statistics",
        title=_("Annual statistics"),
        order=70,
        facts=("metric", "display"),
        model=AnnualStatistic,
        related_name="annualstatistics",
        natural_key=("department", "metric"),
        inline="departments.admin.StatisticInline",
    ),
    Section(
        key="research_directions",
        title=_("Research directions"),
        anchor="research",
        order=80,
        facts=("name",),
        model=ResearchDirection,
        related_name="researchdirections",
        natural_key=("department", "name"),
        inline="departments.admin.ResearchDirectionInline",
    ),
    Section(
        key="funding",
        title=_("Research funding"),
        order=90,
        facts=("programme", "funder", "display"),
        model=FundingAward,
        related_name="fundingawards",
        natural_key=("department", "funder", "programme"),
        inline="departments.admin.FundingInline",
    ),
    Section(
        key="outputs",
        title=_("Publications and other outputs"),
        order=100,
        facts=("title", "display"),
        model=ResearchOutput,
        related_name="researchoutputs",
        natural_key=("department", "kind", "role", "title", "period"),
        select_related=("person",),
        inline="departments.admin.OutputInline",
    ),
    Section(
        key="programmes",
        title=_("Programmes"),
        order=110,
        facts=("name",),
        model=Programme,
        related_name="programmes",
        natural_key=("department", "name"),
        inline="departments.admin.ProgrammeInline",
    ),
    Section(
        key="education",
        title=_("Education and training"),
        order=120,
        facts=("name", "display"),
        model=EducationActivity,
        related_name="education_activities",
        natural_key=("department", "name"),
        inline="departments.admin.EducationInline",
    ),
    Section(
        key="awards",
        title=_("Awards"),
        order=130,
        facts=("name", "display"),
        model=Award,
        related_name="awards",
        natural_key=("department", "name"),
        inline="departments.admin.AwardInline",
    ),
    Section(
        key="about",
        title=_("About the department"),
        order=140,
        layout="block",
        rows=_own_fields("description", "mission", "goals"),
        facts=("mission", "goals"),
    ),
]:
    register(_section)
