"""Health URLs for load balancers and the container's HEALTHCHECK.

- liveness: the process answers; touches neither the database nor the cache.
- readiness: the database answers a query and the shared cache a write and a read; 503 with
  Retry-After and the failing part named otherwise.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10


@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    key, token = "portal:health:probe", uuid.uuid4().hex
    cache.set(key, token, 10)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return what was written")


CHECKS = {"database": (_database, DatabaseError), "cache": (_cache, Exception)}


@never_cache
def ready(request):
    results = {}
    for name, (check, errors) in CHECKS.items():
        try:
            check()
        except errors as exc:
            logger.warning("Readiness: %s unavailable: %s", name, exc.__class__.__name__)
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    healthy = all(result == "ok" for result in results.values())
    response = JsonResponse({"status": "ok" if healthy else "unavailable", **results})
    if not healthy:
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
