"""A search step: the drugs a query names, by generic, brand or Chinese name or by class.

The intervention vocabulary is the interventions' names and their aliases
(`trials.InterventionAlias`, from ENRICHMENT.md "Drug names" only): "Opdivo" is nivolumab,
"贝伐珠单抗" bevacizumab, "palbociclib" a member of the CDK4/6 inhibitors. One query reads the
aliases whose words are in the query (never the whole table); the words are taken out of the
query, and the rest is resolved as before.
"""

import re
from dataclasses import dataclass

from django.db.models import F, Q, Value
from django.db.models.lookups import Contains

from departments.normalise import GENERIC_WORDS, normalise
from departments.search.text import has_cjk
from trials.models import Intervention, InterventionAlias

MAX_PHRASE_WORDS = 4
_GENERIC = "|".join(sorted(GENERIC_WORDS, key=len, reverse=True))


@dataclass(frozen=True)
class Drug:
    """A drug named in the query: the intervention, and the name it was typed as."""

    intervention_id: int
    name: str  # the intervention's name ("Atezolizumab", "CDK4/6 inhibitors")
    slug: str
    typed: str  # the alias as written in the vocabulary ("Tecentriq"), or the name
    kind: str  # the alias kind, "name" for the intervention's own name

    @property
    def generic(self):
        """The drug's own name mid-sentence ("bevacizumab", "CDK4/6 inhibitors")."""
        return _inline(self.name)

    @property
    def label(self):
        """ "atezolizumab (Tecentriq)", "CDK4/6 inhibitors (palbociclib)", "pertuzumab"."""
        name = _inline(self.name)
        if self.kind in ("name", "generic", "class_name") or normalise(self.typed) in normalise(
            self.name
        ):
            return name
        return f"{name.split(' (')[0]} ({self.typed})"  # "T-DM1 (Kadcyla)"

    def get_absolute_url(self):
        return Intervention(name=self.name, slug=self.slug).get_absolute_url()


@dataclass(frozen=True)
class DrugReading:
    drugs: tuple = ()
    rest: str = ""

    @property
    def intervention_ids(self):
        return tuple(dict.fromkeys(d.intervention_id for d in self.drugs))


def _inline(name):
    first = name.split()[0] if name else ""
    if any(c.isupper() or c.isdigit() for c in first[1:]):
        return name  # T-DM1, CDK4/6
    return name[:1].lower() + name[1:]


def _ngrams(words):
    grams = set()
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + MAX_PHRASE_WORDS) + 1):
            gram = " ".join(words[i:j])
            grams.add(gram)
            if gram.endswith("s") and len(gram) > 4:
                grams.add(gram[:-1])  # "CDK4/6 inhibitors"
    return grams


def find_drugs(query):
    """The DrugReading of a query: the drugs it names (longest names first) and the rest."""
    text = " ".join((query or "").split())
    words = normalise(text).split()
    if not words:
        return DrugReading(rest=text)
    grams = _ngrams(words)
    condition = Q(normalised__in=grams)
    if has_cjk(text):
        condition |= Q(Contains(Value(text), F("text")), normalised__gt="")
    rows = list(
        InterventionAlias.objects.filter(condition).values_list(
            "intervention_id",
            "intervention__name",
            "intervention__slug",
            "text",
            "kind",
            "normalised",
        )
    )
    found, rest = {}, text
    for pk, name, slug, alias, kind, key in sorted(rows, key=lambda r: -len(r[5])):
        if has_cjk(alias):
            if alias not in rest:
                continue
            rest = rest.replace(alias, " ", 1)
        else:
            reduced = _remove(rest, key.split())
            if reduced == rest and pk in found:
                continue
            rest = reduced
        found.setdefault(pk, Drug(pk, name, slug, alias, kind))
    return DrugReading(tuple(found.values()), " ".join(rest.split()))


def _remove(text, words):
    if not words:
        return text
    between = rf"(?:[\W_]+(?:{_GENERIC}))*[\W_]+"
    pattern = r"(?<!\w)" + between.join(re.escape(w) for w in words) + r"s?(?!\w)"
    return re.sub(pattern, " ", text, count=1, flags=re.IGNORECASE)


__all__ = ["Drug", "DrugReading", "find_drugs"]
