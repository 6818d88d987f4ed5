"""Resolve what a referrer typed to a cancer type and/or a service (pure given a Vocabulary).

Order: the whole query exactly (names, aliases, abbreviations, Chinese); the query without its
stage qualifiers; the query read phrase by phrase (longest vocabulary phrase first, Chinese
segmented by its longest aliases, qualifiers and stop words set aside); then typo-tolerant
matching with rapidfuzz — never for words of four letters or fewer, at most one edit for five to
seven letters and two for longer ones.
"""

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .text import (
    STOP_WORDS,
    Token,
    clean_query,
    has_cjk,
    qualifier_length,
    strip_chinese_qualifiers,
    tokenise,
)
from .vocabulary import CANCER_TYPE, SERVICE, Entry, Term, Vocabulary, get_vocabulary

EXACT = "exact"
PARTIAL = "partial"
ABBREVIATION = "abbreviation"
CHINESE = "chinese"
FUZZY = "fuzzy"

# Short abbreviations that are also everyday words: inside a longer query they count only when
# typed in capitals ("ALL relapse" is leukaemia, "all cancers" is not).
COMMON_WORD_ABBREVIATIONS = frozenset(
    {"all", "net", "nets", "cup", "mm", "hl", "rt", "ct", "ip", "pet"}
)
GENERIC_TYPOS = (
    "cancer",
    "cancers",
    "carcinoma",
    "tumour",
    "tumours",
    "tumor",
    "tumors",
    "neoplasm",
    "malignancy",
    "malignant",
)
MAX_ALTERNATIVES = 5
_METASTATIC_ABBREVIATION = re.compile(r"^m[A-Z]{2,6}$")


def allowed_edits(length):
    """Typos tolerated for a word or phrase of this many characters."""
    if length <= 4:
        return 0
    return 1 if length <= 7 else 2


@dataclass(frozen=True)
class Match:
    term: Term
    typed: str  # the user's words for it
    entry: Entry  # the vocabulary text it matched
    method: str  # EXACT, ABBREVIATION, CHINESE or FUZZY
    distance: int = 0

    @property
    def via(self):
        return self.entry.text


@dataclass
class Resolution:
    """What the query was understood as."""

    query: str = ""
    truncated: bool = False
    normalised: str = ""
    cancer_type: Term | None = None
    service: Term | None = None
    matches: tuple = ()  # Match for the cancer type and/or the service
    qualifiers: tuple = ()  # words set aside ("metastatic", "first line")
    ignored: tuple = ()  # words not understood and not used
    alternatives: tuple = ()  # other readings of the query (ambiguous)
    see_also: tuple = ()  # other terms with the same words ("melanoma" → uveal melanoma)
    vocabulary: Vocabulary | None = field(default=None, repr=False, compare=False)

    @property
    def resolved(self):
        return self.cancer_type is not None or self.service is not None

    @property
    def term(self):
        return self.cancer_type or self.service

    @property
    def ambiguous(self):
        return bool(self.alternatives)

    @property
    def method(self):
        return self.matches[0].method if self.matches else ""

    @property
    def is_fuzzy(self):
        return any(m.method in (FUZZY, PARTIAL) for m in self.matches)

    @property
    def terms(self):
        return tuple(t for t in (self.cancer_type, self.service) if t is not None)

    def related_cancer_type_ids(self):
        if self.cancer_type is None or self.vocabulary is None:
            return set()
        return self.vocabulary.related_cancer_type_ids(self.cancer_type.id)


def _method(entry):
    if entry.kind in ("chinese", "name_zh"):
        return CHINESE
    return ABBREVIATION if entry.is_abbreviation else EXACT


def _matches(entries, typed, method=None, distance=0, vocab=None):
    """Matches for the entries of one key: cancer types first, then by name."""
    found = [
        Match(vocab.term(e.term_kind, e.term_id), typed, e, method or _method(e), distance)
        for e in entries
        if vocab.term(e.term_kind, e.term_id) is not None
    ]
    return sorted(found, key=lambda m: (m.term.kind != CANCER_TYPE, m.term.name))


