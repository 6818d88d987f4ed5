"""python manage.py rebuild_search_index — recompute every row of the search index.

The index is derived data, kept current on every write (oncology_portal/rankindex.py); this
rebuilds it from the records after writes that bypass the ORM (raw SQL, a restore into a
database without it)."""

import time

from django.core.management.base import BaseCommand

from oncology_portal.models import DepartmentRank, TrialRank
from oncology_portal.rankindex import rebuild_all


class Command(BaseCommand):
    help = "Recompute the search index (each cancer type's ranked departments and trials)."

    def handle(self, *args, **options):
        started = time.monotonic()
        rebuild_all()
        self.stdout.write(
            self.style.SUCCESS(
                f"Search index rebuilt: {DepartmentRank.objects.count():,} department rows, "
                f"{TrialRank.objects.count():,} trial rows in {time.monotonic() - started:.1f} s."
            )
        )
