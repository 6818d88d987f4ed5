"""Rank departments and trials for a resolved query, with one-line reasons; fall back to text.

Every step runs a fixed number of set-based queries (no query per department or trial), so the
search page's query count does not grow with the data.
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q

from departments.models import (
    Department,
    DepartmentCancerType,
    DepartmentService,
    ResearchDirection,
)
from departments.quantities import render_quantity
from departments.search.resolve import Resolution, resolve, suggest
from departments.search.text import STOP_WORDS, has_cjk, tokenise
from departments.search.vocabulary import get_vocabulary, inline
from trials.models import Trial, TrialActivity, TrialSite

PER_PAGE = 20
MAX_TRIALS = 50

# Bands, best first.
FOCUS = 1  # states its focus is exactly the type
LISTS = 2  # lists the type itself
BROADER = 3  # lists a broader type that includes it
NARROWER = 4  # lists a narrower type, a kind of it
TRIALS_ONLY = 5  # runs trials for the type (or a relative) without listing it
SERVICE_ONLY = 6  # offers the asked-for service and lists no cancer types at all

RELATION_RANK = {"primary_focus": 0, "treats": 1, "mdt": 1, "strength": 1, "research": 2}
RELATION_SUFFIX = {
    "mdt": " (multidisciplinary team)",
    "strength": " among its strengths",
    "research": " as a research focus",
}
KIND_FOR_CATEGORY = {"radiation": "radiation", "surgery": "surgical"}


@dataclass
class DepartmentHit:
    id: int
    name: str
    slug: str
    band: int
    reason: str
    sort_key: tuple = ()
    department: Department | None = None


@dataclass
class TrialHit:
    trial: object
    reason: str
    departments: list = field(default_factory=list)  # (name, slug) of the sites


@dataclass
class SearchResults:
    resolution: Resolution
    mode: str = "empty"  # empty | cancer_type | service | text
    hits: list = field(default_factory=list)
    page_obj: object = None
    trials: list = field(default_factory=list)
    trial_count: int = 0
    suggestions: tuple = ()

    @property
    def query(self):
        return self.resolution.query

    @property
    def has_results(self):
        return bool(self.hits or self.trials)

    @property
    def department_count(self):
        return len(self.hits)


def _join(items):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _listing(names, limit=3):
    names = list(names)
    if len(names) > limit:
        return _join([*names[:limit], f"{len(names) - limit} more"])
    return _join(names)


def _plural(name):
    last = name.split()[-1] if name else ""
    return last.endswith("s") and not last.endswith(("sis", "ss"))


def _lower_first(text):
    return text[:1].lower() + text[1:]


def _sentence(parts):
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]


# --- cancer types -----------------------------------------------------------------------------


def rank_for_cancer_type(vocab, type_id, service_ids=()):
    """(ranked DepartmentHits, trial rows) for a cancer type, optionally lifted by a service."""

    term = vocab.cancer_type(type_id)
    ancestors = vocab.ancestors.get(type_id, ())
    descendants = vocab.descendants.get(type_id, ())
    depth = len(ancestors)
    distance = {type_id: 0}
    distance.update({a: n + 1 for n, a in enumerate(ancestors)})
    distance.update({d: len(vocab.ancestors.get(d, ())) - depth for d in descendants})
    ids = set(distance)

    def name_of(cid):
        other = vocab.cancer_type(cid)
        return other.inline_name if other else ""

    departments = {}  # id -> [name, slug]
    links = {}  # department id -> list of (band, distance, relation rank, cancer type id, relation)
    for dep_id, dep_name, dep_slug, cid, relation in DepartmentCancerType.objects.filter(
        cancer_type_id__in=ids
    ).values_list(
        "department_id", "department__name", "department__slug", "cancer_type_id", "relation"
    ):
        departments[dep_id] = (dep_name, dep_slug)
        if cid == type_id:
            band = FOCUS if relation == "primary_focus" else LISTS
        elif cid in ancestors:
            band = BROADER
        else:
            band = NARROWER
        links.setdefault(dep_id, []).append(
            (band, distance[cid], RELATION_RANK.get(relation, 3), cid, relation)
        )

    trials_by_department = {}  # department id -> {trial id: (name, {cancer type ids})}
    trial_sites = {}  # trial id -> {(department name, slug)}
    for dep_id, dep_name, dep_slug, trial_id, trial_name, cid in TrialSite.objects.filter(
        trial__cancer_types__in=ids
    ).values_list(
        "department_id",
        "department__name",
        "department__slug",
        "trial_id",
        "trial__name",
        "trial__cancer_types",
    ):
        if cid not in ids:
            continue
        departments.setdefault(dep_id, (dep_name, dep_slug))
        entry = trials_by_department.setdefault(dep_id, {}).setdefault(
            trial_id, [trial_name, set()]
        )
        entry[1].add(cid)
        trial_sites.setdefault(trial_id, set()).add((dep_name, dep_slug))

    activities = {}  # department id -> {activity id: (value, text, {cancer type ids})}
    for row in TrialActivity.objects.filter(cancer_types__in=ids).values_list(
        "department_id",
        "department__name",
        "department__slug",
        "pk",
        "label",
        "qualifier",
        "value",
        "value_max",
        "wording",
        "unit",
        "cancer_types",
    ):
        dep_id, dep_name, dep_slug, pk, label, qualifier, value, value_max, wording, unit, cid = row
        departments.setdefault(dep_id, (dep_name, dep_slug))
        shown = render_quantity(qualifier, value, value_max, wording, unit)
        entry = activities.setdefault(dep_id, {}).setdefault(
            pk, [value or 0, f"{shown} {label}".strip(), set()]
        )
        entry[2].add(cid)

    offering, service_names = {}, {}
    if service_ids:
        for dep_id, service_id in DepartmentService.objects.filter(
            service_id__in=service_ids
        ).values_list("department_id", "service_id"):
            offering.setdefault(dep_id, set()).add(service_id)
        for sid in service_ids:
            service = vocab.service(sid)
            service_names[sid] = service.inline_name if service else ""
        for dep_id, dep_name, dep_slug in (
            Department.objects.filter(
                service_links__service_id__in=service_ids, cancer_type_links__isnull=True
            )
            .values_list("pk", "name", "slug")
            .distinct()
        ):
            departments.setdefault(dep_id, (dep_name, dep_slug))

    hits = []
    for dep_id, (dep_name, dep_slug) in departments.items():
        own = sorted(links.get(dep_id, ()))
        trials = trials_by_department.get(dep_id, {})
        acts = activities.get(dep_id, {})
        offers = offering.get(dep_id, set())
        parts = []
        if own:
            band, dist, rel_rank, cid, relation = own[0]
            if band == FOCUS:
                parts.append(f"focuses on {term.inline_name}")
            elif band == LISTS:
                parts.append(f"lists {term.inline_name}{RELATION_SUFFIX.get(relation, '')}")
            elif band == BROADER:
                broader = name_of(cid)
                verb = "include" if _plural(broader) else "includes"
                parts.append(f"covers {broader}, which {verb} {term.inline_name}")
            else:
                narrower = [name_of(link[3]) for link in own if link[0] == NARROWER]
                narrower = list(dict.fromkeys(narrower))
                if len(narrower) == 1:
                    parts.append(f"lists {narrower[0]}, which is a kind of {term.inline_name}")
                else:
                    parts.append(
                        f"lists {_listing(narrower)}, which are kinds of {term.inline_name}"
                    )
        elif trials or acts:
            band, dist, rel_rank = TRIALS_ONLY, 0, 3
        elif offers:
            band, dist, rel_rank = SERVICE_ONLY, 0, 3
        else:
            continue
        if trials:
            by_type = {}
            for trial_name, cids in sorted(trials.values(), key=lambda t: t[0].casefold()):
                nearest = min(cids, key=lambda c: (distance[c], c))
                by_type.setdefault(nearest, []).append(trial_name)
            groups = [
                f"{_listing(names)} ({name_of(cid)})"
                for cid, names in sorted(by_type.items(), key=lambda kv: (distance[kv[0]], kv[0]))
            ]
            parts.append(f"runs {_join(groups)}")
        if acts:
            value, text, cids = max(acts.values(), key=lambda a: (a[0], a[1]))
            about = "" if type_id in cids else f" ({_join(name_of(c) for c in sorted(cids))})"
            parts.append(f"reports {text}{about}")
        if offers:
            parts.append(f"offers {_join(service_names[s] for s in service_ids if s in offers)}")
        if band == SERVICE_ONLY:
            parts.append("lists no specific cancer types")
        score = len(trials) + len(acts)
        hits.append(
            DepartmentHit(
                dep_id,
                dep_name,
                dep_slug,
                band,
                _sentence(parts),
                (band, -bool(offers), -score, dist, rel_rank, dep_name.casefold(), dep_slug),
            )
        )
    hits.sort(key=lambda h: h.sort_key)
    return hits, ids, distance, trial_sites


def trials_for_cancer_types(vocab, type_id, ids, distance, trial_sites):
    """Trials for the type and its relatives: the type's own first, then narrower, broader."""

    trials = list(
        Trial.objects.filter(cancer_types__in=ids).distinct().prefetch_related("cancer_types")
    )
    descendants = set(vocab.descendants.get(type_id, ()))
    found = []
    for trial in trials:
        types = [c for c in trial.cancer_types.all() if c.pk in ids]
        if not types:
            continue
        nearest = min(types, key=lambda c: (distance[c.pk], c.pk))
        order = 0 if nearest.pk == type_id else (1 if nearest.pk in descendants else 2)
        names = _join(inline(c.name) for c in sorted(types, key=lambda c: c.name))
        sites = sorted(trial_sites.get(trial.pk, ()), key=lambda s: s[0].casefold())
        found.append(
            ((order, trial.name.casefold(), trial.slug), TrialHit(trial, f"For {names}", sites))
        )
    found.sort(key=lambda pair: pair[0])
    return [hit for _, hit in found]