def _pick(found, alternatives):
    """One reading of a phrase; any other reading of the same words is an alternative."""
    alternatives.extend(m.term for m in found[1:])
    return found[:1]


def _segment_chinese(vocab, token, alternatives):
    """Longest Chinese (or mixed) aliases inside one token, left to right."""
    text = token.norm
    found, leftovers, run, pos = [], [], "", 0
    while pos < len(text):
        for key in vocab.cjk_by_first.get(text[pos], ()):
            if text.startswith(key, pos):
                found.extend(_pick(_matches(vocab.exact[key], key, vocab=vocab), alternatives))
                if run:
                    leftovers.append(run)
                    run = ""
                pos += len(key)
                break
        else:
            run += text[pos]
            pos += 1
    if run:
        leftovers.append(run)
    return found, leftovers


def _common_word(key, tokens, multiword):
    """A short abbreviation that is also an everyday word, typed in lower case in a phrase."""
    return (
        multiword and key in COMMON_WORD_ABBREVIATIONS and not all(t.raw.isupper() for t in tokens)
    )


def _longest_span(vocab, tokens, i, *, min_len, max_len, multiword=True):
    words = [t.norm for t in tokens]
    for j in range(min(len(tokens), i + max_len), i + min_len - 1, -1):
        key = " ".join(words[i:j])
        entries = vocab.lookup(key)
        if not entries:
            continue
        if _common_word(key, tokens[i:j], multiword):
            continue
        typed = " ".join(t.raw for t in tokens[i:j])
        return j, _matches(entries, typed, vocab=vocab)
    return i, []


def _parse(vocab, tokens, multiword=True):
    """Read the query phrase by phrase.

    Returns (matches, qualifiers, ignored words, unknown token indexes, alternatives).
    """
    matches, qualifiers, ignored, unknown, alternatives = [], [], [], [], []
    words = [t.norm for t in tokens]
    i = 0
    while i < len(tokens):
        j, found = _longest_span(
            vocab, tokens, i, min_len=2, max_len=vocab.max_words, multiword=multiword
        )
        if found:
            matches.extend(_pick(found, alternatives))
            i = j
            continue
        q = qualifier_length(words, i)
        if q:
            qualifiers.append(" ".join(t.raw for t in tokens[i : i + q]))
            i += q
            continue
        j, found = _longest_span(vocab, tokens, i, min_len=1, max_len=1, multiword=multiword)
        if not found and _METASTATIC_ABBREVIATION.match(tokens[i].raw):
            # "mCRC", "mNSCLC": metastatic + an abbreviation.
            rest = tokens[i].raw[1:].casefold()
            found = [
                m
                for m in _matches(vocab.lookup(rest), tokens[i].raw, vocab=vocab)
                if m.entry.is_abbreviation
            ]
            if found:
                qualifiers.append("metastatic")
        if found:
            matches.extend(_pick(found, alternatives))
        elif has_cjk(words[i]):
            found, leftovers = _segment_chinese(vocab, tokens[i], alternatives)
            matches.extend(found)
            for run in leftovers:
                target = qualifiers if not strip_chinese_qualifiers(run).strip() else ignored
                if found or target is qualifiers:
                    target.append(run)
            if not found:
                unknown.append(i)
        elif words[i] not in STOP_WORDS:
            unknown.append(i)
        i += 1
    return matches, qualifiers, ignored, unknown, alternatives


