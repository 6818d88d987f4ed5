"""Referrer queries, typed the way referrers type them, against the seed data (issue 4).

Each row: the query, the departments that must appear, the departments that must not, and —
where it matters — the department that must come first. The table goes through the real page
(`/search/?q=…`) and reads the ranked department links out of the HTML, so it runs the same
resolution, ranking and template on SQLite and on PostgreSQL (CI runs the suite on both); the
snapshot test below pins the complete order for a few queries, so both databases must agree.
"""

import pytest

from .helpers import assert_ranked, ranked_slugs

pytestmark = pytest.mark.usefixtures("fresh_vocabulary")

M1 = "fahzu-medical-oncology-1"  # FAHZU Medical Oncology Ⅰ: many types, MDT for GI/oesophagus/H&N
M3 = "fahzu-medical-oncology-3"  # FAHZU Medical Oncology Ⅲ: digestive focus, HCC, runs IMbrave150
H55 = "cancer-hospital-1955-oncology-department"  # the 1955 cancer hospital's oncology department
BR = "zhejiang-cancer-hospital-breast-medical-oncology"  # Breast Medical Oncology
RT = "jilin-first-hospital-radiation-oncology"  # Radiation Oncology: lists no cancer types
ALL = (M1, M3, H55, BR, RT)


def row(query, must=(), must_not=(), first=None, kind=""):
    return pytest.param(query, tuple(must), tuple(must_not), first, id=f"{kind}:{query}")


TABLE = [
    # Exact names, any case.
    row("breast cancer", [BR, M1, H55], [M3, RT], first=BR, kind="exact"),
    row("BREAST CANCER", [BR, M1, H55], [M3, RT], first=BR, kind="exact"),
    row("hepatocellular carcinoma", [M3, M1, H55], [BR, RT], first=M3, kind="exact"),
    row("pancreatic cancer", [M1, M3, H55], [BR, RT], first=M1, kind="exact"),
    row("cervical cancer", [H55], [M1, M3, BR, RT], first=H55, kind="exact-sibling"),
    row("thyroid cancer", [H55], [M1, M3, BR, RT], first=H55, kind="exact-sibling"),
    row("lymphoma", [H55], [M1, M3, BR, RT], first=H55, kind="exact"),
    row("head and neck cancer", [M1], [M3, H55, BR, RT], first=M1, kind="exact"),
    row("thymic carcinoma", [M1], [M3, H55, BR, RT], first=M1, kind="exact"),
    # Synonyms and the seeds' own wording.
    row("hepatoma", [M3], [BR, RT], first=M3, kind="synonym"),
    row("gastric cancer", [M3, H55, M1], [BR, RT], kind="synonym"),
    row("renal cell carcinoma", [H55, M1], [M3, BR, RT], first=H55, kind="synonym"),
    row("cholangetic cancer", [M1], [BR, RT], first=M1, kind="seed-wording"),
    row("ovary", [M1, H55], [M3, BR, RT], kind="seed-wording"),
    row("cancers of unknown primary site", [M1], [M3, H55, BR, RT], first=M1, kind="seed-wording"),
    # Abbreviations, upper and lower case.
    row("HCC", [M3, M1, H55], [BR, RT], first=M3, kind="abbreviation"),
    row("hcc", [M3, M1, H55], [BR, RT], first=M3, kind="abbreviation"),
    row("NSCLC", [M1, H55], [M3, BR, RT], kind="abbreviation"),
    row("nsclc", [M1, H55], [M3, BR, RT], kind="abbreviation"),
    row("CRC", [M1, H55, M3], [BR, RT], kind="abbreviation"),
    row("crc", [M1, H55, M3], [BR, RT], kind="abbreviation"),
    row("TNBC", [H55, BR, M1], [M3, RT], first=H55, kind="abbreviation"),
    row("NET", [M1], [M3, H55, BR, RT], first=M1, kind="abbreviation"),
    row("CUP", [M1], [M3, H55, BR, RT], first=M1, kind="abbreviation"),
    # Lay terms.
    row("bile duct cancer", [M1, M3, H55], [BR, RT], first=M1, kind="lay"),
    row("bowel cancer", [M1, H55, M3], [BR, RT], kind="lay"),
    row("womb cancer", [H55, M1], [M3, BR, RT], kind="lay"),
    # British and American spellings.
    row("oesophageal cancer", [M1, H55, M3], [BR, RT], kind="british"),
    row("esophageal cancer", [M1, H55, M3], [BR, RT], kind="american"),
    row("gynaecological cancers", [H55, M1], [M3, BR, RT], first=H55, kind="british"),
    row("gynecologic cancer", [H55, M1], [M3, BR, RT], first=H55, kind="american"),
    row("oesophageal", [M1, H55], [BR, RT], kind="british-bare"),
    # Typos: one and two edits.
    row("hepatocelular carcinoma", [M3], [BR, RT], first=M3, kind="typo-1"),
    row("colorectel cancer", [M1, H55, M3], [BR, RT], kind="typo-1"),
    row("oesophagael cancer", [M1, H55], [BR, RT], kind="typo-transposition"),
    row("pancreatic cancr", [M1, M3, H55], [BR, RT], first=M1, kind="typo-generic-word"),
    row("pancreatc cancer", [M1, M3, H55], [BR, RT], first=M1, kind="typo-1"),
    row("cholangiocarcinomma", [M1], [BR, RT], first=M1, kind="typo-1"),
    row("lymphona", [H55], [M1, M3, BR, RT], first=H55, kind="typo-1"),
    row("hepatocelluar carcinom", [M3], [BR, RT], first=M3, kind="typo-2"),
    row("colorectl cancr", [M1, H55, M3], [BR, RT], kind="typo-2"),
    # Chinese.
    row("肝癌", [M1, M3, H55], [BR, RT], kind="chinese"),
    row("肝细胞癌", [M3], [BR, RT], first=M3, kind="chinese"),
    row("乳腺癌", [BR, M1, H55], [M3, RT], first=BR, kind="chinese"),
    row("胃癌", [M3, H55, M1], [BR, RT], kind="chinese"),
    row("胆管癌", [M1], [BR, RT], first=M1, kind="chinese"),
    row("晚期肝细胞癌", [M3], [BR, RT], first=M3, kind="chinese-qualifier"),
    # Broader and narrower queries through the tree.
    row("liver cancer", [M1, M3, H55], [BR, RT], kind="broader"),
    row("digestive system cancer", [M3, M1, H55], [BR, RT], first=M3, kind="broader"),
    row("gastrointestinal cancer", [M1, M3, H55], [BR, RT], kind="broader"),
    row("stomach cancer", [M3, H55, M1], [BR, RT], kind="narrower-via-broader"),
    row("sarcoma", [H55, M1], [M3, BR, RT], first=H55, kind="broader"),
    row("soft tissue sarcoma", [M1, H55], [M3, BR, RT], first=M1, kind="narrower"),
    row("bone metastases", [BR], [M1, M3, H55, RT], first=BR, kind="narrower"),
    row("prostate cancer", [M1], [M3, H55, BR, RT], first=M1, kind="narrower-via-broader"),
    # Qualifiers a referrer adds.
    row("HER2-positive breast cancer", [BR, M1, H55], [M3, RT], first=BR, kind="subtype"),
    row("metastatic HER2+ breast cancer", [BR, M1, H55], [M3, RT], first=BR, kind="qualifier"),
    row("triple negative breast cancer", [H55, BR, M1], [M3, RT], first=H55, kind="subtype"),
    row("advanced breast cancer", [BR, M1, H55], [M3, RT], first=BR, kind="qualifier"),
    row("first-line advanced HCC", [M3], [BR, RT], first=M3, kind="qualifier"),
    row("unresectable hepatocellular carcinoma", [M3], [BR, RT], first=M3, kind="qualifier"),
    row("stage IV NSCLC", [M1, H55], [M3, BR, RT], kind="qualifier"),
    row("recurrent ovarian cancer", [M1, H55], [M3, BR, RT], kind="qualifier"),
    row("locally advanced oesophageal cancer", [M1, H55], [BR, RT], kind="qualifier"),
    # Therapies and services.
    row("radiotherapy", [RT, H55], [M1, M3, BR], first=RT, kind="therapy"),
    row("radiation therapy", [RT, H55], [M1, M3, BR], first=RT, kind="therapy"),
    row("放疗", [RT, H55], [M1, M3, BR], first=RT, kind="therapy-chinese"),
    row("chemotherapy", [BR, H55, M3], [M1, RT], kind="therapy"),
    row("chemo", [BR, H55, M3], [M1, RT], kind="therapy-lay"),
    row("CAR-T", [M3], [M1, H55, BR, RT], first=M3, kind="therapy"),
    row("car t cell therapy", [M3], [M1, H55, BR, RT], first=M3, kind="therapy"),
    row("genetic counselling", [BR], [M1, M3, H55, RT], first=BR, kind="therapy-british"),
    row("genetic counseling", [BR], [M1, M3, H55, RT], first=BR, kind="therapy-american"),
    row("endocrine therapy", [BR, H55], [M1, M3, RT], kind="therapy"),
    row("immunotherapy", [M1, M3, H55], [BR, RT], kind="therapy"),
    row("CAR-T for liver cancer", [M3, M1, H55], [BR, RT], first=M3, kind="type-and-therapy"),
    # Terms no department lists: resolve, but show no department.
    row("melanoma", [], ALL, kind="unlisted"),
    row("glioblastoma", [], ALL, kind="unlisted"),
    row("mesothelioma", [], ALL, kind="unlisted"),
    # Free text (no vocabulary term): names, descriptions, research directions, trials.
    row("intestinal flora", [M3], [M1, H55, BR, RT], first=M3, kind="free-text"),
    row("KEYNOTE-394", [M3], [M1, H55, BR, RT], first=M3, kind="trial-name"),
    row("xyzzy", [], ALL, kind="nothing"),
]


