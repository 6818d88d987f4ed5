"""Lossless backup and restore of the whole portal database (`backup_portal`, `restore_portal`).

Why not `dumpdata` / `loaddata`:

- Django's JSON serializers cut datetimes to milliseconds (ECMA-262 style); history dates and
  `updated_at` would come back changed. Here datetimes and times keep their microseconds.
- `loaddata` sets many-to-many fields through the ORM after each row: that sends
  `m2m_changed`, on which django-simple-history writes a *new* history row for every trial with
  cancer types or interventions. On SQLite those rows are extra (9 spurious history rows on the
  seed data); on PostgreSQL they take ids from a sequence not yet moved past the restored ids and
  the load fails with a duplicate key in `trials_historicaltrial`.
- `loaddata`'s saves go through the models' signals, one per row (history, page-cache version,
  vocabulary version).

A backup is a JSON Lines file (gzip-compressed when its name ends in `.gz`): a header line with
the applied migrations, then every row of every table in Django's serialization format by
primary key, many-to-many link tables included as rows of their own (ids kept), then a trailer
with the row count of every table. Restore checks that the target database has exactly the
backup's migrations applied, empties it, inserts the rows as they are (raw inserts in batches: no
`save()`, no signals, no history written, `auto_now` fields untouched), checks every foreign key,
compares every table's row count with the trailer, resets PostgreSQL's sequences, and commits,
or on any error rolls back and leaves the target as it was.
"""

import datetime
import gzip
import json
from collections import Counter
from contextlib import contextmanager

from django.apps import apps
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
HEADER = "portal_backup"
TRAILER = "portal_backup_end"
BATCH = 1000


class BackupError(Exception):
    """The backup cannot be read or restored here; nothing was changed."""


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but datetimes and times keep their microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class RowSerializer(PythonSerializer):
    """Rows as Django's Python serializer writes them, one JSON line each as they are read,
    minus many-to-many fields: their link tables are written as rows of their own, ids kept."""

    def start_serialization(self):
        super().start_serialization()
        self.counts = Counter()

    def handle_m2m_field(self, obj, field):
        return

    def end_object(self, obj):
        _line(self.stream, self.get_dump_object(obj))
        self.counts[obj._meta.label_lower] += 1
        self._current = None


def backed_up_models(using="default"):
    """Every table Django manages in the database, link tables included, in a stable order.

    (A model whose migration has not been written yet has no table; `makemigrations --check`
    in CI catches that, and it has no rows to lose.)"""
    tables = set(connections[using].introspection.table_names())
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model._meta.db_table in tables
    ]
    return sorted(models, key=lambda model: model._meta.label_lower)


def applied_migrations(using):
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


@contextmanager
def _open(path, mode):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, mode + "t", encoding="utf-8") as stream:
        yield stream


