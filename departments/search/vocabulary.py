"""The compiled search vocabulary: every name and alias of every cancer type and service,
normalised once, with each cancer type's ancestors and descendants (from `CancerTypeTree`).

It is built from four queries, kept in Django's cache under a versioned key (and memoised in the
process for the current version), and rebuilt only when a CancerType, CancerTypeAlias, Service or
ServiceAlias is saved or deleted: the signal handlers in `connect_signals()` (wired up in
`DepartmentsConfig.ready`) store a new version.
"""

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from departments.dataversion import move_version, shared_version
from departments.normalise import lower_first
from departments.tree import CancerTypeTree, TreeNode

from .text import has_cjk, normalise

CANCER_TYPE = "cancer_type"
SERVICE = "service"

VERSION_KEY = "portal:search:vocabulary-version"
SCHEMA = 3  # bump when the shape of Vocabulary changes
_memo = None  # (version, Vocabulary) for this process
_local = threading.local()  # .dirty: the transaction in which this thread changed the vocabulary


@dataclass(frozen=True)
class Term:
    """A cancer type or service, as the search knows it."""

    kind: str  # CANCER_TYPE or SERVICE
    id: int
    name: str
    slug: str
    name_zh: str = ""
    parent_id: int | None = None
    category: str = ""

    @property
    def is_cancer_type(self):
        return self.kind == CANCER_TYPE

    def get_absolute_url(self):
        from django.urls import reverse

        if self.is_cancer_type:
            return reverse("portal:cancertype-detail", kwargs={"slug": self.slug})
        return reverse("portal:department-list") + f"?service={self.slug}"

    @property
    def inline_name(self):
        """The name as it reads mid-sentence: "hepatocellular carcinoma", "HER2-positive…";
        on Chinese pages its Chinese name where it has one."""
        from departments.localise import is_chinese

        if self.name_zh and is_chinese():
            return self.name_zh
        return inline(self.name)


@dataclass(frozen=True)
class Entry:
    """One way of saying a term: its name, Chinese name, slug or an alias."""

    key: str  # normalised text
    text: str  # as written in the vocabulary
    kind: str  # "name", "name_zh", "slug" or an AliasKind value
    term_kind: str
    term_id: int

    @property
    def is_abbreviation(self):
        return self.kind == "abbreviation"


# Proper nouns keep their capital inside a sentence.
_KEEP_CAPITAL = ("Hodgkin", "Wilms", "Klatskin", "Chinese", "Kaposi", "Ewing", "Merkel")


def inline(name):
    if not name or name.startswith(_KEEP_CAPITAL):
        return name
    first = name.split()[0]
    if len(first) > 1 and any(c.isupper() for c in first[1:]):
        return name  # HER2-positive, CAR-T, NGS
    return lower_first(name)


@dataclass
class Vocabulary:
    terms: dict = field(default_factory=dict)  # (kind, id) -> Term
    exact: dict = field(default_factory=dict)  # key -> tuple[Entry]
    compact: dict = field(default_factory=dict)  # key without spaces -> tuple[Entry]
    cjk_keys: tuple = ()  # keys containing Chinese, longest first
    cjk_by_first: dict = field(default_factory=dict)  # first character -> cjk keys, longest first
    fuzzy_keys: tuple = ()  # keys long enough for typo-tolerant matching
    words: tuple = ()  # single words (5+ letters) of all keys, for correcting typed words
    max_words: int = 1  # longest key, in words
    ancestors: dict = field(default_factory=dict)  # cancer type id -> tuple (nearest first)
    descendants: dict = field(default_factory=dict)  # cancer type id -> tuple (display order)
    narrower_services: dict = field(default_factory=dict)  # service id -> tuple of ids
    version: str = ""

    def term(self, kind, term_id):
        return self.terms.get((kind, term_id))

    def cancer_type(self, term_id):
        return self.terms.get((CANCER_TYPE, term_id))

    def service(self, term_id):
        return self.terms.get((SERVICE, term_id))

    def by_slug(self, kind, slug):
        for term in self.terms.values():
            if term.kind == kind and term.slug == slug:
                return term
        return None

    def lookup(self, key):
        """Entries whose normalised text is `key` (exactly, ignoring spaces, or a plural)."""
        if not key:
            return ()
        found = self.exact.get(key) or self.compact.get(key.replace(" ", ""))
        if not found and len(key) > 5 and key.endswith("s") and not has_cjk(key):
            found = self.exact.get(key[:-1])
        return found or ()

    def related_cancer_type_ids(self, term_id):
        """The type, its broader types and its narrower types (never its siblings)."""
        return {term_id, *self.ancestors.get(term_id, ()), *self.descendants.get(term_id, ())}


