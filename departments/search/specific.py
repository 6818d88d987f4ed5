"""A search step: specific before generic (pure given a Vocabulary).

"day chemotherapy" reads "chemotherapy" and leaves "day" unused; a narrower term of the one
chosen whose name or alias holds the unused words too ("day-care chemotherapy") is what the
referrer meant, so it takes the generic term's place (and its departments rank first). The same
holds for cancer types and their narrower types.
"""

from dataclasses import replace

from .text import has_cjk, normalise


def _covers(key_words, wanted):
    """Every wanted word is a word of the key, or the start of one ("day" → "day care")."""
    return all(any(k == w or (len(w) >= 3 and k.startswith(w)) for k in key_words) for w in wanted)


def narrower_reading(vocab, term, matched_key, unused):
    """(narrower Term, Entry, words used) for the narrowest fit, or None."""
    wanted = [w for text in unused for w in normalise(text).split() if not has_cjk(w)]
    if not wanted:
        return None
    if term.is_cancer_type:
        narrower = set(vocab.descendants.get(term.id, ()))
    else:
        narrower = set(vocab.narrower_services.get(term.id, ()))
    if not narrower:
        return None
    base = matched_key.split()
    best = None
    for key, entries in vocab.exact.items():
        words = key.split()
        if not _covers(words, wanted) or not _covers(words, base):
            continue
        for entry in entries:
            if entry.term_kind == term.kind and entry.term_id in narrower:
                rank = (len(words), key)
                if best is None or rank < best[0]:
                    best = (rank, entry)
    if best is None:
        return None
    entry = best[1]
    return vocab.term(entry.term_kind, entry.term_id), entry, tuple(unused)


def prefer_specific(vocab, resolution):
    """The resolution with a narrower term in place of a generic one where the unused words
    name it; unchanged otherwise."""
    if not resolution.ignored:
        return resolution
    matches = list(resolution.matches)
    for i, match in enumerate(matches):
        found = narrower_reading(vocab, match.term, match.entry.key, resolution.ignored)
        if found is None:
            continue
        term, entry, used = found
        matches[i] = replace(match, term=term, entry=entry, typed=f"{' '.join(used)} {match.typed}")
        resolution.generic = (*resolution.generic, match.term)
        if term.is_cancer_type:
            resolution.cancer_type = term
        else:
            resolution.service = term
        resolution.ignored = ()
    resolution.matches = tuple(matches)
    return resolution