# --- services ---------------------------------------------------------------------------------


def rank_for_service(vocab, service_id):
    term = vocab.service(service_id)
    narrower = vocab.narrower_services.get(service_id, ())
    ids = {service_id, *narrower}
    kind = KIND_FOR_CATEGORY.get(term.category, "")
    offered = {}
    for dep_id, dep_name, dep_slug, dep_kind, sid in DepartmentService.objects.filter(
        service_id__in=ids
    ).values_list(
        "department_id", "department__name", "department__slug", "department__kind", "service_id"
    ):
        offered.setdefault(dep_id, [dep_name, dep_slug, dep_kind, set()])[3].add(sid)
    hits = []
    for dep_id, (dep_name, dep_slug, dep_kind, sids) in offered.items():
        if service_id in sids:
            band, reason = FOCUS, f"offers {term.inline_name}"
        else:
            names = sorted(vocab.service(s).inline_name for s in sids)
            which = "which is a kind" if len(names) == 1 else "which are kinds"
            band, reason = LISTS, f"offers {_listing(names)}, {which} of {term.inline_name}"
        specialist = bool(kind) and dep_kind == kind
        if specialist:
            reason += f"; a {dep_kind} oncology department"
        hits.append(
            DepartmentHit(
                dep_id,
                dep_name,
                dep_slug,
                band,
                _sentence([reason]),
                (band, -specialist, dep_name.casefold(), dep_slug),
            )
        )
    hits.sort(key=lambda h: h.sort_key)
    return hits


