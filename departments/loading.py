"""Loading the portal's YAML fixtures: strict, idempotent, all-or-nothing.

Each function takes keyword-only arguments and writes through `Loader.upsert`, which matches a
row on its natural key, validates it with `full_clean()` and saves it only when a value differs.
Any problem raises `FixtureError` naming the file and the row.
"""

import re
from collections import Counter
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import models

from .models import (
    CancerType,
    CancerTypeAlias,
    Department,
    Hospital,
    Person,
    Service,
    ServiceAlias,
    Source,
)
from .normalise import normalise
from .sections import model_sections

_SPACE = re.compile(r"\s+")


class FixtureError(Exception):
    """A fixture file is broken: the message says where and why."""


def collapse(text):
    return _SPACE.sub(" ", text or "").strip()


def read_yaml(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise FixtureError(f"{path}: file is missing") from exc
    except yaml.YAMLError as exc:
        raise FixtureError(f"{path}: not valid YAML: {exc}") from exc


class Loader:
    """Holds what a load has seen (sources, counts) and writes rows idempotently."""

    def __init__(self, *, fixtures_dir):
        self.fixtures_dir = Path(fixtures_dir)
        self.seeds_dir = self.fixtures_dir / "seeds"
        self.counts = Counter()
        self.source_texts = {}
        self.sources = {}

    # -- generic helpers -------------------------------------------------------------------
    def upsert(self, model, *, lookup, values, where, m2m=None):
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj = model(**lookup)
        changed = False
        for name, value in values.items():
            if created or getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            try:
                obj.full_clean()
            except ValidationError as exc:
                raise FixtureError(f"{where}: {self._describe(exc)}") from exc
            obj.save()
        for name, targets in (m2m or {}).items():
            manager = getattr(obj, name)
            if set(manager.all()) != set(targets):
                manager.set(targets)
                changed = True
        label = model._meta.model_name
        self.counts[
            f"{label}:{'created' if created else 'updated' if changed else 'unchanged'}"
        ] += 1
        return obj

    @staticmethod
    def _describe(exc):
        if hasattr(exc, "message_dict"):
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        return " ".join(exc.messages)

    def fields_of(self, model, row, *, where, skip=(), extra=()):
        """Turn a YAML mapping into field values, refusing keys the model does not have."""
        allowed = {
            f.name: f
            for f in model._meta.concrete_fields
            if not f.primary_key and not isinstance(f, models.ForeignKey)
        }
        values = {}
        for key, value in row.items():
            if key in skip or key in extra:
                continue
            field = allowed.get(key)
            if field is None or key in ("normalised", "updated_at"):
                raise FixtureError(f"{where}: unknown field {key!r}")
            if value is None and not field.null:
                value = field.get_default()
            if isinstance(value, str):
                value = value.strip()
            values[key] = value
        return values

    def lookup_slug(self, model, slug, *, where, field="slug"):
        try:
            return model.objects.get(**{field: slug})
        except model.DoesNotExist as exc:
            raise FixtureError(f"{where}: unknown {model._meta.verbose_name} {slug!r}") from exc

    def sourced(self, row, *, where, default_source=None):
        """Resolve `source` and check that `excerpt` is in that source's text."""
        slug = row.get("source") or default_source
        excerpt = (row.get("excerpt") or "").strip()
        if not slug:
            if excerpt:
                raise FixtureError(f"{where}: an excerpt needs a source")
            return {"source": None, "excerpt": ""}
        source = self.sources.get(slug)
        if source is None:
            raise FixtureError(f"{where}: unknown source {slug!r}")
        if excerpt and collapse(excerpt) not in self.source_texts[slug]:
            raise FixtureError(f"{where}: excerpt is not in source {slug!r}: {excerpt[:80]!r}")
        return {"source": source, "excerpt": excerpt}

    def rows(self, data, *, where):
        if data is None:
            return []
        if not isinstance(data, list):
            raise FixtureError(f"{where}: expected a list")
        for row in data:
            if not isinstance(row, dict):
                raise FixtureError(f"{where}: expected a mapping, got {row!r}")
        return data

    # -- sources -----------------------------------------------------------------------------
    def load_sources(self):
        path = self.fixtures_dir / "sources.yaml"
        for i, row in enumerate(self.rows(read_yaml(path), where=str(path))):
            where = f"{path.name} row {i + 1}"
            values = self.fields_of(Source, row, where=where, skip=("slug",))
            file_name = values.get("file_name")
            if file_name:
                try:
                    values["text"] = (self.seeds_dir / file_name).read_text(encoding="utf-8")
                except FileNotFoundError as exc:
                    raise FixtureError(f"{where}: source file {file_name!r} not found") from exc
            source = self.upsert(Source, lookup={"slug": row["slug"]}, values=values, where=where)
            self.sources[source.slug] = source
            self.source_texts[source.slug] = collapse(source.text)

    # -- vocabulary --------------------------------------------------------------------------
    def load_cancer_types(self):
        path = self.fixtures_dir / "vocabulary" / "cancer_types.yaml"
        seen_names = {}

        def walk(rows, parent, trail):
            for i, row in enumerate(self.rows(rows, where=f"{path.name} {trail}")):
                slug = row.get("slug")
                where = f"{path.name} {trail}/{slug or i + 1}"
                values = self.fields_of(
                    CancerType, row, where=where, skip=("slug",), extra=("aliases", "children")
                )
                values.update(parent=parent, sort_order=i)
                node = self.upsert(CancerType, lookup={"slug": slug}, values=values, where=where)
                seen_names[normalise(node.name)] = node
                aliases.append((node, row.get("aliases") or [], where))
                walk(row.get("children"), node, f"{trail}/{slug}")

        aliases = []
        walk(read_yaml(path), None, "")
        self._load_aliases(CancerTypeAlias, "cancer_type", aliases, seen_names)

    def load_services(self):
        path = self.fixtures_dir / "vocabulary" / "services.yaml"
        seen_names, aliases = {}, []
        for i, row in enumerate(self.rows(read_yaml(path), where=path.name)):
            where = f"{path.name} {row.get('slug') or i + 1}"
            values = self.fields_of(Service, row, where=where, skip=("slug",), extra=("aliases",))
            service = self.upsert(
                Service, lookup={"slug": row.get("slug")}, values=values, where=where
            )
            seen_names[normalise(service.name)] = service
            aliases.append((service, row.get("aliases") or [], where))
        self._load_aliases(ServiceAlias, "service", aliases, seen_names)

    def _load_aliases(self, model, owner_field, aliases, names):
        for owner, rows, where in aliases:
            for row in self.rows(rows, where=f"{where} aliases"):
                text = (row.get("text") or "").strip()
                norm = normalise(text)
                here = f"{where} alias {text!r}"
                if not norm:
                    raise FixtureError(f"{here}: normalises to nothing")
                other = names.get(norm)
                if other is not None and other != owner:
                    raise FixtureError(f"{here}: is the name of {other}")
                values = self.fields_of(model, row, where=here)
                values.update({owner_field: owner, "normalised": norm})
                self.upsert(model, lookup={"normalised": norm}, values=values, where=here)

    # -- hospitals and departments ------------------------------------------------------------
    def load_hospitals(self):
        path = self.fixtures_dir / "hospitals.yaml"
        for i, row in enumerate(self.rows(read_yaml(path), where=path.name)):
            where = f"{path.name} {row.get('slug') or i + 1}"
            values = self.fields_of(Hospital, row, where=where, skip=("slug", "source"))
            values.update(self.sourced(row, where=where))
            self.upsert(Hospital, lookup={"slug": row.get("slug")}, values=values, where=where)

    def department_files(self):
        files = sorted((self.fixtures_dir / "departments").glob("*.yaml"))
        if not files:
            raise FixtureError("fixtures/departments/ holds no department file")
        return files

    def load_departments(self):
        for path in self.department_files():
            self.load_department_file(path)

    def load_department_file(self, path):
        doc = read_yaml(path)
        if not isinstance(doc, dict) or "department" not in doc:
            raise FixtureError(f"{path.name}: needs a top-level 'department' mapping")
        sections = [section for section in model_sections() if section.in_fixtures]
        known = {"source", "department", "leader", *(section.key for section in sections)}
        unknown = set(doc) - known
        if unknown:
            raise FixtureError(f"{path.name}: unknown sections {sorted(unknown)}")
        default_source = doc.get("source")
        row = doc["department"]
        where = f"{path.name} department"
        values = self.fields_of(Department, row, where=where, skip=("slug", "hospital", "source"))
        values["hospital"] = self.lookup_slug(Hospital, row.get("hospital"), where=where)
        values.update(self.sourced(row, where=where, default_source=default_source))
        department = self.upsert(
            Department, lookup={"slug": row.get("slug")}, values=values, where=where
        )
        if doc.get("leader"):
            leader = self._person(department, doc["leader"], f"{path.name} leader", default_source)
            if department.leader_id != leader.pk:
                department.leader = leader
                department.save(update_fields=["leader"])
        for section in sections:
            self.load_section(
                section,
                doc.get(section.key),
                path=path,
                department=department,
                default_source=default_source,
            )
        return department

    def load_section(self, section, data, *, path, department, default_source):
        """A section's rows of one department file, matched on the section's natural key."""
        model, vocabulary, many = section.model, section.vocabulary, section.many
        for i, item in enumerate(self.rows(data, where=f"{path.name} {section.key}")):
            here = f"{path.name} {section.key} row {i + 1}"
            values = self.fields_of(
                model, item, where=here, skip=("source", *vocabulary), extra=("person", *many)
            )
            for key, vocabulary_model in vocabulary.items():
                values[key] = self.lookup_slug(vocabulary_model, item.get(key), where=here)
            if item.get("person"):
                values["person"] = self._person(
                    department, {"name": item["person"]}, here, default_source, create=False
                )
            values.update(self.sourced(item, where=here, default_source=default_source))
            values["sort_order"] = i
            lookup = {"department": department}
            for name in section.natural_key:
                if name != "department":
                    lookup[name] = (
                        values.pop(name, None) or model._meta.get_field(name).get_default()
                    )
            related = {
                name: [self.lookup_slug(target, slug, where=here) for slug in item.get(name) or []]
                for name, target in many.items()
            }
            self.upsert(model, lookup=lookup, values=values, where=here, m2m=related)

    def _person(self, department, row, where, default_source, *, create=True):
        if not create:
            person = Person.objects.filter(department=department, name=row["name"]).first()
            if person is None:
                raise FixtureError(f"{where}: unknown person {row['name']!r}")
            return person
        values = self.fields_of(Person, row, where=where, skip=("name", "source"))
        values.update(self.sourced(row, where=where, default_source=default_source))
        return self.upsert(
            Person,
            lookup={"department": department, "name": row.get("name")},
            values=values,
            where=where,
        )

    def load_referenced(self):
        """What department files name by slug: loaded before them."""
        self.load_cancer_types()
        self.load_services()
        self.load_hospitals()

    def load_all(self):
        self.load_sources()
        self.load_referenced()
        self.load_departments()