def test_table_is_big_enough_and_covers_every_kind():
    kinds = {param.id.split(":")[0].split("-")[0] for param in TABLE}
    assert len(TABLE) >= 45
    assert {
        "exact",
        "synonym",
        "abbreviation",
        "lay",
        "british",
        "american",
        "typo",
        "chinese",
        "broader",
        "narrower",
        "qualifier",
        "therapy",
        "unlisted",
    } <= kinds


@pytest.mark.parametrize(("query", "must", "must_not", "first"), TABLE)
def test_referrer_query(client, query, must, must_not, first):
    assert_ranked(ranked_slugs(client, query), query, must, must_not, first)


# The complete order for a few queries: identical on SQLite and PostgreSQL.
SNAPSHOT = {
    "breast cancer": [BR, M1, H55],
    "HCC": [M3, M1, H55],
    "liver cancer": [M3, M1, H55],
    "pancreatic cancer": [M1, M3, H55],
    "stomach cancer": [M3, H55, M1],
    "triple negative breast cancer": [H55, BR, M1],
    "digestive system cancer": [M3, M1, H55],
    "radiotherapy": [RT, H55],
    "chemotherapy": [BR, H55, M3],
    "intestinal flora": [M3],
}


@pytest.mark.parametrize(("query", "expected"), SNAPSHOT.items())
def test_full_order_is_deterministic_and_database_independent(client, query, expected):
    assert ranked_slugs(client, query) == expected
    assert ranked_slugs(client, query) == expected
