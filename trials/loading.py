"""Loading interventions and trials (a department file's trial sections load through the
sections registry, after these)."""

from departments.loading import FixtureError, Loader, read_yaml
from departments.models import CancerType

from .models import Intervention, InterventionAlias, Trial


class PortalLoader(Loader):
    """The whole portal: the departments app's data with the trials its department files name."""

    def load_interventions(self):
        path = self.fixtures_dir / "interventions.yaml"
        for i, row in enumerate(self.rows(read_yaml(path), where=path.name)):
            where = f"{path.name} {row.get('slug') or i + 1}"
            values = self.fields_of(Intervention, row, where=where, skip=("slug", "source"))
            values.update(self.sourced(row, where=where))
            self.upsert(Intervention, lookup={"slug": row.get("slug")}, values=values, where=where)

    def load_intervention_aliases(self):
        """Drug aliases (ENRICHMENT.md "Drug names" only): matched on (intervention, text)."""
        path = self.fixtures_dir / "intervention_aliases.yaml"
        if not path.exists():
            return
        for i, row in enumerate(self.rows(read_yaml(path), where=path.name)):
            where = f"{path.name} row {i + 1} ({row.get('text')!r})"
            intervention = self.lookup_slug(Intervention, row.get("intervention"), where=where)
            values = self.fields_of(
                InterventionAlias, row, where=where, skip=("intervention", "text", "source")
            )
            values.update(self.sourced(row, where=where))
            if not values.get("source"):
                raise FixtureError(f"{where}: a drug alias needs its source")
            self.upsert(
                InterventionAlias,
                lookup={"intervention": intervention, "text": row.get("text")},
                values=values,
                where=where,
            )

    def _slugs(self, model, slugs, *, where):
        return [self.lookup_slug(model, slug, where=where) for slug in slugs or []]

    def load_trials(self):
        path = self.fixtures_dir / "trials.yaml"
        for i, row in enumerate(self.rows(read_yaml(path), where=path.name)):
            where = f"{path.name} {row.get('slug') or i + 1}"
            values = self.fields_of(
                Trial,
                row,
                where=where,
                skip=("slug", "source"),
                extra=("cancer_types", "interventions"),
            )
            values.update(self.sourced(row, where=where))
            m2m = {
                "cancer_types": self._slugs(CancerType, row.get("cancer_types"), where=where),
                "interventions": self._slugs(Intervention, row.get("interventions"), where=where),
            }
            self.upsert(
                Trial, lookup={"slug": row.get("slug")}, values=values, where=where, m2m=m2m
            )

    def load_referenced(self):
        super().load_referenced()
        self.load_interventions()
        self.load_intervention_aliases()
        self.load_trials()


__all__ = ["FixtureError", "PortalLoader"]