def _fuzzy_entries(vocab, text):
    """(distance, entries) for the vocabulary keys within the allowed edits of `text`."""
    limit = allowed_edits(len(text))
    if not limit:
        return None, []
    hits = process.extract(
        text, vocab.fuzzy_keys, scorer=OSA.distance, score_cutoff=limit, limit=None
    )
    hits = [(key, dist) for key, dist, _ in hits if dist <= allowed_edits(len(key))]
    if not hits:
        return None, []
    best = min(dist for _, dist in hits)
    entries = [e for key, dist in sorted(hits) if dist == best for e in vocab.exact[key]]
    return best, entries


def _correct_word(vocab, word):
    """The vocabulary word a mistyped word was meant to be, "" for a generic word, or None."""
    limit = allowed_edits(len(word))
    if not limit or not word.isalpha():
        return None
    generic = min(OSA.distance(word, g) for g in GENERIC_TYPOS)
    hit = process.extractOne(word, vocab.words, scorer=OSA.distance, score_cutoff=limit)
    if hit is not None and hit[1] > allowed_edits(len(hit[0])):
        hit = None
    if generic <= limit and (hit is None or generic < hit[1]):
        return ""
    return hit[0] if hit else None


def _prefix_matches(vocab, tokens, max_terms=3):
    """Terms whose names or aliases begin with the typed words (or, for one word of six
    letters or more, with its letters): the shortest first; none if too many share it."""
    phrase = " ".join(t.norm for t in tokens)
    if not phrase or has_cjk(phrase) or len(phrase) < 4:
        return []
    single = len(tokens) == 1 and len(phrase) >= 6
    keys = [
        k
        for k in vocab.exact
        if k.startswith(phrase + " ") or (single and k.startswith(phrase) and k != phrase)
    ]
    typed = " ".join(t.raw for t in tokens)
    found = _dedupe(
        m
        for key in sorted(keys, key=lambda k: (len(k), k))
        for m in _matches(vocab.exact[key], typed, PARTIAL, vocab=vocab)
    )
    return found if 0 < len(found) <= max_terms else []


def _dedupe(matches):
    seen, result = set(), []
    for m in matches:
        key = (m.term.kind, m.term.id)
        if key not in seen:
            seen.add(key)
            result.append(m)
    return result


def _choose(vocab, matches):
    """(primary cancer-type match, primary service match, alternatives)."""
    matches = _dedupe(matches)
    cancers = [m for m in matches if m.term.kind == CANCER_TYPE]
    services = [m for m in matches if m.term.kind == SERVICE]
    # Where one cancer type is broader than another named, the narrower one is meant
    # ("liver cancer HCC" is HCC).
    cancers = [
        m
        for m in cancers
        if not any(m.term.id in vocab.ancestors.get(o.term.id, ()) for o in cancers)
    ]
    services = [
        m
        for m in services
        if not any(o.term.id in vocab.narrower_services.get(m.term.id, ()) for o in services)
    ]
    cancer = cancers[0] if cancers else None
    service = services[0] if services else None
    alternatives = [m.term for m in cancers[1:] + services[1:]]
    return cancer, service, alternatives


def _see_also(vocab, resolution):
    """Other terms of the same kind whose names contain the matched words (not relatives)."""
    term = resolution.term
    if term is None:
        return ()
    if term.kind == CANCER_TYPE:
        related = vocab.related_cancer_type_ids(term.id)
    else:
        related = {term.id, *vocab.narrower_services.get(term.id, ())}
    excluded = {(t.kind, t.id) for t in resolution.alternatives}
    keys = {m.entry.key for m in resolution.matches if m.term == term}
    found = {}
    for key in keys:
        if has_cjk(key) or len(key) < 4:
            continue
        for other_key in vocab.fuzzy_keys:
            if (
                other_key != key
                and f" {key} " in f" {other_key} "
                and (f"non {key}" not in other_key)
            ):
                for entry in vocab.exact[other_key]:
                    other = vocab.term(entry.term_kind, entry.term_id)
                    if (
                        other is not None
                        and other.kind == term.kind
                        and other.id not in related
                        and (other.kind, other.id) not in excluded
                    ):
                        found[(other.kind, other.id)] = other
    return tuple(sorted(found.values(), key=lambda t: t.name)[:MAX_ALTERNATIVES])


