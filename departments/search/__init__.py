"""Referrer search: resolve a query to cancer types and services, rank departments, explain.

The steps, each a function returning a small dataclass (the site layer, `oncology_portal.search`,
adds gathering, ranking and explaining departments and trials):

1. ``parse_query(text)`` → ``ParsedQuery`` (clean text, tokens) — text.py
2. ``resolve(text)`` → ``Resolution`` (cancer type and/or service, qualifiers, alternatives),
   through ``read_query(vocab, parsed)`` → ``Reading`` — resolve.py
3. ``expand(vocab, type_id)`` → ``Expansion`` (broader and narrower types, distances) — expand.py

Public API (the directory's cancer-type filter and the search page both use it):

- ``resolve(text)`` → ``Resolution``
- ``resolve_cancer_type(text)`` / ``resolve_service(text)`` (also accept a slug)
- ``related_cancer_type_ids(cancer_type)`` → the type, its broader and narrower types' ids
"""

from .expand import Expansion, expand
from .resolve import (
    Reading,
    Resolution,
    read_query,
    related_cancer_type_ids,
    resolve,
    resolve_cancer_type,
    resolve_service,
    suggest,
)
from .text import MAX_QUERY_LENGTH, ParsedQuery, clean_query, parse_query
from .vocabulary import bump_vocabulary_version, get_vocabulary, reset_vocabulary_cache

__all__ = [
    "MAX_QUERY_LENGTH",
    "Expansion",
    "ParsedQuery",
    "Reading",
    "Resolution",
    "bump_vocabulary_version",
    "clean_query",
    "expand",
    "get_vocabulary",
    "parse_query",
    "read_query",
    "related_cancer_type_ids",
    "reset_vocabulary_cache",
    "resolve",
    "resolve_cancer_type",
    "resolve_service",
    "suggest",
]
