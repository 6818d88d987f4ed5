"""Rank departments and trials for a resolved query, with one-line reasons; fall back to text.

A search runs in named steps: parse and resolve the query (`departments.search`), expand the
cancer type through the tree (`expand`), gather each department's evidence (`gather`: its listed
types, trials, trial activity and services), rank it (`place`: a band and a sort key) and say why
it matched (`explain`). Free text that names no term falls back to `text_search`.

Every step runs a fixed number of set-based queries (no query per department or trial), so the
search page's query count does not grow with the data.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.dataversion import cached
from departments.localise import is_chinese
from departments.models import (
    CancerType,
    Department,
    DepartmentCancerType,
    DepartmentService,
    ResearchDirection,
)
from departments.normalise import lower_first, normalise
from departments.quantities import render_quantity
from departments.search.expand import Expansion, expand, expand_service
from departments.search.places import PlaceReading, find_places, known_places
from departments.search.resolve import Resolution, resolve, suggest
from departments.search.text import STOP_WORDS, has_cjk, tokenise
from departments.search.vocabulary import Vocabulary, get_vocabulary, inline
from trials.models import Trial, TrialActivity, TrialSite

from .drugs import DrugReading, find_drugs
from .models import TrialRank
from .ranking import (
    BROADER,
    FOCUS,
    LISTS,
    NARROWER,
    NO_RELATION,
    RELATION_RANK,
    SERVICE_ONLY,
    TRIALS_ONLY,
    RankingSQL,
    service_page,
)

PER_PAGE = 20
# Trials shown under the departments; the rest are one link away, on the filtered trial list.
MAX_TRIALS = 10

RELATION_SUFFIX = {
    "mdt": gettext_lazy(" (multidisciplinary team)"),
    "strength": gettext_lazy(" among its strengths"),
    "research": gettext_lazy(" as a research focus"),
}
KIND_FOR_CATEGORY = {"radiation": "radiation", "surgery": "surgical"}
SPECIALIST_NOTE = {
    "radiation": gettext_lazy("; a radiation oncology department"),
    "surgical": gettext_lazy("; a surgical oncology department"),
}


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
    sort_key: tuple = ()


@dataclass(frozen=True)
class Found:
    """What one kind of search found: ranked departments and trials."""

    mode: str  # cancer_type | service | text
    hits: Sequence
    trials: list = field(default_factory=list)
    trial_count: int | None = None  # when more trials match than `trials` holds


@dataclass
class SearchResults:
    resolution: Resolution
    mode: str = "empty"  # empty | cancer_type | service | drug | place | text
    hits: list = field(default_factory=list)
    page_obj: object = None
    trials: list = field(default_factory=list)
    trial_count: int = 0
    suggestions: tuple = ()
    places: PlaceReading = field(default_factory=PlaceReading)  # places and hospitals named
    drugs: tuple = ()  # oncology_portal.drugs.Drug, the drugs named
    related: tuple = ()  # Related: nearby listed types when the type named has no department
    known_places: tuple = ()  # when a place was named and nothing there matched

    @property
    def understood(self):
        """Something in the query was recognised: a type, therapy, drug, place or hospital."""
        return self.resolution.resolved or bool(self.drugs) or self.places.found

    @property
    def place_phrase(self):
        return _place_phrase(self.places) if self.places.found else ""

    @property
    def query(self):
        return self.resolution.query

    @property
    def has_results(self):
        return bool(self.hits or self.trials)

    @property
    def department_count(self):
        return len(self.hits)

    @property
    def trial_list_url(self):
        """The trial list filtered as this search reads, when it has such a filter: a cancer type
        (the list adds its narrower types) or one drug; never when a place narrows the search
        (the list has no place filter)."""
        if self.places.found:
            return ""
        url = reverse("trials:trial-list")
        if self.mode == "cancer_type":
            return f"{url}?cancer_type={self.resolution.cancer_type.slug}"
        if self.mode == "drug" and len(self.drugs) == 1 and self.resolution.cancer_type is None:
            return f"{url}?intervention={self.drugs[0].slug}"
        return ""


def _join(items):
    """'a, b and c'."""
    return get_text_list([str(item) for item in items], _("and"))


def _listing(names, limit=3):
    names = list(names)
    if len(names) > limit:
        more = _("%(count)s more") % {"count": len(names) - limit}
        return _join([*names[:limit], more])
    return _join(names)


def _inline_name(cancer_type):
    """A cancer type's name mid-sentence, in Chinese on Chinese pages where it has one."""
    if is_chinese() and cancer_type.name_zh:
        return cancer_type.name_zh
    return inline(cancer_type.name)


def _plural(name):
    last = name.split()[-1] if name else ""
    return last.endswith("s") and not last.endswith(("sis", "ss"))


def _sentence(parts):
    text = _("; ").join(str(p) for p in parts if p)
    return text[:1].upper() + text[1:]


# --- cancer types: what the rank and explain steps read -----------------------------------------


@dataclass(frozen=True)
class CancerTypeQuery:
    """A resolved cancer type, expanded, and the services that lift a department."""

    vocab: Vocabulary
    expansion: Expansion
    service_ids: tuple[int, ...] = ()
    hospital_ids: frozenset | None = None  # a place or hospital named: only their departments

    @property
    def type_id(self):
        return self.expansion.type_id

    @property
    def name(self):
        return self.vocab.cancer_type(self.type_id).inline_name

    def name_of(self, type_id):
        other = self.vocab.cancer_type(type_id)
        return other.inline_name if other else ""

    def service_name(self, service_id):
        service = self.vocab.service(service_id)
        return service.inline_name if service else ""


