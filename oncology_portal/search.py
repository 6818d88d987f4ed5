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
    Count,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.localise import is_chinese
from departments.models import (
    Department,
    DepartmentCancerType,
    DepartmentService,
    ResearchDirection,
)
from departments.normalise import lower_first
from departments.quantities import render_quantity
from departments.search.expand import Expansion, expand, expand_service
from departments.search.resolve import Resolution, resolve, suggest
from departments.search.text import STOP_WORDS, has_cjk, tokenise
from departments.search.vocabulary import Vocabulary, get_vocabulary, inline
from trials.models import Trial, TrialActivity, TrialSite

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
MAX_TRIALS = 50

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
    for dep_id, dep_name, dep_slug, trial_id, trial_name, cid in TrialSite.objects.filter(
        trial__cancer_types__in=ids, department_id__in=department_ids
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


class RankedDepartments(Sequence):
    """The departments for a cancer-type query, best first, explained a page at a time.

    The database ranks (oncology_portal.ranking); evidence is gathered and reasons written only
    for the slice asked for, so a page costs the same with 5 or 50,000 matching departments.
    """

    def __init__(self, query, *, first_page=1, per_page=PER_PAGE):
        self.query = query
        # The page a visitor asked for is ranked first, with the count, in one query.
        self._first = ((first_page - 1) * per_page, first_page * per_page)
        self.sql = RankingSQL.build(query)
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

    def count(self):
        return len(self)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("Ranked departments are sliced in order, step 1.")
            return self._explained(self._page(start, max(stop, start)))
        hits = self[index : index + 1] if index >= 0 else self[len(self) + index :][:1]
        if not hits:
            raise IndexError(index)
        return hits[0]

    def __iter__(self):
        for start in range(0, len(self), 500):
            yield from self[start : start + 500]

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
    # The first rows in index order, and the count as one scalar subquery (not a window over
    # every row of the type).
    total = rows.order_by().values("cancer_type").annotate(n=Count("*")).values("n")
    ranked = list(
        rows.annotate(total=Subquery(total))
        .order_by("group", "name", "trial_id")
        .values_list("trial_id", "total")[:MAX_TRIALS]
    )
    trials = Trial.objects.in_bulk([trial_id for trial_id, _ in ranked])
    shown = [trials[trial_id] for trial_id, _ in ranked]
    count = ranked[0][1] if ranked else 0
    return [_trial_hit(query, trial) for trial in _with_types_and_sites(shown)], count


def _with_types_and_sites(trials):
    prefetch_related_objects(
        trials,
        "cancer_types",
        Prefetch("sites", queryset=TrialSite.objects.select_related("department")),
    )
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


def search_cancer_type(vocab, type_id, service_ids=(), *, page=1):
    """Departments and trials for a cancer type, departments lifted by the given services."""
    query = CancerTypeQuery(vocab, expand(vocab, type_id), tuple(service_ids))
    trials, trial_count = rank_trials(query)
    return Found("cancer_type", RankedDepartments(query, first_page=page), trials, trial_count)


# --- services ---------------------------------------------------------------------------------


class RankedServiceDepartments(Sequence):
    """Departments offering the service (or a narrower one), the matching specialty first:
    ranked by the database a page at a time (oncology_portal.ranking.service_page), explained
    only for the page shown."""

    def __init__(self, vocab, service_id):
        self.vocab = vocab
        self.service_id = service_id
        self.term = vocab.service(service_id)
        self.service_ids = sorted(expand_service(vocab, service_id).ids)
        self.kind = KIND_FOR_CATEGORY.get(self.term.category, "")
        self._count = None
        self._pages = {}  # (start, stop) -> hits

    def _rows(self, start, stop):
        """Hits from `start` to `stop`, from a page already ranked when one covers them."""
        for (begin, end), hits in self._pages.items():
            if begin == start and (stop <= end or len(hits) < end - begin):
                return hits[: stop - start]
        rows, total = service_page(
            self.service_id, self.service_ids, self.kind, start, stop - start
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

    def count(self):
        return len(self)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("Ranked departments are sliced in order, step 1.")
            return self._rows(start, max(stop, start))
        hits = self[index : index + 1] if index >= 0 else self[len(self) + index :][:1]
        if not hits:
            raise IndexError(index)
        return hits[0]

    def __iter__(self):
        for start in range(0, len(self), 500):
            yield from self[start : start + 500]

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


def rank_for_service(vocab, service_id):
    """Departments offering the service (or a narrower one); the matching specialty first."""
    return RankedServiceDepartments(vocab, service_id)


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


def _text_department_hits(query, words):
    """Departments whose name or description has the words: by name first."""
    hits = {}
    shown = query.strip()
    departments = _text_matches(Department, ("name", "summary", "description"), words)
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
    for pk, name, slug, direction in directions.values_list(
        "department_id", "department__name", "department__slug", "name"
    ).order_by("department_id", "sort_order", "pk"):
        if pk not in hits:
            reason = _("Research direction: %(direction)s") % {"direction": direction}
            hits[pk] = DepartmentHit(pk, name, slug, 3, reason)
    return hits


def _text_trials(query):
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
    trials = (
        Trial.objects.filter(condition)
        .distinct()
        .prefetch_related("cancer_types", "sites__department")
    )
    return sorted(trials, key=lambda t: t.name.casefold())


def _add_trial_hits(hits, trials, query):
    """Departments running the trials, or reporting trials of the drug named; a department
    already found says so first."""
    merged = set()
    for trial in trials:
        for site in trial.sites.all():
            dep = site.department
            hit = hits.get(dep.pk)
            if hit is None:
                reason = _("Runs %(trial)s") % {"trial": trial.name}
                hits[dep.pk] = DepartmentHit(dep.pk, dep.name, dep.slug, 4, reason)
            elif (dep.pk, trial.pk) not in merged:
                runs = _("runs %(trials)s") % {"trials": trial.name}
                hit.reason = _sentence([runs, lower_first(hit.reason)])
            merged.add((dep.pk, trial.pk))
    for pk, name, slug, drug in (
        TrialActivity.objects.filter(interventions__name__iexact=query.strip())
        .values_list("department_id", "department__name", "department__slug", "interventions__name")
        .order_by("department_id", "pk")
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


def text_search(query):
    """Departments and trials matching free text: PostgreSQL full-text search, else icontains."""
    words = _words(query)
    if not words:
        return Found("text", [], [])
    hits = _text_department_hits(query, words)
    trials = _text_trials(query)
    _add_trial_hits(hits, trials, query)
    ranked = sorted(hits.values(), key=lambda h: (h.band, h.name.casefold(), h.slug))
    for hit in ranked:
        hit.sort_key = (hit.band, hit.name.casefold(), hit.slug)
    return Found("text", ranked, [_text_trial_hit(t) for t in trials])


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


def find(vocab, resolution, page=None):
    """Search by what the query resolved to: a cancer type (and service), a service, or text."""
    if resolution.cancer_type is not None:
        service_ids = (resolution.service.id,) if resolution.service is not None else ()
        return search_cancer_type(
            vocab, resolution.cancer_type.id, service_ids, page=_page_number(page)
        )
    if resolution.service is not None:
        return Found("service", rank_for_service(vocab, resolution.service.id))
    return text_search(resolution.query)


def search(text, page=None, *, per_page=PER_PAGE):
    """Everything the search page shows for `text`."""
    resolution = resolve(text)
    results = SearchResults(resolution)
    if not resolution.normalised:
        results.page_obj = Paginator([], per_page).get_page(1)
        return results
    vocab = resolution.vocabulary or get_vocabulary()
    found = find(vocab, resolution, page)
    results.mode = found.mode
    results.hits = found.hits
    results.trial_count = len(found.trials) if found.trial_count is None else found.trial_count
    results.trials = found.trials[:MAX_TRIALS]
    results.page_obj = Paginator(found.hits, per_page).get_page(page)
    _attach_departments(results.page_obj)
    if results.mode == "text" and not results.has_results:
        results.suggestions = suggest(resolution.query, vocab)
    return results
