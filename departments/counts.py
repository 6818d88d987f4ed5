"""Counts shown on busy pages (home, the cancer-type tree), computed in the database with a few
grouped queries and kept in the shared cache until the data version moves (dataversion.py)."""

from django.db.models import Case, Count, IntegerField, Value, When

from .dataversion import cached
from .models import DepartmentCancerType, Hospital


def departments_listing_each_type():
    """{cancer type id: number of departments listing that very type}."""
    return cached("departments-listing-each-type", _departments_listing_each_type)


def _departments_listing_each_type():
    rows = DepartmentCancerType.objects.order_by().values("cancer_type").annotate(n=Count("pk"))
    return {row["cancer_type"]: row["n"] for row in rows}


def departments_covering_each_type(tree):
    """{cancer type id: distinct departments listing the type or any narrower type}.

    One grouped query per depth of the tree: at a given depth the subtrees do not overlap, so
    each link maps to at most one node of that depth.
    """
    return cached("departments-covering-each-type", lambda: _covering(tree))


def _covering(tree):
    by_depth = {}
    for node, depth in tree.walk():
        by_depth.setdefault(depth, []).append(node)
    counts = {}
    for nodes in by_depth.values():
        node = Case(
            *(When(cancer_type__in=tree.subtree_ids(n), then=Value(n.pk)) for n in nodes),
            output_field=IntegerField(),
        )
        rows = (
            DepartmentCancerType.objects.order_by()
            .annotate(node=node)
            .filter(node__isnull=False)
            .values("node")
            .annotate(n=Count("department", distinct=True))
        )
        counts.update({row["node"]: row["n"] for row in rows})
    return counts


def largest_hospitals(limit):
    """Ids of the hospitals with the most departments (ties by name), for the home page."""
    return cached(f"largest-hospitals-{limit}", lambda: _largest_hospitals(limit))


def _largest_hospitals(limit):
    return list(
        Hospital.objects.annotate(department_count=Count("departments"))
        .filter(department_count__gt=0)
        .order_by("-department_count", "name", "slug")
        .values_list("pk", flat=True)[:limit]
    )


def count_by(rows, field):
    """{value of `field`: number of rows}, one grouped query (e.g. a page's departments per
    hospital, or trial sites per department)."""
    grouped = rows.order_by().values(field).annotate(n=Count("pk"))
    return dict(grouped.values_list(field, "n"))
