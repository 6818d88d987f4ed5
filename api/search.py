"""`/api/v1/search?q=`: the search page's own steps (oncology_portal.search.search), as data:
what the query was understood as, the ranked departments with the reason each matched, and
the trials — the same resolution, ranking and reasons as /search/."""

from django.urls import reverse
from rest_framework import serializers

from oncology_portal.search import PER_PAGE

MAX_SEARCH_PAGE_SIZE = 100


class TermSerializer(serializers.Serializer):
    """A vocabulary term the query resolved to (or might have meant)."""

    kind = serializers.ChoiceField(choices=["cancer_type", "service"], read_only=True)
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PlaceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["city", "province", "hospital"], read_only=True)
    name = serializers.CharField(read_only=True)
    name_zh = serializers.CharField(read_only=True)
    typed = serializers.CharField(read_only=True, help_text="As written in the query.")
    slug = serializers.CharField(read_only=True, help_text="A hospital's slug; empty otherwise.")


class DrugSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    typed = serializers.CharField(read_only=True, help_text="The name it was written as.")


class UnderstoodSerializer(serializers.Serializer):
    cancer_type = TermSerializer(read_only=True, allow_null=True)
    service = TermSerializer(read_only=True, allow_null=True)
    closest_match = serializers.BooleanField(
        read_only=True, help_text="Resolved by typo-tolerant matching (“closest match”)."
    )
    qualifiers = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Stage or setting words set aside."
    )
    ignored = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Words not understood."
    )
    alternatives = TermSerializer(many=True, read_only=True, help_text="Did you mean …?")
    see_also = TermSerializer(many=True, read_only=True)
    places = PlaceSerializer(
        many=True, read_only=True, help_text="Cities, provinces and hospitals named: they filter."
    )
    drugs = DrugSerializer(many=True, read_only=True, help_text="Drugs named, by any name.")


class HospitalBriefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)


class DepartmentHitSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    hospital = HospitalBriefSerializer(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True, help_text="Why it matched, as the page says.")
    url = serializers.URLField(read_only=True)
    api_url = serializers.URLField(read_only=True)


class SiteBriefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class TrialHitSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    registry_id = serializers.CharField(read_only=True, allow_null=True)
    phase = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    departments = SiteBriefSerializer(many=True, read_only=True)
    url = serializers.URLField(read_only=True)
    api_url = serializers.URLField(read_only=True)


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField(read_only=True, help_text="The query as used (200 characters).")
    truncated = serializers.BooleanField(read_only=True)
    mode = serializers.ChoiceField(
        choices=["empty", "cancer_type", "service", "drug", "place", "text"],
        read_only=True,
        help_text=(
            "What the departments were found by: a cancer type, a therapy, a drug, a place or "
            "hospital alone, or free text."
        ),
    )
    understood_as = UnderstoodSerializer(read_only=True)
    department_count = serializers.IntegerField(read_only=True)
    page = serializers.IntegerField(read_only=True)
    pages = serializers.IntegerField(read_only=True)
    next = serializers.URLField(read_only=True, allow_null=True)
    previous = serializers.URLField(read_only=True, allow_null=True)
    departments = DepartmentHitSerializer(many=True, read_only=True)
    trial_count = serializers.IntegerField(read_only=True)
    trials = TrialHitSerializer(many=True, read_only=True)
    trial_list_url = serializers.URLField(
        read_only=True,
        allow_null=True,
        help_text="Every trial for the cancer type (or a narrower one) or the drug asked for: "
        "the trial list, filtered (null when a place narrows the search or no such list exists).",
    )
    suggestions = TermSerializer(
        many=True, read_only=True, help_text="Nearest terms when nothing matched."
    )


def _term(term):
    if term is None:
        return None
    return {"kind": term.kind, "slug": term.slug, "name": term.name}


def _page_url(request, number):
    query = request.query_params.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def search_payload(request, results):
    """The search results as data (what templates/portal/search.html shows)."""
    resolution = results.resolution
    page = results.page_obj

    def absolute(url):
        return request.build_absolute_uri(url)

    departments = []
    for hit in page.object_list:
        hospital = hit.department.hospital if hit.department is not None else None
        departments.append(
            {
                "slug": hit.slug,
                "name": hit.name,
                "hospital": {
                    "slug": hospital.slug,
                    "display_name": hospital.display_name,
                    "city": hospital.city,
                }
                if hospital is not None
                else None,
                "reason": hit.reason,
                "url": absolute(reverse("departments:department-detail", args=[hit.slug])),
                "api_url": absolute(reverse("api:department-detail", args=[hit.slug])),
            }
        )
    trials = [
        {
            "slug": hit.trial.slug,
            "name": hit.trial.name,
            "registry_id": hit.trial.registry_id or None,
            "phase": hit.trial.phase,
            "status": hit.trial.status,
            "reason": hit.reason,
            "departments": [{"name": name, "slug": slug} for name, slug in hit.departments],
            "url": absolute(hit.trial.get_absolute_url()),
            "api_url": absolute(reverse("api:trial-detail", args=[hit.trial.slug])),
        }
        for hit in results.trials
    ]
    paginator = page.paginator
    return {
        "query": results.query,
        "truncated": resolution.truncated,
        "mode": results.mode,
        "understood_as": {
            "cancer_type": _term(resolution.cancer_type),
            "service": _term(resolution.service),
            "closest_match": resolution.is_fuzzy,
            "qualifiers": list(resolution.qualifiers),
            "ignored": list(resolution.ignored),
            "alternatives": [_term(t) for t in resolution.alternatives],
            "see_also": [_term(t) for t in resolution.see_also],
            "places": [
                {
                    "kind": place.kind,
                    "name": place.name,
                    "name_zh": place.name_zh,
                    "typed": place.typed,
                    "slug": place.slug,
                }
                for place in results.places.places
            ],
            "drugs": [
                {"slug": drug.slug, "name": drug.name, "typed": drug.typed}
                for drug in results.drugs
            ],
        },
        "department_count": results.department_count,
        "page": page.number,
        "pages": paginator.num_pages,
        "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
        "previous": (
            _page_url(request, page.previous_page_number()) if page.has_previous() else None
        ),
        "departments": departments,
        "trial_count": results.trial_count,
        "trials": trials,
        "trial_list_url": absolute(results.trial_list_url) if results.trial_list_url else None,
        "suggestions": [_term(t) for t in results.suggestions],
    }


__all__ = ["MAX_SEARCH_PAGE_SIZE", "PER_PAGE", "SearchResultSerializer", "search_payload"]
