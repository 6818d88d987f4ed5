"""A search step: the places and hospitals a query names, anywhere in it (one query).

"lung cancer Zhejiang", "Jilin University hospital radiotherapy", "杭州 胃癌", "FAHZU": a city
or province (English or Chinese, as the hospitals' records give them) or a hospital (its full
name, short name, Chinese name, or the distinctive words of its name, "Jilin University") is
recognised in any position. What it names FILTERS the results: the hospitals it stands for. The
words are taken out of the query, and the rest is resolved as before.

A department whose hospital has no city or province is never in a named place: the filter is
on the hospitals whose records state that place.

Only the hospitals whose names or places could be in the query are read (a single query over the
hospitals table, never the departments), so the cost does not grow with the directory.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower
from django.db.models.lookups import Contains, IContains

from departments.normalise import GENERIC_WORDS

from .text import STOP_WORDS, has_cjk, normalise

CITY = "city"
PROVINCE = "province"
HOSPITAL = "hospital"

# Words of a hospital's name that do not tell one hospital from another.
FILLER = frozenset(
    [
        "the",
        "of",
        "and",
        "hospital",
        "hospitals",
        "affiliated",
        "school",
        "medicine",
        "medical",
        "college",
        "first",
        "second",
        "third",
        "people",
        "peoples",
        "s",
        "general",
        "centre",
        "center",
        "university",
    ]
)
_SPLIT_ZH = re.compile(r"[（）()、，,\s]+")
_GENERIC = "|".join(sorted(GENERIC_WORDS, key=len, reverse=True))
MIN_NAME_WORD = 4  # a hospital name word used to find candidates


@dataclass(frozen=True)
class Place:
    """A place or hospital named in the query, and the hospitals it stands for."""

    kind: str  # CITY, PROVINCE or HOSPITAL
    name: str  # English
    name_zh: str
    typed: str
    hospital_ids: frozenset = frozenset()
    slug: str = ""  # a hospital's slug

    @property
    def display_name(self):
        from departments.localise import is_chinese

        return self.name_zh if is_chinese() and self.name_zh else self.name

    def get_absolute_url(self):
        from django.urls import reverse

        if self.kind == HOSPITAL:
            return reverse("portal:hospital-detail", kwargs={"slug": self.slug})
        return reverse("portal:department-list") + "?" + urlencode({"place": self.name})


@dataclass(frozen=True)
class PlaceReading:
    """The places and hospitals named, and the query without their words."""

    places: tuple = ()
    rest: str = ""
    query: str = ""

    @property
    def found(self):
        return bool(self.places)

    @property
    def hospital_ids(self):
        """Hospitals in every place named: a city or province and a hospital must both hold
        (union within cities and provinces, union within hospitals, intersection across)."""
        if not self.places:
            return None
        groups = {}
        for place in self.places:
            key = HOSPITAL if place.kind == HOSPITAL else "area"
            groups.setdefault(key, set()).update(place.hospital_ids)
        ids = None
        for group in groups.values():
            ids = set(group) if ids is None else ids & group
        return frozenset(ids or ())

    @property
    def directory_url(self):
        """The directory filtered on the same places: a stable URL to share."""
        from django.urls import reverse

        names = " ".join(p.name for p in self.places)
        return reverse("portal:department-list") + "?" + urlencode({"place": names})

    @property
    def areas(self):
        return tuple(p for p in self.places if p.kind != HOSPITAL)

    @property
    def hospitals(self):
        return tuple(p for p in self.places if p.kind == HOSPITAL)


@dataclass
class _Phrase:
    kind: str
    name: str
    name_zh: str
    words: tuple  # normalised words ((text,) for Chinese)
    hospital_ids: set = field(default_factory=set)
    slug: str = ""


def _words(text):
    return tuple(normalise(text).split())


def _content_words(name):
    """The distinctive words of a hospital's name, in order ("jilin", "university"): the
    filler words out, but "university" kept after a place word ("Jilin University")."""
    words = [w for w in _words(name.split("(")[0]) if w not in FILLER or w == "university"]
    while words and words[0] == "university":
        words.pop(0)
    return tuple(words)


def _candidates(query):
    """Hospital rows whose place, name or short name could be in the query (one query)."""
    from departments.models import Hospital

    norm = normalise(query)
    padded = Value(f" {norm} ")
    raw = Value(query)
    condition = Q()
    for column in ("city", "province", "short_name"):
        condition |= Q(
            IContains(padded, Concat(Value(" "), Lower(F(column)), Value(" "))),
            **{f"{column}__gt": ""},
        )
    for word in {w for w in norm.split() if len(w) >= MIN_NAME_WORD and not has_cjk(w)}:
        if word not in FILLER and word not in STOP_WORDS:
            condition |= Q(name__icontains=word) | Q(short_name__icontains=word)
    if has_cjk(query):
        for column in ("city_zh_hans", "province_zh_hans", "name_zh"):
            condition |= Q(Contains(raw, F(column)), **{f"{column}__gt": ""})
        # A Chinese hospital name's parts ("浙江省肿瘤医院" inside its brackets).
        for run in re.findall(r"[\u3400-\u9fff]{4,}", query):
            condition |= Q(name_zh__contains=run)
    return Hospital.objects.filter(condition).values_list(
        "pk",
        "slug",
        "name",
        "short_name",
        "name_zh",
        "city",
        "province",
        "city_zh_hans",
        "province_zh_hans",
    )


def _phrases(rows):
    phrases = {}

    def add(kind, name, name_zh, words, pk, slug=""):
        if not words:
            return
        key = (kind, name if kind != HOSPITAL else slug, words)
        phrase = phrases.setdefault(key, _Phrase(kind, name, name_zh, words, slug=slug))
        phrase.hospital_ids.add(pk)

    for pk, slug, name, short, name_zh, city, province, city_zh, province_zh in rows:
        for kind, english, chinese in ((CITY, city, city_zh), (PROVINCE, province, province_zh)):
            if english:
                add(kind, english, chinese, _words(english), pk)
                if chinese:
                    add(kind, english, chinese, (chinese,), pk)
        label = short or name
        if not label:
            continue
        for text in {name, short}:
            if text:
                add(HOSPITAL, label, name_zh, _words(text), pk, slug)
        content = _content_words(name)
        if len(content) >= 2:
            add(HOSPITAL, label, name_zh, content, pk, slug)
        for part in [name_zh, *_SPLIT_ZH.split(name_zh or "")]:
            if len(part) >= 4:
                add(HOSPITAL, label, name_zh, (part,), pk, slug)
    return list(phrases.values())


def _match_words(phrases, words):
    """Spans (start, end, phrase) of the longest phrases, left to right, never overlapping."""
    latin = sorted((p for p in phrases if not has_cjk(p.words[0])), key=lambda p: -len(p.words))
    spans, i = [], 0
    while i < len(words):
        hit = next((p for p in latin if tuple(words[i : i + len(p.words)]) == p.words), None)
        if hit is None:
            i += 1
            continue
        same = [p for p in latin if p.words == hit.words]
        spans.append((i, i + len(hit.words), same))
        i += len(hit.words)
    return spans


def _remove_words(text, words):
    """The text without the words (as typed, any case, any punctuation between them)."""
    between = rf"(?:[\W_]+(?:{_GENERIC}))*[\W_]+"
    pattern = r"(?<!\w)" + between.join(re.escape(w) for w in words) + r"(?!\w)"
    return re.sub(pattern, " ", text, count=1, flags=re.IGNORECASE)


def find_places(query):
    """The PlaceReading of a query: the places and hospitals it names, and the rest."""
    text = " ".join((query or "").split())
    if not normalise(text):
        return PlaceReading(rest=text, query=text)
    rows = list(_candidates(text))
    if not rows:
        return PlaceReading(rest=text, query=text)
    phrases = _phrases(rows)
    found = {}
    rest = text
    chinese = sorted(
        (p for p in phrases if has_cjk(p.words[0])), key=lambda p: (-len(p.words[0]), p.name)
    )
    for phrase in chinese:
        if phrase.words[0] in rest:
            rest = rest.replace(phrase.words[0], " ", 1)
            _take(found, [phrase], phrase.words[0])
            for other in chinese:  # the same characters in another role (city and hospital)
                if other is not phrase and other.words == phrase.words:
                    _take(found, [other], phrase.words[0])
    words = normalise(rest).split()
    for start, end, same in _match_words(phrases, words):
        rest = _remove_words(rest, words[start:end])
        _take(found, same, " ".join(words[start:end]))
    places = tuple(found.values())
    # A hospital named with its place ("Jilin University"): the hospital is what was meant.
    return PlaceReading(places, " ".join(rest.split()), text)


def _take(found, phrases, typed):
    for phrase in phrases:
        key = (phrase.kind, phrase.slug or phrase.name)
        old = found.get(key)
        ids = frozenset(phrase.hospital_ids) | (old.hospital_ids if old else frozenset())
        found[key] = Place(phrase.kind, phrase.name, phrase.name_zh, typed, ids, phrase.slug)


def known_places(limit=12):
    """Cities and provinces the directory's hospitals state (for "places that exist")."""
    from departments.models import Hospital

    rows = (
        Hospital.objects.exclude(city="")
        .values_list("city", "province", "city_zh_hans", "province_zh_hans")
        .order_by("province", "city")
        .distinct()[: limit * 4]
    )
    from departments.localise import is_chinese

    chinese = is_chinese()
    names = []
    for city, province, city_zh, province_zh in rows:
        shown_city = city_zh if chinese and city_zh else city
        shown_province = province_zh if chinese and province_zh else province
        label = f"{shown_city} ({shown_province})" if shown_province else shown_city
        if label not in names:
            names.append(label)
    return tuple(names[:limit])


__all__ = ["CITY", "HOSPITAL", "PROVINCE", "Place", "PlaceReading", "find_places", "known_places"]