@dataclass(frozen=True, order=True)
class Link:
    """A department lists a type within the expansion; links sort closest first."""

    band: int  # FOCUS, LISTS, BROADER or NARROWER
    distance: int
    relation_rank: int
    cancer_type_id: int
    relation: str


@dataclass(frozen=True)
class TrialRun:
    """A trial at a department, and the types in the expansion it is for."""

    name: str
    cancer_type_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Activity:
    """A department's reported trial activity for types in the expansion."""

    value: float  # 0 when not a number
    text: str
    cancer_type_ids: frozenset[int] = frozenset()


@dataclass
class Candidate:
    """A department and everything that ties it to the query: the rank step's input."""

    id: int
    name: str
    slug: str
    links: list[Link] = field(default_factory=list)
    trials: dict = field(default_factory=dict)  # trial id -> TrialRun
    activities: dict = field(default_factory=dict)  # activity id -> Activity
    services: frozenset[int] = frozenset()  # the asked-for services it offers


@dataclass
class Evidence:
    """Candidates by department id."""

    candidates: dict = field(default_factory=dict)

    def candidate(self, dep_id, name, slug):
        return self.candidates.setdefault(dep_id, Candidate(dep_id, name, slug))


@dataclass(frozen=True)
class Placement:
    """Where a department ranks: the rank step's output."""

    band: int
    links: tuple[Link, ...]  # closest first
    sort_key: tuple

    @property
    def link(self):
        return self.links[0] if self.links else None


# --- cancer types: gather ---------------------------------------------------------------------


def gather(query, department_ids):
    """The evidence tying these departments to the expanded type: listings, trials, activity,
    services."""
    evidence = Evidence()
    _gather_links(query, evidence, department_ids)
    _gather_trials(query, evidence, department_ids)
    _gather_activities(query, evidence, department_ids)
    if query.service_ids:
        _gather_services(query, evidence, department_ids)
    return evidence


def _gather_links(query, evidence, department_ids):
    expansion = query.expansion
    for dep_id, dep_name, dep_slug, cid, relation in DepartmentCancerType.objects.filter(
        cancer_type_id__in=expansion.ids, department_id__in=department_ids
    ).values_list(
        "department_id", "department__name", "department__slug", "cancer_type_id", "relation"
    ):
        if cid == expansion.type_id:
            band = FOCUS if relation == "primary_focus" else LISTS
        elif cid in expansion.broader:
            band = BROADER
        else:
            band = NARROWER
        rank = RELATION_RANK.get(relation, NO_RELATION)
        link = Link(band, expansion.distance[cid], rank, cid, relation)
        evidence.candidate(dep_id, dep_name, dep_slug).links.append(link)


def _gather_trials(query, evidence, department_ids):
    ids = query.expansion.ids
    # No ORDER BY (the reasons sort the trials by name): a department's sites in index order.
    sites = TrialSite.objects.filter(trial__cancer_types__in=ids, department_id__in=department_ids)
    for dep_id, dep_name, dep_slug, trial_id, trial_name, cid in sites.order_by().values_list(
        "department_id",
        "department__name",
        "department__slug",
        "trial_id",
        "trial__name",
        "trial__cancer_types",
    ):
        if cid not in ids:
            continue
        trials = evidence.candidate(dep_id, dep_name, dep_slug).trials
        run = trials.get(trial_id, TrialRun(trial_name))
        trials[trial_id] = replace(run, cancer_type_ids=run.cancer_type_ids | {cid})