def _finish(vocab, resolution, matches, extra_alternatives=()):
    cancer, service, alternatives = _choose(vocab, matches)
    resolution.cancer_type = cancer.term if cancer else None
    resolution.service = service.term if service else None
    resolution.matches = tuple(m for m in (cancer, service) if m is not None)
    chosen = {(t.kind, t.id) for t in resolution.terms}
    alts = {}
    for term in [*alternatives, *extra_alternatives]:
        if (term.kind, term.id) not in chosen:
            alts.setdefault((term.kind, term.id), term)
    resolution.alternatives = tuple(list(alts.values())[:MAX_ALTERNATIVES])
    resolution.see_also = _see_also(vocab, resolution)
    return resolution


def _rank_fuzzy(vocab, entries, typed, distance):
    """Fuzzy hits as matches, deterministic: cancer types first, then by name."""
    matches = _dedupe(_matches(entries, typed, FUZZY, distance, vocab=vocab))
    matches.sort(key=lambda m: (m.term.kind != CANCER_TYPE, m.term.name))
    return matches


def resolve(text, vocabulary=None):
    """Understand a query: the cancer type and/or service it names, and what was set aside."""
    query, truncated = clean_query(text)
    resolution = Resolution(query=query, truncated=truncated)
    tokens = tokenise(query)
    words = [t.norm for t in tokens]
    resolution.normalised = " ".join(words)
    if not tokens:
        return resolution
    vocab = vocabulary if vocabulary is not None else get_vocabulary()
    resolution.vocabulary = vocab

    # 1. The whole query, exactly.
    entries = vocab.lookup(resolution.normalised)
    if entries and not _common_word(resolution.normalised, tokens, len(query.split()) > 1):
        found = _matches(entries, query, vocab=vocab)
        return _finish(vocab, resolution, found[:1], [m.term for m in found[1:]])

    # 2. Without stage and setting qualifiers ("metastatic HER2+ breast cancer").
    kept, qualifiers, i = [], [], 0
    while i < len(words):
        q = qualifier_length(words, i, biomarkers=False)
        if q:
            qualifiers.append(" ".join(t.raw for t in tokens[i : i + q]))
            i += q
        else:
            kept.append(tokens[i])
            i += 1
    if kept and qualifiers:
        entries = vocab.lookup(" ".join(t.norm for t in kept))
        if entries:
            resolution.qualifiers = tuple(qualifiers)
            typed = " ".join(t.raw for t in kept)
            found = _matches(entries, typed, vocab=vocab)
            return _finish(vocab, resolution, found[:1], [m.term for m in found[1:]])

    # 3. Phrase by phrase.
    multiword = len(query.split()) > 1
    matches, qualifiers, ignored, unknown, alternatives = _parse(vocab, tokens, multiword)

    # 4. Typos: first the unmatched words as one phrase, then word by word.
    if unknown:
        content = [tokens[i] for i in unknown]
        phrase = " ".join(t.norm for t in content)
        distance, entries = (None, []) if has_cjk(phrase) else _fuzzy_entries(vocab, phrase)
        if entries:
            typed = " ".join(t.raw for t in content)
            found = _rank_fuzzy(vocab, entries, typed, distance)
            matches.extend(found[:1])
            alternatives.extend(m.term for m in found[1:])
            unknown = []
        else:
            corrected, changed = [], set()
            for i, token in enumerate(tokens):
                word = _correct_word(vocab, token.norm) if i in unknown else None
                if word is None:
                    corrected.append(token)
                else:
                    changed.add(token.raw)
                    if word:  # "" means a mistyped generic word ("cancr"): dropped
                        corrected.append(Token(word, token.raw))
            if changed:
                again, qualifiers2, ignored2, unknown2, alternatives2 = _parse(
                    vocab, corrected, multiword
                )
                if again and len(_dedupe(again)) >= len(_dedupe(matches)):
                    matches = [
                        Match(m.term, m.typed, m.entry, FUZZY, 1)
                        if set(m.typed.split()) & changed
                        else m
                        for m in again
                    ]
                    qualifiers, ignored, alternatives = qualifiers2, ignored2, alternatives2
                    tokens, unknown = corrected, unknown2
        if unknown:
            ignored = [*ignored, *(tokens[i].raw for i in unknown)]

    # 5. The start of a longer term ("cholangio", "non small cell", "HER2 positive", "PD-1").
    if not matches:
        content = [t for t in tokens if t.norm not in STOP_WORDS]
        found = _prefix_matches(vocab, content)
        if found:
            matches = found[:1]
            alternatives = [m.term for m in found[1:]]
            qualifiers, ignored = [], []

    if not matches:
        return resolution
    resolution.qualifiers = tuple(qualifiers)
    resolution.ignored = tuple(dict.fromkeys(w for w in ignored if w))
    return _finish(vocab, resolution, matches, alternatives)


