"""What the benchmark measures and against which targets: pure data, no Django.

Everything here can be overridden from the environment (see `bench/README.md`).
"""

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS_DIR = Path(__file__).resolve().parent / "results"

# PostgreSQL server (trust auth) that holds the benchmark's own databases.
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
# Redis database of the benchmark's own: flushed before each scale.
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")
HOST = "127.0.0.1"  # wrk and gunicorn: loopback only, never configurable
PORT = int(os.environ.get("BENCH_PORT", "8765"))

SEED_DB = "portal_bench_seed"
BASELINE = "robots.txt"  # the page every throughput figure is divided by


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    growth_of: str = ""  # the seed page its growth is measured against (default: itself)

    @property
    def growth_base(self):
        return self.growth_of or self.name


# Every public page type. Department, hospital and trial are real seed rows.
PAGES = [
    Page("home", "/"),
    Page("search breast", "/search/?q=breast"),
    Page("search HCC", "/search/?q=HCC"),
    Page("departments", "/departments/"),
    Page("departments liver", "/departments/?cancer_type=liver-cancer"),
    Page("department", "/departments/fahzu-medical-oncology-3/"),
    Page("hospitals", "/hospitals/"),
    Page("hospital", "/hospitals/fahzu/"),
    Page("cancer types", "/cancer-types/"),
    Page("cancer type breast", "/cancer-types/breast-cancer/"),
    Page("cancer type HCC", "/cancer-types/hepatocellular-carcinoma/"),
    Page("trials", "/trials/"),
    Page("trial", "/trials/imbrave150/"),
    Page(BASELINE, "/robots.txt"),
]


@dataclass(frozen=True)
class Targets:
    cold_median_ms: float = 150
    growth: float = 3
    warm_rps_ratio: float = 0.5
    html_bytes: int = 100_000  # 100 KB
    worker_rss_mib: float = 150
    admin_median_ms: float = 1000


TARGETS = Targets()


@dataclass(frozen=True)
class Size:
    """Rows that generate_synthetic_data adds on top of the seed data (None: its default)."""

    departments: int
    hospitals: int
    trials: int
    cities: int | None = None
    seed: int | None = None

    def generator_args(self):
        args = {
            "departments": self.departments,
            "hospitals": self.hospitals,
            "trials": self.trials,
            "cities": self.cities,
            "seed": self.seed,
        }
        return [f"--{k}={v}" for k, v in args.items() if v is not None]

    def counted(self):
        """The synthetic row counts a reusable database must hold."""
        return {"departments": self.departments, "hospitals": self.hospitals, "trials": self.trials}


SIZES = {
    "large": Size(departments=50_000, hospitals=2_000, trials=200_000),
    "small": Size(departments=2_000, hospitals=100, trials=5_000, cities=30),
}


@dataclass(frozen=True)
class Scale:
    name: str
    database: str
    size: Size | None = None  # None: seed data only
    template: str = ""  # a database to copy instead of generating (createdb -T)


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


# In-process repetitions: timed requests per page after one warm-up, stopped early once a page
# has used its time budget (the number measured is reported).
REPEATS = env_int("BENCH_REPEATS", 20)  # timed requests per page and cache mode, in all
# The in-process runs alternate between the scales this many times (seed, large, seed, large),
# each taking its share of REPEATS, so a drift in the machine's speed during the run (a shared
# 2-core machine's speed is not constant) falls on every scale alike.
ROUNDS = max(1, env_int("BENCH_ROUNDS", 2))
ADMIN_REPEATS = env_int("BENCH_ADMIN_REPEATS", 5)
PAGE_BUDGET_S = env_int("BENCH_PAGE_BUDGET", 30)
