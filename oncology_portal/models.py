"""The search index: each cancer type's candidates, ranked ahead of time.

Search ranks departments and trials for a cancer type by their links, trials and activities
over the type's branch of the tree. Counting those per request takes hundreds of milliseconds at
national scale, so `oncology_portal.rankindex` keeps one row per (cancer type asked for,
candidate) with its sort key, rebuilt for the records a write touches. A page is then an index
scan. These rows are derived data: `manage.py rebuild_search_index` recreates them.
"""

from django.db import models

from departments.models import CancerType, Department
from trials.models import Trial


class DepartmentRank(models.Model):
    """A department that search shows for `cancer_type`, with its sort key (ranking.py)."""

    # Derived rows, rebuilt by the millions: no database constraint to check per row (deleting
    # a department or type still deletes its rows, through Django's cascade).
    cancer_type = models.ForeignKey(
        CancerType, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    band = models.PositiveSmallIntegerField()  # ranking.FOCUS … ranking.TRIALS_ONLY
    score = models.PositiveIntegerField()  # trials run + trial activities, for the type's branch
    link_key = models.PositiveIntegerField()  # band, distance, relation (ranking.BAND)
    sort_name = models.CharField(max_length=200)  # LOWER(name), as the database lowers it
    slug = models.SlugField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cancer_type", "department"], name="departmentrank_unique"
            ),
        ]
        indexes = [
            models.Index(
                "cancer_type",
                "band",
                models.F("score").desc(),
                "link_key",
                "sort_name",
                "slug",
                name="departmentrank_order_idx",
            ),
            models.Index(fields=["department"], name="departmentrank_department_idx"),
        ]

    def __str__(self):
        return f"{self.cancer_type_id}: {self.slug} (band {self.band}, score {self.score})"


class TrialRank(models.Model):
    """A trial that search shows for `cancer_type`: group 0 its own, 1 nearest a narrower type,
    2 nearest a broader one; by name within a group."""

    cancer_type = models.ForeignKey(
        CancerType, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    trial = models.ForeignKey(
        Trial, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    group = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cancer_type", "trial"], name="trialrank_unique"),
        ]
        indexes = [
            models.Index(
                fields=["cancer_type", "group", "name", "trial"], name="trialrank_order_idx"
            ),
            models.Index(fields=["trial"], name="trialrank_trial_idx"),
        ]

    def __str__(self):
        return f"{self.cancer_type_id}: trial {self.trial_id} (group {self.group})"
