"""Text normalisation shared by the vocabulary (aliases) and search queries."""

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
