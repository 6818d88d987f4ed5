"""Query text: cleaning, tokens, qualifiers and stop words (pure functions, no database).

`parse_query` is the search's first step: what was typed → a `ParsedQuery` (clean text, tokens).
"""

import re
import unicodedata
from dataclasses import dataclass

from departments.normalise import CONTROL_CHARACTERS_CLASS, GENERIC_WORDS, normalise

MAX_QUERY_LENGTH = 200

# Control characters (NUL included), lone surrogates and non-characters never reach the database.
_UNSAFE = re.compile(rf"[{CONTROL_CHARACTERS_CLASS}\ud800-\udfff\ufffe\uffff]")
_NON_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u2e80-\u2fdf\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PLUS = re.compile(r"(\w)\+")
_MINUS = re.compile(r"(\w)-(?=[\s/,;)]|$)")
_ROMAN_OR_NUMBER = re.compile(r"^(?:[0-4]|i{1,3}|iv)[abc]?$")

# Words a referrer adds to describe stage, setting, line of treatment or the patient. They are
# set aside (and shown as set aside) without stopping the cancer type from resolving. A
# vocabulary phrase always wins over them: "secondary liver cancer" and "metastases" resolve.
_STAGE = """
locally advanced|late stage|end stage|early stage|advanced stage|newly diagnosed|de novo|
first line|1st line|second line|2nd line|third line|3rd line|later line|later lines|
high grade|low grade|high risk|low risk|non metastatic|oligometastatic|metastatic|advanced|
recurrent|relapsed|refractory|resistant|persistent|early|unresectable|resectable|inoperable|
operable|borderline|localised|localized|local|regional|disseminated|invasive|aggressive|
progressive|stage|grade|primary|adult|adults|elderly|young|female|male|first|second|third|
line|lines|setting
"""
# Biomarker words: set aside too, but only after a vocabulary phrase that contains them
# ("HER2-positive breast cancer", "triple negative") has had its chance.
_BIOMARKER = """
positive|negative|mutant|mutated|mutation|amplified|overexpressing|wild type|her2|her|er|pr|
hr|egfr|alk|ros1|kras|braf|brca|brca1|brca2|msi|msi h|dmmr|pd l1|pdl1|luminal a|luminal b
"""


def _phrases(text):
    phrases = {tuple(p.split()) for p in text.replace("\n", "").split("|") if p.strip()}
    # Longest phrases first so "locally advanced" is taken before "advanced".
    return tuple(sorted(phrases, key=lambda p: (-len(p), p)))


STAGE_PHRASES = _phrases(_STAGE)
BIOMARKER_PHRASES = _phrases(_BIOMARKER)

_STOP = """a an all and or for in on with without to at by from my our your his her their
    patient patients treatment treatments treat treating treated therapy therapies care doctor
    doctors specialist
    specialists department departments hospital hospitals clinic clinics centre center centres
    centers unit team best top near me who which what where is are type types disease diseases
    oncology oncologist oncologists service services clinical trial trials study studies
    research ca"""
STOP_WORDS = frozenset(_STOP.split())

# Chinese words for stage and setting, dropped before Chinese matching.
CHINESE_QUALIFIERS = (
    "局部晚期",
    "转移性",
    "进展期",
    "复发性",
    "难治性",
    "晚期",
    "早期",
    "中期",
    "复发",
    "转移",
    "一线",
    "二线",
    "三线",
    "治疗",
    "患者",
    "医院",
    "科室",
    "哪里",
    "哪家",
    "最好",
)


@dataclass(frozen=True)
class Token:
    norm: str  # case-folded, NFKC
    raw: str  # as typed (NFKC), for case-sensitive checks on short abbreviations


@dataclass(frozen=True)
class ParsedQuery:
    """What was typed, made safe and split into words (step 1 of a search)."""

    query: str  # printable, at most MAX_QUERY_LENGTH characters
    truncated: bool  # the typed text was longer
    tokens: tuple[Token, ...]

    @property
    def normalised(self):
        return " ".join(t.norm for t in self.tokens)

    @property
    def multiword(self):
        """Typed as more than one word (a lower-case "all" or "net" is then an everyday word)."""
        return len(self.query.split()) > 1


def parse_query(text):
    """Clean and tokenise a query.

    >>> parse_query("HER2+ breast cancer").normalised
    'her2 positive breast'
    """
    query, truncated = clean_query(text)
    return ParsedQuery(query, truncated, tuple(tokenise(query)))


def clean_query(value, *, limit=MAX_QUERY_LENGTH):
    """Return (text, truncated): safe printable text of at most `limit` characters.

    >>> clean_query("  liver\\x00 cancer  ")
    ('liver cancer', False)
    """
    if not isinstance(value, str):
        value = ""
    text = " ".join(_UNSAFE.sub(" ", value).split())
    truncated = len(text) > limit
    return text[:limit].strip(), truncated


def has_cjk(text):
    return bool(_CJK.search(text))


def tokenise(text):
    """Word tokens without the generic words normalise() drops; case kept in `raw`.

    A "+" after a word reads as "positive" ("HER2+", "ER+") and a "-" ending a word as
    "negative" ("HER2-", "HR+/HER2-").
    """
    text = unicodedata.normalize("NFKC", text or "").replace("&", " and ")
    text = _PLUS.sub(r"\1 positive ", text)
    text = _MINUS.sub(r"\1 negative ", text)
    result = []
    for raw in _NON_WORD.sub(" ", text).split():
        norm = raw.casefold()
        if norm not in GENERIC_WORDS:
            result.append(Token(norm, raw))
    return result


def qualifier_length(words, i, *, biomarkers=True):
    """How many words from position i form a referrer qualifier (0 if none)."""
    if words[i] == "stage" and i + 1 < len(words) and _ROMAN_OR_NUMBER.match(words[i + 1]):
        return 2
    if words[i].isdigit():
        return 1
    for phrases in (STAGE_PHRASES, BIOMARKER_PHRASES) if biomarkers else (STAGE_PHRASES,):
        for phrase in phrases:
            if tuple(words[i : i + len(phrase)]) == phrase:
                return len(phrase)
    return 0


def strip_chinese_qualifiers(text):
    for word in CHINESE_QUALIFIERS:
        text = text.replace(word, " ")
    return text


__all__ = [
    "MAX_QUERY_LENGTH",
    "STOP_WORDS",
    "ParsedQuery",
    "Token",
    "clean_query",
    "has_cjk",
    "normalise",
    "parse_query",
    "qualifier_length",
    "strip_chinese_qualifiers",
    "tokenise",
]
