"""`/compare/?d=<slug>&d=<slug>[&d=<slug>]`: up to three departments side by side.

A referrer ticks departments in the directory or in search results (a plain GET form, no
JavaScript) and gets one shareable URL. What each row shows, how its rows are fetched and how one
fact renders all come from the sections registry (`departments.sections`): this module only
chooses which sections to compare and in what order, so the comparison cannot drift from the
department page. Trial sections are registered by the trials app, which is why this page lives in
the site layer.

The query count is constant: one query finds the requested departments, then one per compared
section's prefetch, whatever the number of departments compared (tests/test_compare.py).
"""

from dataclasses import dataclass, field

from django.core.validators import slug_re
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from departments.models import Department
from departments.sections import Section, sections

MAX_COMPARED = 3
# Distinct slugs looked up at most: a longer list is cut here (and said so), so a crafted URL
# with thousands of `d` parameters costs no more than a normal one.
MAX_LOOKED_UP = 12
SLUG_MAX_LENGTH = Department._meta.get_field("slug").max_length

# The sections compared, by registry key (display order is the registry's).
COMPARED_SECTIONS = (
    "cancer_types",
    "services",
    "trial_activity",
    "trial_sites",
    "designations",
    "staff",
    "statistics",
    "funding",
    "outputs",
    "contact",
)
# Row labels where the section's own heading would read oddly out of its frame.
ROW_LABELS = {
    "trial_activity": _("Trial activity"),
    "trial_sites": _("Named trials"),
    "staff": _("Team size"),
}
# A compact row template where the page's own renders a card with its own headings (a card's
# <h4> has no place in a table cell).
ROW_TEMPLATES = {"trial_sites": "includes/compare_trial_site.html"}


def compared_sections():
    """The registered sections the comparison shows, in the department page's order."""
    return [section for section in sections() if section.key in COMPARED_SECTIONS]


@dataclass
class Cell:
    department: Department
    rows: list
    more: tuple[str, str] | None = None


@dataclass
class Row:
    """One row of the table: a section, and its rows for each compared department."""

    section: Section
    label: str
    template: str
    layout: str
    cells: list = field(default_factory=list)

    @property
    def key(self):
        return self.section.key


def _cell(section, department):
    """The rows `section` shows for `department`, cut at the section's limit as the page does."""
    rows = section.shown_rows(department)
    more = None
    if section.limit is not None and len(rows) > section.limit:
        rows, more = rows[: section.limit], section.more(department)
    return Cell(department, rows, more)


def comparison_rows(departments):
    """The table's rows, one per compared section, each whether stated or not: the same shape
    for every comparison, and "not stated" is worth knowing when weighing departments."""
    return [
        Row(
            section=section,
            label=ROW_LABELS.get(section.key) or section.heading or section.title,
            template=ROW_TEMPLATES.get(section.key, section.template),
            layout="block" if section.layout == "block" else "list",
            cells=[_cell(section, department) for department in departments],
        )
        for section in compared_sections()
    ]


@dataclass
class Asked:
    """What `d=…` asked for, read forgivingly: duplicates collapse, bad slugs are named."""

    wanted: list  # distinct well-formed slugs, in the order given
    malformed: list  # values that cannot be a department's address, as given (shortened)
    cut: int = 0  # distinct values beyond MAX_LOOKED_UP, not looked at

    @classmethod
    def parse(cls, values):
        wanted, malformed, seen = [], [], set()
        cut = 0
        for raw in values:
            value = raw.strip().lower()
            if not value or value in seen:
                continue
            seen.add(value)
            if len(wanted) + len(malformed) >= MAX_LOOKED_UP:
                cut += 1
                continue
            if len(value) <= SLUG_MAX_LENGTH and slug_re.fullmatch(value):
                wanted.append(value)
            else:
                malformed.append(raw.strip()[:60] + ("…" if len(raw.strip()) > 60 else ""))
        return cls(wanted, malformed, cut)


def compare_url(slugs):
    """The comparison's shareable URL for these department slugs (in the active language)."""
    url = reverse("portal:compare")
    return f"{url}?{urlencode([('d', slug) for slug in slugs])}" if slugs else url


def compared_departments(slugs):
    """The departments with these slugs, in the order given (one query; unknown ones absent)."""
    found = {
        department.slug: department
        for department in Department.objects.select_related("hospital", "source").filter(
            slug__in=slugs
        )
    }
    return [found[slug] for slug in slugs if slug in found]


class CompareView(TemplateView):
    """Up to three departments side by side, each fact with its source a click away.

    No `d` at all: a page saying how to compare (200). Some `d` but none names a department: the
    same help with the unknown addresses named, as 404, like any missing department's page.
    Unknown or surplus slugs beside valid ones: the valid ones are compared and a notice names
    the rest.
    """

    template_name = "portal/compare.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        status = 404 if context["asked"] and not context["departments"] else 200
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asked = Asked.parse(self.request.GET.getlist("d"))
        found = compared_departments(asked.wanted)
        found_slugs = {department.slug for department in found}
        unknown = [slug for slug in asked.wanted if slug not in found_slugs] + asked.malformed
        departments, left_out = found[:MAX_COMPARED], found[MAX_COMPARED:]
        prefetch_related_objects(
            departments,
            *(section.prefetch() for section in compared_sections() if section.model is not None),
        )
        shown_slugs = [department.slug for department in departments]
        for department in departments:
            department.remove_url = compare_url([s for s in shown_slugs if s != department.slug])
        context.update(
            asked=bool(asked.wanted or asked.malformed),
            departments=departments,
            rows=comparison_rows(departments),
            unknown=unknown,
            left_out=left_out,
            cut=asked.cut,
            max_compared=MAX_COMPARED,
            share_url=compare_url(shown_slugs),
        )
        return context