# --- free text --------------------------------------------------------------------------------


def _words(query):
    return [t.norm for t in tokenise(query) if t.norm not in STOP_WORDS]


def text_search(query):
    """Departments and trials matching free text: PostgreSQL full-text search, else icontains."""

    words = _words(query)
    if not words:
        return [], []
    phrase = " ".join(words)
    use_fts = connection.vendor == "postgresql" and not has_cjk(phrase)
    if use_fts:
        from django.contrib.postgres.search import SearchQuery, SearchVector

        search_query = SearchQuery(phrase, config="english", search_type="plain")
        departments = Department.objects.annotate(
            search=SearchVector("name", "summary", "description", config="english")
        ).filter(search=search_query)
        directions = ResearchDirection.objects.annotate(
            search=SearchVector("name", config="english")
        ).filter(search=search_query)
    else:
        dep_q, dir_q = Q(), Q()
        for word in words:
            dep_q &= (
                Q(name__icontains=word)
                | Q(summary__icontains=word)
                | Q(description__icontains=word)
            )
            dir_q &= Q(name__icontains=word)
        departments = Department.objects.filter(dep_q)
        directions = ResearchDirection.objects.filter(dir_q)

    hits = {}
    shown = query.strip()
    for pk, name, slug, summary, description in departments.values_list(
        "pk", "name", "slug", "summary", "description"
    ):
        in_name = all(w in name.casefold() for w in words)
        where = "its name" if in_name else "its description"
        literal = all(w in f"{name} {summary} {description}".casefold() for w in words)
        verb = "Mentions" if literal else "Matches a form of"  # PostgreSQL matched a stem
        hits[pk] = DepartmentHit(
            pk, name, slug, 1 if in_name else 2, f"{verb} “{shown}” in {where}"
        )
    for pk, name, slug, direction in directions.values_list(
        "department_id", "department__name", "department__slug", "name"
    ).order_by("department_id", "sort_order", "pk"):
        if pk not in hits:
            hits[pk] = DepartmentHit(pk, name, slug, 3, f"Research direction: {direction}")

    compact = query.replace("-", " ").strip()
    trial_q = Q()
    for text in {query.strip(), compact}:
        trial_q |= (
            Q(name__icontains=text)
            | Q(source_wording__icontains=text)
            | Q(registry_id__iexact=text)
            | Q(interventions__name__iexact=text)
        )
    trials = list(
        Trial.objects.filter(trial_q)
        .distinct()
        .prefetch_related("cancer_types", "sites__department")
    )
    merged = set()
    for trial in sorted(trials, key=lambda t: t.name.casefold()):
        for site in trial.sites.all():
            dep = site.department
            hit = hits.get(dep.pk)
            if hit is None:
                hits[dep.pk] = DepartmentHit(dep.pk, dep.name, dep.slug, 4, f"Runs {trial.name}")
            elif (dep.pk, trial.pk) not in merged:
                hit.reason = _sentence([f"runs {trial.name}", _lower_first(hit.reason)])
            merged.add((dep.pk, trial.pk))
    for pk, name, slug, drug in (
        TrialActivity.objects.filter(interventions__name__iexact=query.strip())
        .values_list("department_id", "department__name", "department__slug", "interventions__name")
        .order_by("department_id", "pk")
    ):
        if pk not in hits:
            hits[pk] = DepartmentHit(pk, name, slug, 4, f"Reports trials of {drug}")
        elif (pk, drug) not in merged:
            hits[pk].reason = _sentence(
                [f"reports trials of {drug}", _lower_first(hits[pk].reason)]
            )
        merged.add((pk, drug))
    ranked = sorted(hits.values(), key=lambda h: (h.band, h.name.casefold(), h.slug))
    for hit in ranked:
        hit.sort_key = (hit.band, hit.name.casefold(), hit.slug)
    trial_hits = [
        TrialHit(
            t,
            "For " + _join(inline(c.name) for c in t.cancer_types.all())
            if t.cancer_types.all()
            else "",
            sorted({(s.department.name, s.department.slug) for s in t.sites.all()}),
        )
        for t in sorted(trials, key=lambda t: t.name.casefold())
    ]
    return ranked, trial_hits


