"""Resolve what a referrer typed to a cancer type and/or a service (pure given a Vocabulary).

Order: the whole query exactly (names, aliases, abbreviations, Chinese); the query without its
stage qualifiers; the query read phrase by phrase (longest vocabulary phrase first, Chinese
segmented by its longest aliases, qualifiers and stop words set aside); then typo-tolerant
matching with rapidfuzz — never for words of four letters or fewer, at most one edit for five to
seven letters and two for longer ones; failing all that, the start of a longer term ("cholangio").

`read_query` tries these in turn and returns a `Reading`; `resolve` turns it into the
`Resolution` the page shows.
"""

import re
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .specific import prefer_specific
from .text import (
    STOP_WORDS,
    Token,
    clean_query,
    has_cjk,
    parse_query,
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
    generic: tuple = ()  # broader terms a narrower one replaced ("day chemotherapy")
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


@dataclass(frozen=True)
class Reading:
    """One reading of the query's words: what they name and what was set aside."""

    tokens: tuple[Token, ...] = ()  # the words read (typos corrected, where that helped)
    matches: tuple[Match, ...] = ()
    qualifiers: tuple[str, ...] = ()  # stage, setting, biomarker words
    ignored: tuple[str, ...] = ()  # words not understood and not used
    unknown: tuple[int, ...] = ()  # positions in `tokens` of words not understood
    alternatives: tuple[Term, ...] = ()  # other readings of the same words

    @property
    def unknown_tokens(self):
        return tuple(self.tokens[i] for i in self.unknown)


@dataclass
class _Draft:
    """A Reading being built word by word."""

    tokens: tuple[Token, ...]
    matches: list = field(default_factory=list)
    qualifiers: list = field(default_factory=list)
    ignored: list = field(default_factory=list)
    unknown: list = field(default_factory=list)
    alternatives: list = field(default_factory=list)

    def pick(self, found):
        """One reading of a phrase; any other reading of the same words is an alternative."""
        self.matches.extend(found[:1])
        self.alternatives.extend(m.term for m in found[1:])

    def reading(self):
        return Reading(
            self.tokens,
            tuple(self.matches),
            tuple(self.qualifiers),
            tuple(self.ignored),
            tuple(self.unknown),
            tuple(self.alternatives),
        )


@dataclass(frozen=True)
class _Span:
    """The longest vocabulary phrase starting at a word: where it ends and what it names."""

    end: int
    matches: tuple[Match, ...] = ()


@dataclass(frozen=True)
class _Segment:
    """A piece of a Chinese word: a vocabulary key or the text between keys."""

    text: str
    known: bool


@dataclass(frozen=True)
class _Choice:
    """The cancer type and service a reading settles on, and the readings passed over."""

    cancer_type: Match | None
    service: Match | None
    alternatives: tuple[Term, ...]


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


def _common_word(key, tokens, multiword):
    """A short abbreviation that is also an everyday word, typed in lower case in a phrase."""
    return (
        multiword and key in COMMON_WORD_ABBREVIATIONS and not all(t.raw.isupper() for t in tokens)
    )


def _typed(tokens):
    return " ".join(t.raw for t in tokens)


def _longest_span(vocab, tokens, i, *, min_len, max_len, multiword=True):
    words = [t.norm for t in tokens]
    for j in range(min(len(tokens), i + max_len), i + min_len - 1, -1):
        key = " ".join(words[i:j])
        entries = vocab.lookup(key)
        if not entries:
            continue
        if _common_word(key, tokens[i:j], multiword):
            continue
        return _Span(j, tuple(_matches(entries, _typed(tokens[i:j]), vocab=vocab)))
    return _Span(i)


# --- step 2: resolve --------------------------------------------------------------------------


def read_query(vocab, parsed):
    """The query's best reading against the vocabulary, tried in the module docstring's order."""
    return (
        _read_whole(vocab, parsed)
        or _read_without_qualifiers(vocab, parsed)
        or _read_phrase_by_phrase(vocab, parsed)
    )


def _read_whole(vocab, parsed):
    """The whole query, exactly (a name, alias, abbreviation or Chinese name), or None."""
    entries = vocab.lookup(parsed.normalised)
    if not entries or _common_word(parsed.normalised, parsed.tokens, parsed.multiword):
        return None
    found = _matches(entries, parsed.query, vocab=vocab)
    return Reading(parsed.tokens, tuple(found[:1]), alternatives=tuple(m.term for m in found[1:]))


def _read_without_qualifiers(vocab, parsed):
    """The query without stage and setting qualifiers ("metastatic HER2+ breast cancer")."""
    tokens, kept, qualifiers, i = parsed.tokens, [], [], 0
    words = [t.norm for t in tokens]
    while i < len(words):
        q = qualifier_length(words, i, biomarkers=False)
        if q:
            qualifiers.append(_typed(tokens[i : i + q]))
            i += q
        else:
            kept.append(tokens[i])
            i += 1
    entries = vocab.lookup(" ".join(t.norm for t in kept)) if kept and qualifiers else ()
    if not entries:
        return None
    found = _matches(entries, _typed(kept), vocab=vocab)
    return Reading(
        tokens,
        tuple(found[:1]),
        qualifiers=tuple(qualifiers),
        alternatives=tuple(m.term for m in found[1:]),
    )


def _read_phrase_by_phrase(vocab, parsed):
    """Phrase by phrase, typos corrected; failing that, the start of a longer term."""
    reading = _read_phrases(vocab, parsed.tokens, parsed.multiword)
    if reading.unknown:
        reading = _set_aside_unknown(
            _fuzzy_phrase(vocab, reading)
            or _correct_words(vocab, reading, parsed.multiword)
            or reading
        )
    if reading.matches:
        return reading
    return _read_prefix(vocab, parsed) or reading


def _read_phrases(vocab, tokens, multiword=True):
    """Read left to right: the longest vocabulary phrase, else a qualifier, else one word."""
    draft = _Draft(tuple(tokens))
    words = [t.norm for t in tokens]
    i = 0
    while i < len(tokens):
        span = _longest_span(
            vocab, tokens, i, min_len=2, max_len=vocab.max_words, multiword=multiword
        )
        q = 0 if span.matches else qualifier_length(words, i)
        if span.matches:
            draft.pick(span.matches)
            i = span.end
        elif q:
            draft.qualifiers.append(_typed(tokens[i : i + q]))
            i += q
        else:
            _read_word(vocab, draft, i, multiword)
            i += 1
    return draft.reading()


def _read_word(vocab, draft, i, multiword):
    """One word: a vocabulary word, a metastatic abbreviation ("mCRC"), Chinese, or unknown."""
    token = draft.tokens[i]
    found = _longest_span(vocab, draft.tokens, i, min_len=1, max_len=1, multiword=multiword).matches
    if not found and _METASTATIC_ABBREVIATION.match(token.raw):
        # "mCRC", "mNSCLC": metastatic + an abbreviation.
        rest = token.raw[1:].casefold()
        found = [
            m
            for m in _matches(vocab.lookup(rest), token.raw, vocab=vocab)
            if m.entry.is_abbreviation
        ]
        if found:
            draft.qualifiers.append("metastatic")
    if found:
        draft.pick(found)
    elif has_cjk(token.norm):
        _read_chinese(vocab, draft, i)
    elif token.norm not in STOP_WORDS:
        draft.unknown.append(i)


def _read_chinese(vocab, draft, i):
    """The longest Chinese (or mixed) aliases inside one word; the rest set aside or ignored."""
    before = len(draft.matches)
    segments = _segment_chinese(vocab, draft.tokens[i].norm)
    for segment in segments:
        if segment.known:
            draft.pick(_matches(vocab.exact[segment.text], segment.text, vocab=vocab))
    found = len(draft.matches) > before
    for segment in segments:
        if segment.known:
            continue
        if not strip_chinese_qualifiers(segment.text).strip():
            draft.qualifiers.append(segment.text)
        elif found:
            draft.ignored.append(segment.text)
    if not found:
        draft.unknown.append(i)


def _segment_chinese(vocab, text):
    """Split text into vocabulary keys (longest first, left to right) and the runs between."""
    segments, run, pos = [], "", 0
    while pos < len(text):
        keys = vocab.cjk_by_first.get(text[pos], ())
        key = next((k for k in keys if text.startswith(k, pos)), None)
        if key is None:
            run += text[pos]
            pos += 1
            continue
        if run:
            segments.append(_Segment(run, known=False))
            run = ""
        segments.append(_Segment(key, known=True))
        pos += len(key)
    if run:
        segments.append(_Segment(run, known=False))
    return segments


def _fuzzy_phrase(vocab, reading):
    """The words not understood, read together as one mistyped term; None if none is near."""
    content = reading.unknown_tokens
    phrase = " ".join(t.norm for t in content)
    found = [] if has_cjk(phrase) else _fuzzy_matches(vocab, phrase, _typed(content))
    if not found:
        return None
    return replace(
        reading,
        matches=(*reading.matches, found[0]),
        alternatives=(*reading.alternatives, *(m.term for m in found[1:])),
        unknown=(),
    )


def _correct_words(vocab, reading, multiword):
    """The query read again with each word not understood corrected to a vocabulary word.

    None unless a word changed and the new reading names at least as many terms.
    """
    corrected, changed = [], set()
    for i, token in enumerate(reading.tokens):
        word = _correct_word(vocab, token.norm) if i in reading.unknown else None
        if word is None:
            corrected.append(token)
        else:
            changed.add(token.raw)
            if word:  # "" means a mistyped generic word ("cancr"): dropped
                corrected.append(Token(word, token.raw))
    if not changed:
        return None
    again = _read_phrases(vocab, corrected, multiword)
    if not again.matches or len(_dedupe(again.matches)) < len(_dedupe(reading.matches)):
        return None
    matches = tuple(
        Match(m.term, m.typed, m.entry, FUZZY, 1) if set(m.typed.split()) & changed else m
        for m in again.matches
    )
    return replace(again, matches=matches)


def _set_aside_unknown(reading):
    """Words still not understood are listed as not used."""
    ignored = (*reading.ignored, *(t.raw for t in reading.unknown_tokens))
    return replace(reading, ignored=ignored, unknown=())


def _read_prefix(vocab, parsed):
    """The start of a longer term ("cholangio", "non small cell", "PD-1"), or None."""
    found = _prefix_matches(vocab, [t for t in parsed.tokens if t.norm not in STOP_WORDS])
    if not found:
        return None
    return Reading(parsed.tokens, tuple(found[:1]), alternatives=tuple(m.term for m in found[1:]))


def _fuzzy_matches(vocab, text, typed):
    """Matches for the vocabulary keys nearest `text` within the allowed edits, cancer types
    first, then by name."""
    limit = allowed_edits(len(text))
    if not limit:
        return []
    hits = process.extract(
        text, vocab.fuzzy_keys, scorer=OSA.distance, score_cutoff=limit, limit=None
    )
    hits = [(key, dist) for key, dist, _ in hits if dist <= allowed_edits(len(key))]
    if not hits:
        return []
    best = min(dist for _, dist in hits)
    entries = [e for key, dist in sorted(hits) if dist == best for e in vocab.exact[key]]
    matches = _dedupe(_matches(entries, typed, FUZZY, best, vocab=vocab))
    matches.sort(key=lambda m: (m.term.kind != CANCER_TYPE, m.term.name))
    return matches


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
    found = _dedupe(
        m
        for key in sorted(keys, key=lambda k: (len(k), k))
        for m in _matches(vocab.exact[key], _typed(tokens), PARTIAL, vocab=vocab)
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


# --- the reading, as the page shows it ----------------------------------------------------------


def _choose(vocab, matches):
    """The primary cancer-type and service matches; the others are alternatives."""
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
    return _Choice(
        cancers[0] if cancers else None,
        services[0] if services else None,
        tuple(m.term for m in cancers[1:] + services[1:]),
    )


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
        for other in _terms_containing(vocab, key):
            ident = (other.kind, other.id)
            if other.kind == term.kind and other.id not in related and ident not in excluded:
                found[ident] = other
    return tuple(sorted(found.values(), key=lambda t: t.name)[:MAX_ALTERNATIVES])


def _terms_containing(vocab, key):
    """Terms with a longer name or alias that contains the words of `key` ("non key" aside)."""
    for other_key in vocab.fuzzy_keys:
        if other_key != key and f" {key} " in f" {other_key} " and f"non {key}" not in other_key:
            for entry in vocab.exact[other_key]:
                other = vocab.term(entry.term_kind, entry.term_id)
                if other is not None:
                    yield other


def _finish(vocab, resolution, reading):
    """Fill in the Resolution from a reading: the chosen terms, alternatives and see-also."""
    choice = _choose(vocab, reading.matches)
    resolution.cancer_type = choice.cancer_type.term if choice.cancer_type else None
    resolution.service = choice.service.term if choice.service else None
    resolution.matches = tuple(m for m in (choice.cancer_type, choice.service) if m is not None)
    resolution.qualifiers = reading.qualifiers
    resolution.ignored = tuple(dict.fromkeys(w for w in reading.ignored if w))
    prefer_specific(vocab, resolution)  # "day chemotherapy" is day-care chemotherapy
    chosen = {(t.kind, t.id) for t in resolution.terms}
    alts = {}
    for term in [*choice.alternatives, *reading.alternatives]:
        if (term.kind, term.id) not in chosen:
            alts.setdefault((term.kind, term.id), term)
    resolution.alternatives = tuple(list(alts.values())[:MAX_ALTERNATIVES])
    resolution.see_also = _see_also(vocab, resolution)
    return resolution


def resolve(text, vocabulary=None):
    """Understand a query: the cancer type and/or service it names, and what was set aside."""
    parsed = parse_query(text)
    resolution = Resolution(
        query=parsed.query, truncated=parsed.truncated, normalised=parsed.normalised
    )
    if not parsed.tokens:
        return resolution
    vocab = vocabulary if vocabulary is not None else get_vocabulary()
    resolution.vocabulary = vocab
    reading = read_query(vocab, parsed)
    if not reading.matches:
        return resolution
    return _finish(vocab, resolution, reading)


def _resolve_slug(vocab, kind, query):
    """An exact Resolution when the query is a vocabulary slug of `kind`, else None."""
    term = vocab.by_slug(kind, query.strip().lower())
    if term is None:
        return None
    entry = Entry(term.slug, term.slug, "slug", kind, term.id)
    resolution = Resolution(query=query, normalised=query, vocabulary=vocab)
    return _finish(vocab, resolution, Reading(matches=(Match(term, query, entry, EXACT),)))


def resolve_cancer_type(text, vocabulary=None):
    """Resolve text (a slug, name, alias, abbreviation, typo or Chinese) to a cancer type.

    Returns a Resolution whose `cancer_type` is the Term or None. The directory filter looks that
    term's slug up in the `CancerTypeTree` and filters on the node's subtree (`subtree_ids`: the
    type and its narrower types), not on `related_cancer_type_ids`, which adds broader types.
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
