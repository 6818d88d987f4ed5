"""sitemap.xml: every public detail page (departments, hospitals, cancer types, trials, sources)
and the list pages, for search engines (Django's sitemaps framework).

``/sitemap.xml`` is Django's sitemap index; each section is ``/sitemap-<section>.xml`` (written
by ``section`` below from the same Sitemap classes) and pages itself (``?p=2``…) at 50,000
URLs, the protocol's limit, so 50,000 departments and 200,000 trials are a handful of files.
Each file reads only the columns it needs (slug, and the department's ``updated_at`` for
``lastmod``) one page at a time in primary-key order, and the index costs one
COUNT per section: the queries do not grow with the directory.

Where the site serves more than one language (``settings.LANGUAGES`` set, ``/zh-hans/``), each
language gets its own sections (``departments-zh-hans``…), lazily paged like the English ones
(Django's own ``i18n`` mode would load every row to pair it with each language).
"""

from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from departments.models import CancerType, Department, Hospital, Source
from trials.models import Trial

# Stands for the slug in a URL reversed once per file (a slug itself, so every converter takes it).
PLACEHOLDER = "slug-placeholder-0"


class LanguageSitemap(Sitemap):
    """A section's URLs in one language (None: the default, unprefixed).

    Besides Django's Sitemap API (items, location, lastmod: the index uses it), each section
    has ``entries(items)``, which the section view uses: (path, lastmod) for one page of
    items, reversing the URL once for the page instead of once per item.
    """

    def __init__(self, language=None):
        self.language = language

    def _location(self, item, force_lang_code=None):
        with translation.override(self.language or settings.LANGUAGE_CODE):
            return super()._location(item, force_lang_code)

    def entries(self, items):
        with translation.override(self.language or settings.LANGUAGE_CODE):
            return [(self.location(item), None) for item in items]


class ListPagesSitemap(LanguageSitemap):
    """The list pages: home, the directory, hospitals, cancer types, trials."""

    changefreq = "daily"
    priority = 0.8
    names = (
        "portal:home",
        "portal:department-list",
        "departments:hospital-list",
        "departments:cancertype-list",
        "trials:trial-list",
    )

    def items(self):
        return list(self.names)

    def location(self, item):
        return reverse(item)


class RecordSitemap(LanguageSitemap):
    """Detail pages of one model: (slug[, lastmod]) rows, in primary-key order (its index)."""

    model = None
    url_name = ""
    lastmod_field = None

    def items(self):
        fields = ["slug", *([self.lastmod_field] if self.lastmod_field else [])]
        return self.model.objects.order_by("pk").values_list(*fields)

    def url_pattern(self):
        with translation.override(self.language or settings.LANGUAGE_CODE):
            return reverse(self.url_name, kwargs={"slug": PLACEHOLDER})

    def location(self, item):
        return self.url_pattern().replace(PLACEHOLDER, item[0])

    def entries(self, items):
        pattern = self.url_pattern()
        if self.lastmod_field:
            return [
                (pattern.replace(PLACEHOLDER, slug), timezone.localdate(changed))
                for slug, changed in items
            ]
        return [(pattern.replace(PLACEHOLDER, slug), None) for (slug,) in items]


class DepartmentSitemap(RecordSitemap):
    model = Department
    url_name = "departments:department-detail"
    lastmod_field = "updated_at"
    priority = 0.7

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        """One aggregate (Django's default would load every department for the index)."""
        return Department.objects.aggregate(latest=Max("updated_at"))["latest"]


class HospitalSitemap(RecordSitemap):
    model = Hospital
    url_name = "portal:hospital-detail"


class CancerTypeSitemap(RecordSitemap):
    model = CancerType
    url_name = "portal:cancertype-detail"


class TrialSitemap(RecordSitemap):
    model = Trial
    url_name = "trials:trial-detail"


class SourceSitemap(RecordSitemap):
    model = Source
    url_name = "departments:source-detail"
    priority = 0.3


SECTIONS = {
    "pages": ListPagesSitemap,
    "departments": DepartmentSitemap,
    "hospitals": HospitalSitemap,
    "cancer-types": CancerTypeSitemap,
    "trials": TrialSitemap,
    "sources": SourceSitemap,
}


def languages():
    """The site's languages when it names them (settings.LANGUAGES), else just the default."""
    if settings.is_overridden("LANGUAGES"):
        return [code for code, _name in settings.LANGUAGES]
    return [settings.LANGUAGE_CODE]


def sitemaps():
    """{section: Sitemap}, the default language's sections first, then each other language's
    (``departments-zh-hans``)."""
    result = {}
    default = settings.LANGUAGE_CODE
    for language in sorted(languages(), key=lambda code: code != default):
        suffix = "" if language == default else f"-{language}"
        for name, sitemap_class in SECTIONS.items():
            result[f"{name}{suffix}"] = sitemap_class(None if language == default else language)
    return result


@x_robots_tag
def section(request, sitemaps, section):
    """One page (``?p=``) of one section, as sitemap XML.

    Django's ``sitemap`` view renders each URL through a template and reverses each URL: about
    a quarter of a second per 1,000 URLs. This writes the same XML directly (a 50,000-URL file
    in well under a second) from the same Sitemap classes and paginator; an unknown section or
    page answers 404.
    """
    sitemap = sitemaps.get(section)
    if sitemap is None:
        raise Http404(f"No sitemap section {section!r}.")
    try:
        page = sitemap.paginator.page(request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page of this sitemap.") from error
    root = f"{request.scheme}://{request.get_host()}"
    # Static per section here (Django's API also allows a method per item; these use none).
    priority = getattr(sitemap, "priority", None)
    changefreq = getattr(sitemap, "changefreq", None)
    priority = f"<priority>{priority}</priority>" if priority else ""
    changefreq = f"<changefreq>{changefreq}</changefreq>" if changefreq else ""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    for path, lastmod in sitemap.entries(page.object_list):
        modified = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        parts.append(f"<url><loc>{escape(root + path)}</loc>{modified}{changefreq}{priority}</url>")
    parts.append("\n</urlset>\n")
    return HttpResponse("".join(parts), content_type="application/xml")