# --- the search page --------------------------------------------------------------------------


def _attach_departments(page_obj):
    ids = [hit.id for hit in page_obj.object_list]
    if not ids:
        return
    by_id = Department.objects.select_related("hospital").in_bulk(ids)
    for hit in page_obj.object_list:
        hit.department = by_id.get(hit.id)


def search(text, page=None, *, per_page=PER_PAGE):
    """Everything the search page shows for `text`."""
    resolution = resolve(text)
    results = SearchResults(resolution)
    if not resolution.normalised:
        results.page_obj = Paginator([], per_page).get_page(1)
        return results
    vocab = resolution.vocabulary or get_vocabulary()
    trials = []
    if resolution.cancer_type is not None:
        results.mode = "cancer_type"
        service_ids = ()
        if resolution.service is not None:
            service_ids = (resolution.service.id,)
        hits, ids, distance, sites = rank_for_cancer_type(
            vocab, resolution.cancer_type.id, service_ids
        )
        trials = trials_for_cancer_types(vocab, resolution.cancer_type.id, ids, distance, sites)
    elif resolution.service is not None:
        results.mode = "service"
        hits = rank_for_service(vocab, resolution.service.id)
    else:
        results.mode = "text"
        hits, trials = text_search(resolution.query)
    results.hits = hits
    results.trial_count = len(trials)
    results.trials = trials[:MAX_TRIALS]
    results.page_obj = Paginator(hits, per_page).get_page(page)
    _attach_departments(results.page_obj)
    if results.mode == "text" and not results.has_results:
        results.suggestions = suggest(resolution.query, vocab)
    return results