def _line(stream, value):
    json.dump(value, stream, cls=ExactJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    stream.write("\n")


def _rows(models, using):
    for model in models:
        yield from model._base_manager.using(using).order_by("pk").iterator(chunk_size=BATCH)


def write_backup(path, *, using="default"):
    """Write every row of every table to `path`; returns {table label: row count}.

    On PostgreSQL the rows are read in one repeatable-read transaction: a consistent snapshot
    while the portal keeps serving and saving.
    """
    connection = connections[using]
    models = backed_up_models(using)
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(using=using):
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with _open(path, "w") as stream:
            header = {
                "format": FORMAT,
                "created": timezone.now(),
                "vendor": connection.vendor,
                "migrations": applied_migrations(using),
            }
            _line(stream, {HEADER: header})
            serializer = RowSerializer()
            serializer.serialize(_rows(models, using), stream=stream)
            labels = [model._meta.label_lower for model in models]
            counts = {label: serializer.counts[label] for label in labels}
            _line(stream, {TRAILER: {"counts": counts}})
    return counts


def read_header(path):
    """The backup's header (format, creation time, migrations); BackupError if it is none."""
    try:
        with _open(path, "r") as stream:
            first = json.loads(stream.readline() or "null")
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a portal backup: {exc}") from exc
    if not isinstance(first, dict) or HEADER not in first:
        raise BackupError(f"{path} is not a portal backup (no header line).")
    header = first[HEADER]
    if header.get("format") != FORMAT:
        raise BackupError(f"{path} has backup format {header.get('format')!r}; expected {FORMAT}.")
    return header


def holds_data(using):
    """Labels of the tables holding rows that `migrate` alone does not create."""
    created_by_migrate = {
        "contenttypes.contenttype",
        "auth.permission",
        "auth.group",
        "auth.group_permissions",
    }
    return [
        model._meta.label_lower
        for model in backed_up_models(using)
        if model._meta.label_lower not in created_by_migrate
        and model._base_manager.using(using).exists()
    ]


class _Lines:
    """The backup's row lines, in order, for Django's deserializer; the trailer is kept aside."""

    def __init__(self, stream):
        self.stream = stream
        self.trailer = None

    def __iter__(self):
        next(self.stream)  # the header
        for number, line in enumerate(self.stream, start=2):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BackupError(f"Line {number} is not JSON: {exc}") from exc
            if TRAILER in row:
                self.trailer = row[TRAILER]
                return
            yield row


def _insert(model, objects, using):
    """Insert the rows as they are: no save(), no signals, auto_now fields untouched."""
    fields = model._meta.local_concrete_fields
    for start in range(0, len(objects), BATCH):
        model._base_manager.using(using)._insert(
            objects[start : start + BATCH], fields=fields, using=using, raw=True
        )


def restore_backup(path, *, using="default", replace=False):
    """Replace the contents of database `using` with the backup at `path`.

    Returns {table label: row count}. Raises BackupError, changing nothing, when the database
    holds data (unless `replace`), when its migrations differ from the backup's, or when the
    backup is incomplete or inconsistent.
    """
    from django.core.management import call_command

    header = read_header(path)
    connection = connections[using]
    here = applied_migrations(using)
    if here != header["migrations"]:
        missing = sorted(set(header["migrations"]) - set(here))
        extra = sorted(set(here) - set(header["migrations"]))
        raise BackupError(
            "The database's migrations differ from the backup's: "
            f"not applied here: {', '.join(missing[:10]) or 'none'}; "
            f"applied here but not in the backup: {', '.join(extra[:10]) or 'none'}. "
            "Restore into a database migrated to the backup's release (manage.py migrate), "
            "then migrate forward."
        )
    if not replace:
        occupied = holds_data(using)
        if occupied:
            raise BackupError(
                f"The database already holds data ({', '.join(occupied[:5])}…); restore into a "
                "fresh, migrated database, or pass --replace to delete everything in it first."
            )

    counts = Counter()
    with transaction.atomic(using=using), _open(path, "r") as stream:
        call_command(
            "flush", database=using, interactive=False, inhibit_post_migrate=True, verbosity=0
        )
        lines = _Lines(stream)
        model, batch = None, []
        try:
            for item in PythonDeserializer(lines, using=using):
                row = item.object
                if type(row) is not model:
                    if batch:
                        _insert(model, batch, using)
                    model, batch = type(row), []
                batch.append(row)
                counts[row._meta.label_lower] += 1
            if batch:
                _insert(model, batch, using)
        except DeserializationError as exc:
            raise BackupError(f"The backup cannot be read: {exc}") from exc
        if lines.trailer is None:
            raise BackupError("The backup is incomplete (no trailer line): nothing was restored.")
        expected = lines.trailer["counts"]
        models = {model._meta.label_lower: model for model in backed_up_models(using)}
        wrong = {
            label: (count, models[label]._base_manager.using(using).count())
            for label, count in expected.items()
            if label in models and models[label]._base_manager.using(using).count() != count
        }
        unknown = sorted(set(expected) - set(models))
        if wrong or unknown:
            raise BackupError(
                f"Row counts differ from the backup's (expected, found): {wrong}; "
                f"tables unknown here: {unknown}. Nothing was restored."
            )
        try:
            connection.check_constraints()
        except Exception as exc:
            raise BackupError(f"The restored rows are inconsistent: {exc}") from exc
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
                cursor.execute(sql)

    from django.contrib.contenttypes.models import ContentType

    from departments.dataversion import bump_data_version
    from departments.search.vocabulary import bump_vocabulary_version

    ContentType.objects.clear_cache()
    bump_data_version()
    bump_vocabulary_version()
    return {label: counts.get(label, 0) for label in expected}