def _resolve_slug(vocab, kind, query):
    """An exact Resolution when the query is a vocabulary slug of `kind`, else None."""
    term = vocab.by_slug(kind, query.strip().lower())
    if term is None:
        return None
    entry = Entry(term.slug, term.slug, "slug", kind, term.id)
    resolution = Resolution(query=query, normalised=query, vocabulary=vocab)
    return _finish(vocab, resolution, [Match(term, query, entry, EXACT)])


def resolve_cancer_type(text, vocabulary=None):
    """Resolve text (a slug, name, alias, abbreviation, typo or Chinese) to a cancer type.

    Returns a Resolution whose `cancer_type` is the Term or None. For the directory filter:
    `related_cancer_type_ids(resolution.cancer_type)` gives the ids to filter on.
    """
    vocab = vocabulary if vocabulary is not None else get_vocabulary()
    query, _ = clean_query(text)
    by_slug = _resolve_slug(vocab, CANCER_TYPE, query)
    if by_slug is not None:
        return by_slug
    resolution = resolve(query, vocab)
    if resolution.cancer_type is None and resolution.service is not None:
        resolution.service = None
        resolution.matches = ()
    return resolution


def resolve_service(text, vocabulary=None):
    """Resolve text to a service (slug, name, alias, typo or Chinese); `.service` or None."""
    vocab = vocabulary if vocabulary is not None else get_vocabulary()
    query, _ = clean_query(text)
    return _resolve_slug(vocab, SERVICE, query) or resolve(query, vocab)


def related_cancer_type_ids(cancer_type, vocabulary=None):
    """Ids of a cancer type (Term, CancerType or id), its broader and its narrower types."""
    vocab = vocabulary if vocabulary is not None else get_vocabulary()
    term_id = getattr(cancer_type, "id", getattr(cancer_type, "pk", cancer_type))
    if term_id is None:
        return set()
    return vocab.related_cancer_type_ids(term_id)


def suggest(text, vocabulary=None, limit=5):
    """The nearest vocabulary terms to text that resolved to nothing (for "did you mean")."""
    vocab = vocabulary if vocabulary is not None else get_vocabulary()
    query, _ = clean_query(text)
    words = " ".join(t.norm for t in tokenise(query) if t.norm not in STOP_WORDS)
    if len(words) < 3:
        return ()
    choices = vocab.cjk_keys if has_cjk(words) else vocab.fuzzy_keys
    hits = process.extract(words, choices, scorer=fuzz.QRatio, score_cutoff=70, limit=20)
    found = {}
    for key, _score, _ in hits:
        for entry in vocab.exact[key]:
            term = vocab.term(entry.term_kind, entry.term_id)
            if term is not None:
                found.setdefault((term.kind, term.id), term)
    return tuple(list(found.values())[:limit])
