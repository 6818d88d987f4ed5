"""Text normalisation shared by the vocabulary (aliases), search queries and user-facing text."""

import re
import unicodedata

# Words that say "this is a cancer" without saying which one; dropped on both sides.
GENERIC_WORDS = frozenset(
    [
        *("cancer", "cancers", "carcinoma", "carcinomas", "tumour", "tumours", "tumor", "tumors"),
        *("neoplasm", "neoplasms", "malignancy", "malignancies", "malignant", "of", "the", "s"),
    ]
)
_NON_WORD = re.compile(r"[\W_]+")

# C0 and C1 control characters (NUL, escape, DEL, …): never shown, stored or sent to a database.
CONTROL_CHARACTERS_CLASS = r"\x00-\x1f\x7f-\x9f"
CONTROL_CHARACTERS = re.compile(f"[{CONTROL_CHARACTERS_CLASS}]")


def normalise(text: str) -> str:
    """NFKC, case-fold, punctuation and hyphens to spaces, generic cancer words dropped.

    >>> normalise("Non-small-cell lung CANCER")
    'non small cell lung'
    >>> normalise("Tumours of the liver")
    'liver'
    >>> normalise("Head & neck")
    'head and neck'
    """
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("&", " and ")
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(w for w in words if w not in GENERIC_WORDS)


def lower_first(text: str) -> str:
    """The text with its first character in lower case, for use mid-sentence.

    >>> lower_first("Runs IMbrave150")
    'runs IMbrave150'
    """
    return text[:1].lower() + text[1:]


def is_database_integer(value: str) -> bool:
    """ASCII digits that fit a database integer: "42", not "²", "٣" or 5,000 digits."""
    return value.isascii() and value.isdigit() and len(value) <= 18