def build_vocabulary(cancer_types, cancer_aliases, services, service_aliases, *, version=""):
    """Compile the vocabulary from plain rows (pure: no database, easy to test).

    cancer_types: (id, name, slug, name_zh, parent_id); services: (id, name, slug, name_zh,
    category); aliases: (owner id, text, kind, normalised).
    """
    terms = _terms(cancer_types, services)
    exact = _exact(_entries(terms, {CANCER_TYPE: cancer_aliases, SERVICE: service_aliases}))
    cjk_keys = tuple(sorted((k for k in exact if has_cjk(k)), key=lambda k: (-len(k), k)))
    fuzzy_keys = _fuzzy_keys(exact)
    tree = CancerTypeTree(
        TreeNode(t.id, t.parent_id, t.slug) for t in terms.values() if t.is_cancer_type
    )
    return Vocabulary(
        terms=terms,
        exact=exact,
        compact=_compact(exact),
        cjk_keys=cjk_keys,
        cjk_by_first=_by_first_character(cjk_keys),
        fuzzy_keys=fuzzy_keys,
        words=tuple(
            sorted({w for k in fuzzy_keys for w in k.split() if len(w) > 4 and w.isalpha()})
        ),
        max_words=max((len(k.split()) for k in exact), default=1),
        ancestors={n.pk: tuple(a.pk for a in tree.ancestors(n)) for n in tree.nodes},
        descendants={n.pk: tuple(d.pk for d in tree.descendants(n)) for n in tree.nodes},
        narrower_services=_narrower_services(terms),
        version=version,
    )


def _terms(cancer_types, services):
    """(kind, id) -> Term, cancer types first."""
    terms = {}
    for term_id, name, slug, name_zh, parent_id in cancer_types:
        terms[(CANCER_TYPE, term_id)] = Term(
            CANCER_TYPE, term_id, name, slug, name_zh or "", parent_id
        )
    for term_id, name, slug, name_zh, category in services:
        terms[(SERVICE, term_id)] = Term(
            SERVICE, term_id, name, slug, name_zh or "", None, category
        )
    return terms


def _entries(terms, aliases):
    """Normalised key -> every Entry with that key: names, Chinese names, slugs and aliases.

    `aliases` maps a term kind to its alias rows (owner id, text, kind, normalised).
    """
    entries = defaultdict(list)

    def add(kind, term_id, text, entry_kind, key=None):
        key = normalise(text) if key is None else key
        if key:
            entries[key].append(Entry(key, text, entry_kind, kind, term_id))

    for (kind, term_id), term in terms.items():
        add(kind, term_id, term.name, "name")
        add(kind, term_id, term.name_zh, "name_zh")
        add(kind, term_id, term.slug.replace("-", " "), "slug")
    for kind, rows in aliases.items():
        for owner_id, text, alias_kind, normalised in rows:
            if (kind, owner_id) in terms:
                add(kind, owner_id, text, alias_kind, normalised or None)
    return entries


def _exact(entries):
    """One entry per (key, term), the most telling kind first (a name beats its slug)."""
    rank = {"name": 0, "abbreviation": 1, "name_zh": 2}
    exact = {}
    for key, found in entries.items():
        best = {}
        for entry in sorted(found, key=lambda e: (rank.get(e.kind, 3), e.text)):
            best.setdefault((entry.term_kind, entry.term_id), entry)
        exact[key] = tuple(best.values())
    return exact


def _compact(exact):
    """The exact index keyed without spaces ("non small cell" and "nonsmall cell" meet)."""
    compact = defaultdict(dict)
    for key, found in exact.items():
        for entry in found:
            compact[key.replace(" ", "")].setdefault((entry.term_kind, entry.term_id), entry)
    return {key: tuple(found.values()) for key, found in compact.items()}


