"""python manage.py load_portal_data — load (or re-load) every fixture, idempotently."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from oncology_portal import rankindex
from trials.loading import FixtureError, PortalLoader


class Command(BaseCommand):
    help = (
        "Load the vocabulary, sources, hospitals, departments and trials from fixtures/. "
        "Idempotent; all-or-nothing; fails on any broken fixture."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures-dir",
            default=str(settings.BASE_DIR / "fixtures"),
            help="Folder holding the fixtures (default: the project's fixtures/).",
        )

    def handle(self, *args, **options):
        loader = PortalLoader(fixtures_dir=options["fixtures_dir"])
        try:
            # One search-index rebuild at the end instead of one per saved row.
            with transaction.atomic(), rankindex.deferred(everything=True):
                loader.load_all()
        except FixtureError as exc:
            raise CommandError(f"Broken fixture, nothing was written: {exc}") from exc
        created = sum(n for k, n in loader.counts.items() if k.endswith(":created"))
        updated = sum(n for k, n in loader.counts.items() if k.endswith(":updated"))
        unchanged = sum(n for k, n in loader.counts.items() if k.endswith(":unchanged"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Portal data loaded: {created} created, {updated} updated, {unchanged} unchanged."
            )
        )
