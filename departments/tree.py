"""The cancer-type vocabulary as an in-memory tree, built from one query.

Pages that show or expand the tree (the cancer-type list, the directory's cancer-type filter,
the home page's groups, a cancer type's broader and narrower types) load every node once and
walk it in Python instead of querying per level.
"""

from collections import defaultdict
from dataclasses import dataclass

from .localise import local_name
from .models import CancerType, Department


class CancerTypeTree:
    """Nodes in display order; each node gets `tree_children` and `depth` attributes."""

    def __init__(self, nodes):
        self.nodes = list(nodes)
        self.by_id = {node.pk: node for node in self.nodes}
        self.by_slug = {node.slug: node for node in self.nodes}
        children = defaultdict(list)
        self.roots = []
        for node in self.nodes:
            if node.parent_id in self.by_id:
                children[node.parent_id].append(node)
            else:
                self.roots.append(node)
        for node in self.nodes:
            node.tree_children = children.get(node.pk, [])
            node.depth = 0
        for node, depth in self.walk():
            node.depth = depth

    @classmethod
    def load(cls, queryset=None):
        """Build the tree from one query (by default every cancer type)."""
        if queryset is None:
            queryset = CancerType.objects.all()
        return cls(queryset)

    def walk(self, nodes=None, depth=0, _seen=None):
        """Depth-first (node, depth) pairs in display order; safe against bad cycles."""
        seen = set() if _seen is None else _seen
        for node in self.roots if nodes is None else nodes:
            if node.pk in seen:
                continue
            seen.add(node.pk)
            yield node, depth
            yield from self.walk(node.tree_children, depth + 1, seen)

    def get(self, slug):
        return self.by_slug.get(slug)

    def ancestors(self, node):
        """Broader types, nearest first."""
        result, seen = [], {node.pk}
        parent = self.by_id.get(node.parent_id)
        while parent is not None and parent.pk not in seen:
            result.append(parent)
            seen.add(parent.pk)
            parent = self.by_id.get(parent.parent_id)
        return result

    def descendants(self, node):
        """Narrower types at every depth, in display order (not the node itself)."""
        return [child for child, _depth in self.walk(node.tree_children, 1, {node.pk})]

    def subtree_ids(self, node):
        """The node's id and the ids of all its narrower types."""
        return {node.pk, *(child.pk for child in self.descendants(node))}

    def choices(self, indent="\u00a0\u00a0\u00a0"):
        """(slug, label) pairs for a select, indented by depth."""
        return [
            (node.slug, f"{indent * depth}{local_name(node)[0]}") for node, depth in self.walk()
        ]

    def group_department_links(self, node, links):
        """Sort department–cancer-type links by how they reach `node`, one entry per department.

        Sections, in order: "direct" (the department lists the type itself), "broader" (it lists
        a type that includes this one), "narrower" (it lists a type within this one). A department
        appears once, in the closest section, with its other links as further reasons. Each link
        gets `term` (the type it names) and `kind` (its section).
        """
        broader_ids = {n.pk for n in self.ancestors(node)}
        groups = {"direct": {}, "broader": {}, "narrower": {}}
        for link in links:
            link.term = self.by_id.get(link.cancer_type_id)
            if link.cancer_type_id == node.pk:
                link.kind = "direct"
            elif link.cancer_type_id in broader_ids:
                link.kind = "broader"
            else:
                link.kind = "narrower"
            groups[link.kind].setdefault(link.department_id, []).append(link)
        seen, sections = set(), []
        for kind, by_department in groups.items():
            entries = []
            for department_id, department_links in by_department.items():
                if department_id in seen:
                    continue
                seen.add(department_id)
                entries.append(
                    {
                        "department": department_links[0].department,
                        "links": department_links,
                        "other_links": [
                            link
                            for other, other_links in groups.items()
                            if other != kind
                            for link in other_links.get(department_id, [])
                        ],
                    }
                )
            sections.append({"kind": kind, "entries": entries})
        return sections


@dataclass(frozen=True)
class Reach:
    """The first departments that reach a cancer type one way, and whether more do."""

    kind: str
    department_ids: list
    more: bool


def best_departments_by_reach(node, tree, *, limit):
    """For "direct", "broader" and "narrower" (as group_department_links names them): the first
    `limit` departments by name that reach `node` that way and no closer way.

    One query per reach, served by the name index (ORDER BY name LIMIT, no count).
    """
    closer = []
    reaches = []
    for kind, ids in (
        ("direct", {node.pk}),
        ("broader", {n.pk for n in tree.ancestors(node)}),
        ("narrower", {n.pk for n in tree.descendants(node)}),
    ):
        departments = Department.objects.treating(ids) if ids else Department.objects.none()
        for earlier in closer:
            departments = departments.exclude(pk__in=Department.objects.treating(earlier))
        closer.append(ids)
        first = list(departments.order_by("name", "pk").values_list("pk", flat=True)[: limit + 1])
        reaches.append(Reach(kind, first[:limit], len(first) > limit))
    return reaches


@dataclass(eq=False)
class TreeNode:
    """A cancer type as the tree needs it, without its database row.

    For trees built from plain values (the search vocabulary); the tree adds `tree_children` and
    `depth` as it does to CancerType rows.
    """

    pk: int
    parent_id: int | None = None
    slug: str = ""