def _by_first_character(keys):
    by_first = defaultdict(list)
    for key in keys:
        by_first[key[0]].append(key)
    return {char: tuple(keys) for char, keys in by_first.items()}


def _fuzzy_keys(exact):
    """Keys for typo-tolerant matching: words and phrases of five letters or more, never
    abbreviations (NET must not become NSCLC, nor NSCLS become NSCLC)."""
    return tuple(
        sorted(
            k
            for k, found in exact.items()
            if len(k) > 4 and not has_cjk(k) and not all(e.is_abbreviation for e in found)
        )
    )


def _narrower_services(terms):
    """Service id -> ids of the services whose names contain its name, a kind of it
    ("day-care chemotherapy" is a kind of "chemotherapy")."""
    words = {t.id: normalise(t.name).split() for t in terms.values() if not t.is_cancer_type}
    return {
        term_id: tuple(
            sorted(
                other_id
                for other_id, other in words.items()
                if other_id != term_id and len(other) > len(own) and own and _contains(other, own)
            )
        )
        for term_id, own in words.items()
    }


def _contains(words, part):
    n = len(part)
    return any(words[i : i + n] == part for i in range(len(words) - n + 1))


def load_vocabulary(version=""):
    """Build the vocabulary from the database (four queries)."""
    from departments.models import CancerType, CancerTypeAlias, Service, ServiceAlias

    return build_vocabulary(
        CancerType.objects.values_list("pk", "name", "slug", "name_zh", "parent_id"),
        CancerTypeAlias.objects.values_list("cancer_type_id", "text", "kind", "normalised"),
        Service.objects.values_list("pk", "name", "slug", "name_zh", "category"),
        ServiceAlias.objects.values_list("service_id", "text", "kind", "normalised"),
        version=version,
    )


def _cache_key(version):
    return f"portal:search:vocabulary:{SCHEMA}:{version}"


def current_version():
    return shared_version(VERSION_KEY)


def _transaction_marker():
    """Identifies the current outermost transaction (None in autocommit)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block or not connection.atomic_blocks:
        return None
    return id(connection.atomic_blocks[0])


def get_vocabulary():
    """The compiled vocabulary for the current version: one cache read per call, no queries.

    Inside a transaction that has itself changed the vocabulary, the vocabulary is built fresh
    (and not cached) until that transaction ends, so neither an uncommitted nor a rolled-back
    change ever reaches the cache.
    """
    global _memo
    dirty = getattr(_local, "dirty", None)
    if dirty is not None:
        if dirty == _transaction_marker():
            return load_vocabulary("uncommitted")
        _local.dirty = None  # that transaction has ended: committed or rolled back
        reset_vocabulary_cache()
    version = current_version()
    memo = _memo
    if memo is not None and memo[0] == version:
        return memo[1]
    vocab = cache.get(_cache_key(version))
    if vocab is None:
        vocab = load_vocabulary(version)
        cache.set(_cache_key(version), vocab, timeout=None)
    _memo = (version, vocab)
    return vocab


def reset_vocabulary_cache():
    """Forget the compiled vocabulary (no database access): the next read rebuilds it."""
    global _memo
    _memo = None
    move_version(VERSION_KEY)


def _committed():
    _local.dirty = None
    reset_vocabulary_cache()


def bump_vocabulary_version(**kwargs):
    """A term or alias changed: every process rebuilds its vocabulary on its next read.

    Within a transaction, this thread reads the vocabulary fresh until the transaction ends;
    once it commits, everyone rebuilds again (a rebuild in between saw the old state).
    """
    reset_vocabulary_cache()
    marker = _transaction_marker()
    if marker is not None:
        _local.dirty = marker
        transaction.on_commit(_committed)


def connect_signals():
    from departments.models import CancerType, CancerTypeAlias, Service, ServiceAlias

    for model in (CancerType, CancerTypeAlias, Service, ServiceAlias):
        uid = f"search-vocabulary-{model._meta.label_lower}"
        post_save.connect(bump_vocabulary_version, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(bump_vocabulary_version, sender=model, dispatch_uid=f"{uid}-delete")