def _gather_activities(query, evidence, department_ids):
    for row in TrialActivity.objects.filter(
        cancer_types__in=query.expansion.ids, department_id__in=department_ids
    ).values_list(
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
        activities = evidence.candidate(dep_id, dep_name, dep_slug).activities
        if pk not in activities:
            shown = render_quantity(qualifier, value, value_max, wording, unit)
            activities[pk] = Activity(value or 0, f"{shown} {label}".strip())
        activity = activities[pk]
        activities[pk] = replace(activity, cancer_type_ids=activity.cancer_type_ids | {cid})


def _gather_services(query, evidence, department_ids):
    """Which of these departments offer the asked-for services. The ranking admits a department
    that is not yet a candidate only as one that offers a service and lists no cancer type."""
    offering = {}
    for dep_id, dep_name, dep_slug, service_id in DepartmentService.objects.filter(
        service_id__in=query.service_ids, department_id__in=department_ids
    ).values_list("department_id", "department__name", "department__slug", "service_id"):
        offering.setdefault(dep_id, set()).add(service_id)
        evidence.candidate(dep_id, dep_name, dep_slug)
    for candidate in evidence.candidates.values():
        candidate.services = frozenset(offering.get(candidate.id, ()))


# --- cancer types: rank and explain -----------------------------------------------------------


def place(candidate):
    """The candidate's band and sort key (None if nothing ties it to the query).

    Within a band: offering an asked-for service first, then more trials and activities, then
    the closer type and the stronger relation, then by name.
    """
    links = tuple(sorted(candidate.links))
    if links:
        band, distance, rank = links[0].band, links[0].distance, links[0].relation_rank
    elif candidate.trials or candidate.activities:
        band, distance, rank = TRIALS_ONLY, 0, NO_RELATION
    elif candidate.services:
        band, distance, rank = SERVICE_ONLY, 0, NO_RELATION
    else:
        return None
    score = len(candidate.trials) + len(candidate.activities)
    offers = bool(candidate.services)
    key = (band, -offers, -score, distance, rank, candidate.name.casefold(), candidate.slug)
    return Placement(band, links, key)


def explain(query, candidate, placement):
    """Why the department matched, as one sentence."""
    return _sentence(
        [
            _listing_reason(query, placement),
            _trials_reason(query, candidate),
            _activity_reason(query, candidate),
            _offers_reason(query, candidate),
            _("lists no specific cancer types") if placement.band == SERVICE_ONLY else "",
        ]
    )


def _listing_reason(query, placement):
    link = placement.link
    if link is None:
        return ""
    if link.band == FOCUS:
        return _("focuses on %(type)s") % {"type": query.name}
    if link.band == LISTS:
        suffix = RELATION_SUFFIX.get(link.relation, "")
        return _("lists %(type)s%(relation)s") % {"type": query.name, "relation": suffix}
    if link.band == BROADER:
        broader = query.name_of(link.cancer_type_id)
        if _plural(broader) and not is_chinese():
            return _("covers %(broader)s, which include %(type)s") % {
                "broader": broader,
                "type": query.name,
            }
        return _("covers %(broader)s, which includes %(type)s") % {
            "broader": broader,
            "type": query.name,
        }
    narrower = list(
        dict.fromkeys(
            query.name_of(other.cancer_type_id)
            for other in placement.links
            if other.band == NARROWER
        )
    )
    if len(narrower) == 1:
        return _("lists %(narrower)s, which is a kind of %(type)s") % {
            "narrower": narrower[0],
            "type": query.name,
        }
    return _("lists %(narrower)s, which are kinds of %(type)s") % {
        "narrower": _listing(narrower),
        "type": query.name,
    }


def _trials_reason(query, candidate):
    """ "runs A and B (liver cancer), C (digestive system cancers)": trials by nearest type."""
    if not candidate.trials:
        return ""
    distance = query.expansion.distance
    by_type = {}
    for run in sorted(candidate.trials.values(), key=lambda r: r.name.casefold()):
        nearest = min(run.cancer_type_ids, key=lambda c: (distance[c], c))
        by_type.setdefault(nearest, []).append(run.name)
    groups = [
        f"{_listing(names)} ({query.name_of(cid)})"
        for cid, names in sorted(by_type.items(), key=lambda kv: (distance[kv[0]], kv[0]))
    ]
    return _("runs %(trials)s") % {"trials": _join(groups)}


def _activity_reason(query, candidate):
    """The largest reported activity, with the types it is for unless it is the type itself."""
    if not candidate.activities:
        return ""
    best = max(candidate.activities.values(), key=lambda a: (a.value, a.text))
    about = ""
    if query.type_id not in best.cancer_type_ids:
        about = f" ({_join(query.name_of(c) for c in sorted(best.cancer_type_ids))})"
    return _("reports %(activity)s%(types)s") % {"activity": best.text, "types": about}


def _offers_reason(query, candidate):
    if not candidate.services:
        return ""
    offered = [query.service_name(s) for s in query.service_ids if s in candidate.services]
    return _("offers %(services)s") % {"services": _join(offered)}


class PagedHits(Sequence):
    """Search hits ranked elsewhere (the database) and explained a slice at a time: subclasses
    give `__len__` and `_slice(start, stop)`; a page costs the same few queries with 5 or
    50,000 matches."""

    def count(self):
        return len(self)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("Ranked departments are sliced in order, step 1.")
            return self._slice(start, max(stop, start))
        hits = self[index : index + 1] if index >= 0 else self[len(self) + index :][:1]
        if not hits:
            raise IndexError(index)
        return hits[0]

    def __iter__(self):
        for start in range(0, len(self), 500):
            yield from self[start : start + 500]


class RankedDepartments(PagedHits):
    """The departments for a cancer-type query, best first, explained a page at a time.

    The database ranks (oncology_portal.ranking); evidence is gathered and reasons written only
    for the slice asked for, so a page costs the same with 5 or 50,000 matching departments.
    """

    def __init__(self, query, *, first_page=1, per_page=PER_PAGE):
        self.query = query
        # The page a visitor asked for is ranked first, with the count, in one query.
        self._first = ((first_page - 1) * per_page, first_page * per_page)
        self.sql = RankingSQL.build(query, query.hospital_ids)
        self._count = None
        self._pages = {}  # (start, stop) -> department ids

    def __len__(self):
        if self._count is None and not self._page(*self._first):
            self._count = self.sql.count()  # past the end: the paginator shows the last page
        return self._count

    def _page(self, start, stop):
        """Ids from `start` to `stop`, from a page already ranked when one covers them."""
        for (begin, end), ids in self._pages.items():
            if begin == start and (stop <= end or len(ids) < end - begin):
                return ids[: stop - start]
        ids, total = self.sql.page(start, stop - start)
        self._pages[(start, stop)] = ids
        if ids:
            self._count = total
        return ids

    def _slice(self, start, stop):
        return self._explained(self._page(start, stop))

    def _explained(self, department_ids):
        if not department_ids:
            return []
        evidence = gather(self.query, department_ids)
        hits = []
        for dep_id in department_ids:
            candidate = evidence.candidates[dep_id]
            placement = place(candidate)
            hits.append(
                DepartmentHit(
                    candidate.id,
                    candidate.name,
                    candidate.slug,
                    placement.band,
                    explain(self.query, candidate, placement),
                    placement.sort_key,
                )
            )
        return hits


def rank_trials(query):
    """The first trials for the type and its relatives: the type's own first (by name), then
    those nearest a narrower type, then a broader one; and how many there are in all.

    From the search index (oncology_portal.models.TrialRank): one index scan."""
    rows = TrialRank.objects.filter(cancer_type=query.type_id)
    if query.hospital_ids is not None:
        rows = rows.filter(trial__in=_trials_in_hospitals(query.hospital_ids))
    # The first rows in index order, with their trials; and the count: for the type alone it
    # moves only with the data (counted once per data version), else one scalar subquery (not
    # a window over every row of the type).
    ranked = rows.select_related("trial").order_by("group", "name", "trial_id")
    if query.hospital_ids is None:
        ranked = list(ranked[:MAX_TRIALS])
        count = cached(f"trial-rank-count:{query.type_id}", rows.count) if ranked else 0
    else:
        total = rows.order_by().values("cancer_type").annotate(n=Count("*")).values("n")
        ranked = list(ranked.annotate(total=Subquery(total))[:MAX_TRIALS])
        count = ranked[0].total if ranked else 0
    shown = [row.trial for row in ranked]
    return [_trial_hit(query, trial) for trial in _with_types_and_sites(shown)], count


def _trials_in_hospitals(hospital_ids):
    """Trials with a site in one of these hospitals (a subquery)."""
    return TrialSite.objects.filter(department__hospital_id__in=hospital_ids).values("trial_id")


def _with_types_and_sites(trials):
    """The trials' cancer types, and their sites' departments: only what a result names (a
    department's long texts stay in the database)."""
    sites = TrialSite.objects.select_related("department").only(
        "trial_id", "department__name", "department__slug", "department__hospital_id"
    )
    prefetch_related_objects(trials, "cancer_types", Prefetch("sites", queryset=sites))
    return trials


def _trial_hit(query, trial):
    ids = query.expansion.ids
    types = sorted((c for c in trial.cancer_types.all() if c.pk in ids), key=lambda c: c.name)
    names = _join(_inline_name(c) for c in types)
    sites = sorted(
        {(site.department.name, site.department.slug) for site in trial.sites.all()},
        key=lambda s: s[0].casefold(),
    )
    return TrialHit(trial, _("For %(types)s") % {"types": names}, sites)


def search_cancer_type(vocab, type_id, service_ids=(), *, page=1, hospital_ids=None):
    """Departments and trials for a cancer type, departments lifted by the given services;
    with `hospital_ids`, only those hospitals' departments and the trials they run."""
    query = CancerTypeQuery(vocab, expand(vocab, type_id), tuple(service_ids), hospital_ids)
    trials, trial_count = rank_trials(query)
    return Found("cancer_type", RankedDepartments(query, first_page=page), trials, trial_count)


# --- services ---------------------------------------------------------------------------------


class RankedServiceDepartments(PagedHits):
    """Departments offering the service (or a narrower one), the matching specialty first:
    ranked by the database a page at a time (oncology_portal.ranking.service_page), explained
    only for the page shown."""

    def __init__(self, vocab, service_id, hospital_ids=None, broader=None):
        self.vocab = vocab
        self.service_id = service_id
        self.hospital_ids = hospital_ids
        self.term = vocab.service(service_id)
        # "day chemotherapy": day-care chemotherapy first, then the rest of chemotherapy.
        self.broader = broader
        self.service_ids = sorted(expand_service(vocab, (broader or self.term).id).ids)
        self.kind = KIND_FOR_CATEGORY.get(self.term.category, "")
        self._count = None
        self._pages = {}  # (start, stop) -> hits

    def _rows(self, start, stop):
        """Hits from `start` to `stop`, from a page already ranked when one covers them."""
        for (begin, end), hits in self._pages.items():
            if begin == start and (stop <= end or len(hits) < end - begin):
                return hits[: stop - start]
        rows, total = service_page(
            self.service_id, self.service_ids, self.kind, start, stop - start, self.hospital_ids
        )
        if total is not None:
            self._count = total
        self._pages[(start, stop)] = hits = self._explained(rows)
        return hits

    def __len__(self):
        if self._count is None:
            self._rows(0, PER_PAGE)
            if self._count is None:  # nothing offers it
                self._count = 0
        return self._count

    def _slice(self, start, stop):
        return self._rows(start, stop)

    def _explained(self, rows):
        offered = {}
        for dep_id, sid in DepartmentService.objects.filter(
            department_id__in=[row[0] for row in rows], service_id__in=self.service_ids
        ).values_list("department_id", "service_id"):
            offered.setdefault(dep_id, set()).add(sid)
        return [self._hit(row, offered.get(row[0], set())) for row in rows]

    def _hit(self, row, sids):
        dep_id, dep_name, dep_slug, dep_kind, band = row
        term = self.term
        if band == FOCUS:
            reason = _("offers %(services)s") % {"services": term.inline_name}
        elif self.broader is not None:
            names = sorted(self.vocab.service(s).inline_name for s in sids)
            reason = _("offers %(services)s") % {"services": _listing(names)}
        else:
            names = sorted(self.vocab.service(s).inline_name for s in sids)
            which = (
                _("offers %(services)s, which is a kind of %(service)s")
                if len(names) == 1
                else _("offers %(services)s, which are kinds of %(service)s")
            )
            reason = which % {"services": _listing(names), "service": term.inline_name}
        specialist = bool(self.kind) and dep_kind == self.kind
        if specialist:
            reason += SPECIALIST_NOTE[dep_kind]
        key = (band, -specialist, dep_name.casefold(), dep_slug)
        return DepartmentHit(dep_id, dep_name, dep_slug, band, _sentence([reason]), key)


def rank_for_service(vocab, service_id, hospital_ids=None, broader=None):
    """Departments offering the service (or a narrower one); the matching specialty first.
    With `broader` (the generic service a narrower one replaced), the departments offering
    the generic one follow those offering the narrower one."""
    return RankedServiceDepartments(vocab, service_id, hospital_ids, broader)


# --- free text --------------------------------------------------------------------------------


def _words(query):
    return [t.norm for t in tokenise(query) if t.norm not in STOP_WORDS]


def _full_text(phrase):
    """PostgreSQL full-text search for this phrase (not for Chinese, which it cannot split)."""
    return connection.vendor == "postgresql" and not has_cjk(phrase)


def _text_matches(model, fields, words):
    """Rows of `model` whose `fields` contain every word (PostgreSQL: match the phrase)."""
    phrase = " ".join(words)
    if _full_text(phrase):
        from django.contrib.postgres.search import SearchQuery, SearchVector

        search_query = SearchQuery(phrase, config="english", search_type="plain")
        vector = SearchVector(*fields, config="english")
        return model.objects.annotate(search=vector).filter(search=search_query)
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return model.objects.filter(condition)


def _text_department_hits(query, words, hospital_ids=None):
    """Departments whose name or description has the words: by name first."""
    hits = {}
    shown = query.strip()
    departments = _text_matches(Department, ("name", "summary", "description"), words)
    if hospital_ids is not None:
        departments = departments.filter(hospital_id__in=hospital_ids)
    for pk, name, slug, summary, description in departments.values_list(
        "pk", "name", "slug", "summary", "description"
    ):
        in_name = all(w in name.casefold() for w in words)
        literal = all(w in f"{name} {summary} {description}".casefold() for w in words)
        # PostgreSQL may have matched a stem rather than the words themselves.
        if in_name:
            reason = _("Mentions “%(text)s” in its name") if literal else (
                _("Matches a form of “%(text)s” in its name")
            )
        else:
            reason = _("Mentions “%(text)s” in its description") if literal else (
                _("Matches a form of “%(text)s” in its description")
            )
        hits[pk] = DepartmentHit(pk, name, slug, 1 if in_name else 2, reason % {"text": shown})
    directions = _text_matches(ResearchDirection, ("name",), words)
    if hospital_ids is not None:
        directions = directions.filter(department__hospital_id__in=hospital_ids)
    for pk, name, slug, direction in directions.values_list(
        "department_id", "department__name", "department__slug", "name"
    ).order_by("department_id", "sort_order", "pk"):
        if pk not in hits:
            reason = _("Research direction: %(direction)s") % {"direction": direction}
            hits[pk] = DepartmentHit(pk, name, slug, 3, reason)
    return hits


def _text_trials(query, hospital_ids=None):
    """Trials by name, source wording, registry id or intervention, sorted by name."""
    texts = {query.strip(), query.replace("-", " ").strip()}
    condition = Q()
    for text in texts:
        condition |= (
            Q(name__icontains=text)
            | Q(source_wording__icontains=text)
            | Q(registry_id__iexact=text)
            | Q(interventions__name__iexact=text)
        )
    trials = Trial.objects.filter(condition)
    if hospital_ids is not None:
        trials = trials.filter(pk__in=_trials_in_hospitals(hospital_ids))
    trials = (
        trials.distinct()
        .prefetch_related("cancer_types", "sites__department")
    )
    return sorted(trials, key=lambda t: t.name.casefold())


def _add_trial_hits(hits, trials, query, hospital_ids=None):
    """Departments running the trials, or reporting trials of the drug named; a department
    already found says so first."""
    merged = set()
    activities = TrialActivity.objects.filter(interventions__name__iexact=query.strip())
    if hospital_ids is not None:
        activities = activities.filter(department__hospital_id__in=hospital_ids)
    for trial in trials:
        for site in trial.sites.all():
            dep = site.department
            if hospital_ids is not None and dep.hospital_id not in hospital_ids:
                continue
            hit = hits.get(dep.pk)
            if hit is None:
                reason = _("Runs %(trial)s") % {"trial": trial.name}
                hits[dep.pk] = DepartmentHit(dep.pk, dep.name, dep.slug, 4, reason)
            elif (dep.pk, trial.pk) not in merged:
                runs = _("runs %(trials)s") % {"trials": trial.name}
                hit.reason = _sentence([runs, lower_first(hit.reason)])
            merged.add((dep.pk, trial.pk))
    for pk, name, slug, drug in (
        activities.values_list(
            "department_id", "department__name", "department__slug", "interventions__name"
        ).order_by("department_id", "pk")
    ):
        if pk not in hits:
            reason = _("Reports trials of %(drug)s") % {"drug": drug}
            hits[pk] = DepartmentHit(pk, name, slug, 4, reason)
        elif (pk, drug) not in merged:
            reports = _("reports trials of %(drug)s") % {"drug": drug}
            hits[pk].reason = _sentence([reports, lower_first(hits[pk].reason)])
        merged.add((pk, drug))


def _text_trial_hit(trial):
    types = trial.cancer_types.all()
    reason = _("For %(types)s") % {"types": _join(_inline_name(c) for c in types)} if types else ""
    sites = sorted({(s.department.name, s.department.slug) for s in trial.sites.all()})
    return TrialHit(trial, reason, sites)


def text_search(query, hospital_ids=None):
    """Departments and trials matching free text: PostgreSQL full-text search, else icontains;
    with `hospital_ids`, only those hospitals' departments and the trials they run."""
    words = _words(query)
    if not words:
        return Found("text", [], [])
    hits = _text_department_hits(query, words, hospital_ids)
    trials = _text_trials(query, hospital_ids)
    _add_trial_hits(hits, trials, query, hospital_ids)
    ranked = sorted(hits.values(), key=lambda h: (h.band, h.name.casefold(), h.slug))
    for hit in ranked:
        hit.sort_key = (hit.band, hit.name.casefold(), hit.slug)
    return Found("text", ranked, [_text_trial_hit(t) for t in trials])


# --- drugs ------------------------------------------------------------------------------------

RUNS, REPORTS, NAMES = 1, 2, 3  # a drug's departments: run its trials, report them, name it


class LazyHits(PagedHits):
    """Departments from a queryset already in order, explained a page at a time: a page costs
    the same few queries with 5 or 50,000 matching departments."""

    def __init__(self, queryset, explain_page):
        self.queryset = queryset
        self.explain_page = explain_page
        self._count = None

    def __len__(self):
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def _slice(self, start, stop):
        return self.explain_page(list(self.queryset[start:stop]) if stop > start else [])


@dataclass(frozen=True)
class DrugQuery:
    """Drugs named (oncology_portal.drugs), narrowed by a cancer type and a place if named."""

    drugs: tuple
    type_ids: frozenset | None = None  # the type and its relatives, if a type was named
    hospital_ids: frozenset | None = None

    @property
    def ids(self):
        return tuple(dict.fromkeys(d.intervention_id for d in self.drugs))

    def label(self, intervention_id):
        return next(d.label for d in self.drugs if d.intervention_id == intervention_id)

    def links(self):
        """(trial, drug) links of the trials using the drugs, narrowed by type and place."""
        links = Trial.interventions.through.objects.filter(intervention_id__in=self.ids)
        if self.type_ids is not None:
            for_types = Trial.cancer_types.through.objects.filter(cancertype_id__in=self.type_ids)
            links = links.filter(trial_id__in=for_types.values("trial_id"))
        if self.hospital_ids is not None:
            links = links.filter(trial_id__in=_trials_in_hospitals(self.hospital_ids))
        return links

    def trials(self):
        """The trials using the drugs (a subquery on the link table: no join, no DISTINCT)."""
        return Trial.objects.filter(pk__in=self.links().values("trial_id"))

    def first_trials(self, limit):
        """The first trials by name, and how many there are: driven from the drugs' links (an
        index on the drug), never by walking every trial in name order."""
        count = self.trials().count()
        ranked = (
            self.links()
            .order_by("trial__name", "trial_id")
            .values_list("trial_id", flat=True)
            .distinct()[: limit * len(self.ids)]
        )
        ids = list(dict.fromkeys(ranked))[:limit]
        by_id = Trial.objects.in_bulk(ids)
        return [by_id[pk] for pk in ids], count

    def sites(self):
        return TrialSite.objects.filter(trial__in=self.trials().values("pk"))

    def activities(self):
        activities = TrialActivity.objects.filter(interventions__in=self.ids)
        if self.type_ids is not None:
            activities = activities.filter(cancer_types__in=self.type_ids)
        return activities

    def mentioning(self):
        """Ids of the departments whose own text names the drugs (a subquery): PostgreSQL's
        full-text search, served by the departments' GIN index; a plain match elsewhere."""
        names = self.names()
        if not names:
            return None
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            wanted = None
            for name in names:
                one = SearchQuery(name, config="english", search_type="phrase")
                wanted = one if wanted is None else wanted | one
            vector = SearchVector("name", "summary", "description", config="english")
            found = Department.objects.annotate(search=vector).filter(search=wanted)
        else:
            condition = Q()
            for name in names:
                condition |= Q(summary__icontains=name) | Q(description__icontains=name)
            found = Department.objects.filter(condition)
        return found.values("pk")

    def names(self):
        """The names a department's own text may use: the typed alias and the generic name
        (Latin script; PostgreSQL and SQLite both match them case-insensitively)."""
        names = set()
        for drug in self.drugs:
            for text in (drug.typed, drug.name.split(" (")[0]):
                if text and not has_cjk(text) and len(text) >= 4:
                    names.add(text)
        return sorted(names)


def _drug_departments(query):
    """Departments running a trial of the drugs, reporting trials of them, or naming them:
    in that order, then by name (one query per page, one for the count)."""
    mentioning = query.mentioning()
    if query.type_ids is not None or mentioning is None:
        mentions = Q(pk=None)  # with a cancer type, what the department's trials are for
    else:
        mentions = Q(pk__in=mentioning)
    departments = Department.objects.filter(
        Q(pk__in=query.sites().values("department_id"))
        | Q(pk__in=query.activities().values("department_id"))
        | mentions
    )
    if query.hospital_ids is not None:
        departments = departments.filter(hospital_id__in=query.hospital_ids)
    bands = Case(
        When(pk__in=query.sites().values("department_id"), then=Value(RUNS)),
        When(pk__in=query.activities().values("department_id"), then=Value(REPORTS)),
        default=Value(NAMES),
    )
    names = Case(When(mentions, then=Value(True)), default=Value(False))
    return (
        departments.annotate(drug_band=bands, names_drug=names, sort_name=Lower("name"))
        .order_by("drug_band", "sort_name", "slug")
        .values_list("pk", "name", "slug", "drug_band", "names_drug")
    )


def _explain_drug_page(query, rows):
    """Why each department of the page matched (two queries, for the page only):
    "runs IMbrave150 with atezolizumab (Tecentriq)"."""
    ids = [row[0] for row in rows]
    runs, reports = {}, {}
    if ids:
        for dep_id, trial, drug in (
            query.sites()
            .filter(department_id__in=ids, trial__interventions__in=query.ids)
            .values_list("department_id", "trial__name", "trial__interventions")
            .order_by("trial__name")
        ):
            trials = runs.setdefault(dep_id, {}).setdefault(drug, [])
            if trial not in trials:
                trials.append(trial)
        for dep_id, drug in (
            query.activities()
            .filter(department_id__in=ids, interventions__in=query.ids)
            .values_list("department_id", "interventions")
            .order_by("department_id", "pk")
        ):
            reports.setdefault(dep_id, {}).setdefault(drug, None)
    hits = []
    for dep_id, name, slug, band, names_drug in rows:
        parts = []
        if dep_id in runs:
            with_drug = [
                _("%(trials)s with %(drug)s") % {"trials": _join(trials), "drug": query.label(drug)}
                for drug, trials in runs[dep_id].items()
            ]
            parts.append(_("runs %(trials)s") % {"trials": _join(with_drug)})
        if dep_id in reports:
            drugs = _join(query.label(drug) for drug in reports[dep_id])
            parts.append(_("reports trials of %(drugs)s") % {"drugs": drugs})
        if names_drug or not parts:
            drugs = _join(d.generic for d in query.drugs)
            parts.append(_("names %(drugs)s in its description") % {"drugs": drugs})
        key = (band, name.casefold(), slug)
        hits.append(DepartmentHit(dep_id, name, slug, band, _sentence(parts), key))
    return hits


def search_drugs(drugs, *, type_ids=None, hospital_ids=None):
    """Departments and trials for drugs named by generic, brand or Chinese name, or class."""
    query = DrugQuery(tuple(drugs), type_ids, hospital_ids)
    hits = LazyHits(_drug_departments(query), lambda rows: _explain_drug_page(query, rows))
    first, count = query.first_trials(MAX_TRIALS)
    shown = _with_types_and_sites(first)
    prefetch_related_objects(shown, "interventions")
    trial_hits = []
    for trial in shown:
        used = [i.pk for i in trial.interventions.all() if i.pk in query.ids]
        reason = _("With %(drugs)s") % {"drugs": _join(query.label(i) for i in used)}
        types = trial.cancer_types.all()
        if types:
            names = _join(_inline_name(c) for c in types)
            reason = _sentence([reason, _("for %(types)s") % {"types": names}])
        sites = sorted(
            {(s.department.name, s.department.slug) for s in trial.sites.all()},
            key=lambda site: site[0].casefold(),
        )
        trial_hits.append(TrialHit(trial, reason, sites))
    return Found("drug", hits, trial_hits, count)


# --- places alone -----------------------------------------------------------------------------


def _place_phrase(places):
    """The place named, as the page says it: "in Hangzhou", "at FAHZU", "at FAHZU, in
    Hangzhou" (Chinese names on Chinese pages)."""
    parts = []
    hospitals = [p.display_name for p in places.hospitals]
    areas = [p.display_name for p in places.areas]
    if hospitals:
        parts.append(_("at %(hospitals)s") % {"hospitals": _join(hospitals)})
    if areas:
        parts.append(_("in %(places)s") % {"places": _join(areas)})
    return _(", ").join(str(p) for p in parts)


def search_place(places):
    """Every department of the hospitals named or in the places named, by name."""
    phrase = _place_phrase(places)
    departments = (
        Department.objects.filter(hospital_id__in=places.hospital_ids)
        .annotate(sort_name=Lower("name"))
        .order_by("sort_name", "slug")
        .values_list("pk", "name", "slug")
    )

    def explain_page(rows):
        return [
            DepartmentHit(pk, name, slug, 1, _sentence([phrase]), (1, name.casefold(), slug))
            for pk, name, slug in rows
        ]

    return Found("place", LazyHits(departments, explain_page))


# --- related types, never results -------------------------------------------------------------

MAX_RELATED_TYPES = 3
MAX_RELATED_DEPARTMENTS = 3


def _stems(name):
    """The first four letters of each word of five or more ("thymoma", "thymic": "thym")."""
    return {w[:4] for w in normalise(name).split() if len(w) >= 5}


@dataclass(frozen=True)
class Related:
    """A listed type near an unlisted one in the tree, and a few departments listing it."""

    cancer_type: object  # vocabulary Term
    departments: tuple  # (name, slug)


def related_types(vocab, type_id, hospital_ids=None):
    """The nearest types in the same branch of the tree that departments list (siblings, then
    cousins…, never the branch's root nor another branch), each with a few departments.

    At most 1 + MAX_RELATED_TYPES queries, whatever the data's size."""
    ancestors = vocab.ancestors.get(type_id, ())
    if not ancestors:
        return ()
    own = {type_id, *vocab.descendants.get(type_id, ())}
    distance = {}
    # Within the branch: under each ancestor but the root, nearest ancestor first.
    for steps, ancestor in enumerate(ancestors[:-1] or ancestors[:1], start=1):
        for other in vocab.descendants.get(ancestor, ()):
            if other not in own and other not in distance:
                distance[other] = steps
    if not distance:
        return ()
    links = DepartmentCancerType.objects.filter(cancer_type_id=OuterRef("pk"))
    if hospital_ids is not None:
        links = links.filter(department__hospital_id__in=hospital_ids)
    listed = set(
        CancerType.objects.filter(pk__in=list(distance))
        .filter(Exists(links))
        .values_list("pk", flat=True)
    )
    # Nearest first; among them, types that share a word stem with the one asked for
    # ("thymoma", "thymic carcinoma") before mere neighbours in the tree ("lung cancer").
    stems = _stems(vocab.cancer_type(type_id).name)
    kin = {t for t in listed if stems & _stems(vocab.cancer_type(t).name)}
    if kin:
        listed = kin
    chosen = sorted(listed, key=lambda t: (distance[t], vocab.cancer_type(t).name))
    related = []
    for other in chosen[:MAX_RELATED_TYPES]:
        rows = DepartmentCancerType.objects.filter(cancer_type_id=other)
        if hospital_ids is not None:
            rows = rows.filter(department__hospital_id__in=hospital_ids)
        departments = tuple(
            rows.order_by(Lower("department__name"), "department__slug").values_list(
                "department__name", "department__slug"
            )[:MAX_RELATED_DEPARTMENTS]
        )
        related.append(Related(vocab.cancer_type(other), departments))
    return tuple(related)


# --- the search page --------------------------------------------------------------------------


def _attach_departments(page_obj):
    ids = [hit.id for hit in page_obj.object_list]
    if not ids:
        return
    by_id = Department.objects.select_related("hospital").in_bulk(ids)
    for hit in page_obj.object_list:
        hit.department = by_id.get(hit.id)


def _page_number(page):
    try:
        return max(int(page), 1)
    except (TypeError, ValueError):
        return 1


def find(vocab, resolution, page=None, *, places=None, drugs=(), text=None):
    """Search by what the query resolved to: drugs, a cancer type (and service), a service, a
    place or hospital alone, or text; a place or hospital named filters every one of them."""
    hospital_ids = places.hospital_ids if places is not None and places.found else None
    text = resolution.query if text is None else text
    if drugs:
        type_ids = None
        if resolution.cancer_type is not None:
            type_ids = frozenset(vocab.related_cancer_type_ids(resolution.cancer_type.id))
        return search_drugs(drugs, type_ids=type_ids, hospital_ids=hospital_ids)
    if resolution.cancer_type is not None:
        service_ids = (resolution.service.id,) if resolution.service is not None else ()
        return search_cancer_type(
            vocab,
            resolution.cancer_type.id,
            service_ids,
            page=_page_number(page),
            hospital_ids=hospital_ids,
        )
    if resolution.service is not None:
        broader = next((t for t in resolution.generic if not t.is_cancer_type), None)
        ranked = rank_for_service(vocab, resolution.service.id, hospital_ids, broader)
        return Found("service", ranked)
    if hospital_ids is not None and not _words(text):
        return search_place(places)
    return text_search(text, hospital_ids)


def _resolve_rest(typed, rest):
    """The Resolution of what is left once places or drugs are taken out of the query."""
    resolution = resolve(rest) if rest.strip() else None
    if resolution is None or not resolution.normalised:  # nothing left but "the", "of"
        resolution = Resolution(normalised=typed.normalised)
    resolution.query, resolution.truncated = typed.query, typed.truncated
    return resolution


def _read_places_and_drugs(typed):
    """(resolution, PlaceReading, DrugReading): places and hospitals first, then drugs, each
    looked up only while words of the query are left not understood (a query that resolves
    completely, "HCC", costs no extra query)."""
    places = PlaceReading(rest=typed.query, query=typed.query)
    drugs = DrugReading(rest=typed.query)
    if not typed.normalised or (typed.resolved and not typed.ignored):
        return typed, places, drugs
    resolution = typed
    places = find_places(typed.query)
    if places.found:
        resolution = _resolve_rest(typed, places.rest)
    drugs = DrugReading(rest=places.rest)
    if places.rest.strip() and (not resolution.resolved or resolution.ignored):
        drugs = find_drugs(places.rest)
        if drugs.drugs:
            resolution = _resolve_rest(typed, drugs.rest)
    return resolution, places, drugs


def search(text, page=None, *, per_page=PER_PAGE):
    """Everything the search page shows for `text`: places, hospitals and drugs are read out of
    it first (each one query), the rest resolved as before."""
    typed = resolve(text)
    resolution, places, drugs = _read_places_and_drugs(typed)
    rest = drugs.rest
    results = SearchResults(resolution, places=places, drugs=drugs.drugs)
    if not resolution.normalised:
        results.page_obj = Paginator([], per_page).get_page(1)
        return results
    vocab = resolution.vocabulary or get_vocabulary()
    found = find(vocab, resolution, page, places=places, drugs=drugs.drugs, text=rest)
    results.mode = found.mode
    results.hits = found.hits
    results.trial_count = len(found.trials) if found.trial_count is None else found.trial_count
    results.trials = found.trials[:MAX_TRIALS]
    results.page_obj = Paginator(found.hits, per_page).get_page(page)
    _attach_departments(results.page_obj)
    if not results.hits and resolution.cancer_type is not None and not drugs.drugs:
        hospital_ids = places.hospital_ids if places.found else None
        results.related = related_types(vocab, resolution.cancer_type.id, hospital_ids)
    if places.found and not results.hits:
        results.known_places = known_places()
    if results.mode == "text" and not results.has_results:
        results.suggestions = suggest(rest, vocab)
    return results
