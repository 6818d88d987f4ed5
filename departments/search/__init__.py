"""Referrer search: resolve a query to cancer types and services, rank departments, explain.

Public API (the directory's cancer-type filter and the search page both use it):

- ``resolve(text)`` → ``Resolution`` (cancer type and/or service, qualifiers, alternatives)
- ``resolve_cancer_type(text)`` / ``resolve_service(text)`` (also accept a slug)
- ``related_cancer_type_ids(cancer_type)`` → the type, its broader and narrower types' ids
"""

from .resolve import (
    Resolution,
    related_cancer_type_ids,
    resolve,
    resolve_cancer_type,
    resolve_service,
    suggest,
)
from .text import MAX_QUERY_LENGTH, clean_query
from .vocabulary import bump_vocabulary_version, get_vocabulary, reset_vocabulary_cache

__all__ = [
    "MAX_QUERY_LENGTH",
    "Resolution",
    "bump_vocabulary_version",
    "clean_query",
    "get_vocabulary",
    "related_cancer_type_ids",
    "reset_vocabulary_cache",
    "resolve",
    "resolve_cancer_type",
    "resolve_service",
    "suggest",
]
