"""In-process measurement of one database: server time, queries and HTML size of every page.

Run by bench/run.py in a process of its own (environment: DATABASE_URL, CACHE_URL, debug off):

    python -m bench.measure OUT.json

Where generate_synthetic_data has run, it also measures the synthetic department with the most
trial sites and the synthetic hospital with the most departments. Pages are requested through
Django's test Client: one warm-up request (its queries and bytes are reported), then up to N
timed requests with the page cache off (cold) and on (warm). Admin: every registered ModelAdmin's
changelist and a department's change page, logged in as a superuser.
"""

import argparse
import json
import math
import os
import statistics
import time

from .config import ADMIN_REPEATS, PAGE_BUDGET_S, PAGES, REPEATS, ROUNDS, Page

WARM_SECONDS = 600
SUPERUSER = "bench-superuser"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncology_portal.settings")
    import django

    django.setup()


def percentile(samples, fraction):
    """Nearest-rank percentile (p99 of 20 samples is the slowest)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarise(samples):
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples), 2),
        "p99_ms": round(percentile(samples, 0.99), 2),
        "samples_ms": [round(sample, 3) for sample in samples],
    }


def probe(client, url):
    """One request with its queries counted: status, queries, bytes, page-cache header."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return {
        "status": response.status_code,
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
        "cache": response.get("X-Page-Cache", "none"),
    }


def timed(client, url, repeats):
    """Up to `repeats` timed requests (fewer once the page's time budget is spent)."""
    samples = []
    deadline = time.perf_counter() + PAGE_BUDGET_S
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if time.perf_counter() > deadline:
            break
    return samples


def measure(client, url, repeats, page_cache_seconds=0):
    from django.test import override_settings

    with override_settings(PAGE_CACHE_SECONDS=page_cache_seconds):
        first = probe(client, url)  # warm-up (and fills the page cache when it is on)
        if page_cache_seconds:
            first = probe(client, url)  # served from the page cache, if the page is cacheable
        return {**first, **summarise(timed(client, url, repeats))}


def measure_page(client, page):
    print(f"    {page.url}", flush=True)
    repeats = math.ceil(REPEATS / ROUNDS)  # this round's share
    cold = measure(client, page.url, repeats)
    warm = measure(client, page.url, repeats, page_cache_seconds=WARM_SECONDS)
    return {
        "name": page.name,
        "url": page.url,
        "growth_of": page.growth_base,
        "cold": cold,
        "warm": warm,
    }


def synthetic_pages():
    """The generated department with the most trial sites, hospital with most departments."""
    from departments.models import Department, Hospital
    from oncology_portal.synthetic import SLUG_PREFIX
    from trials.models import TrialSite

    pages = []
    top = _largest(TrialSite.objects, "department", SLUG_PREFIX)
    if top:
        department = Department.objects.get(pk=top["department"])
        name = f"department (synthetic, {top['n']} trial sites)"
        pages.append(Page(name, department.get_absolute_url(), growth_of="department"))
    top = _largest(Department.objects, "hospital", SLUG_PREFIX)
    if top:
        hospital = Hospital.objects.get(pk=top["hospital"])
        name = f"hospital (synthetic, {top['n']} departments)"
        pages.append(Page(name, f"/hospitals/{hospital.slug}/", growth_of="hospital"))
    return pages


def _largest(rows, parent, slug_prefix):
    """{parent: pk, n: rows} for the generated parent holding the most rows, or None."""
    from django.db.models import Count

    return (
        rows.filter(**{f"{parent}__slug__startswith": slug_prefix})
        .values(parent)
        .annotate(n=Count("pk"))
        .order_by("-n", parent)
        .first()
    )


def admin_urls(department_slugs):
    from django.contrib import admin
    from django.urls import reverse

    from departments.models import Department

    urls = []
    for model in admin.site._registry:
        opts = model._meta
        urls.append(
            (
                f"{opts.app_label}.{opts.model_name} changelist",
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            )
        )
    for department in Department.objects.filter(slug__in=department_slugs).order_by("pk"):
        urls.append(
            (
                f"department change ({department.slug})",
                reverse("admin:departments_department_change", args=[department.pk]),
            )
        )
    return urls


def admin_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username=SUPERUSER, defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def measure_admin(department_slugs):
    client = admin_client()
    results = []
    for name, url in admin_urls(department_slugs):
        print(f"    {url}", flush=True)
        results.append({"name": name, "url": url, **measure(client, url, ADMIN_REPEATS)})
    return results


def department_slug(url):
    return url.rstrip("/").rsplit("/", 1)[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--no-admin", action="store_true", help="pages only (a later round)")
    args = parser.parse_args()
    setup_django()
    from django.test import Client

    pages = [*PAGES, *synthetic_pages()]  # none at seed scale
    print("  pages (cold, then warm):", flush=True)
    client = Client(raise_request_exception=False)
    results = {"pages": [measure_page(client, page) for page in pages]}
    if not args.no_admin:
        print("  admin:", flush=True)
        departments = [department_slug(p.url) for p in pages if p.growth_base == "department"]
        results["admin"] = measure_admin(departments)
    with open(args.out, "w") as out:
        json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
