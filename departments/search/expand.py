"""Step 3 of a search: expand a resolved term through the vocabulary's tree (pure, no database).

A department listing "digestive system cancers" covers stomach cancer (a broader type); one
listing "hepatocellular carcinoma" is relevant to liver cancer (a narrower type). Siblings are
never included. Services expand to their narrower services ("day-care chemotherapy" is a kind
of chemotherapy).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Expansion:
    """A cancer type and the types that reach it through the tree, with their distances."""

    type_id: int
    broader: tuple[int, ...]  # ancestors, nearest first
    narrower: frozenset[int]  # descendants at every depth
    distance: dict  # cancer type id -> steps from `type_id` in the tree (0 for the type itself)

    @property
    def ids(self):
        """The type, its broader and its narrower types."""
        return frozenset(self.distance)


@dataclass(frozen=True)
class ServiceExpansion:
    """A service and the narrower services that count as it."""

    service_id: int
    narrower: tuple[int, ...]

    @property
    def ids(self):
        return {self.service_id, *self.narrower}


def expand(vocab, type_id):
    """The cancer type's Expansion: its broader types, then its narrower ones, by distance."""
    broader = tuple(vocab.ancestors.get(type_id, ()))
    narrower = vocab.descendants.get(type_id, ())
    depth = len(broader)
    distance = {type_id: 0}
    distance.update({a: n + 1 for n, a in enumerate(broader)})
    distance.update({d: len(vocab.ancestors.get(d, ())) - depth for d in narrower})
    return Expansion(type_id, broader, frozenset(narrower), distance)


def expand_service(vocab, service_id):
    return ServiceExpansion(service_id, tuple(vocab.narrower_services.get(service_id, ())))
