"""Loading interventions, trials and the trial sections of department files."""

from departments.loading import FixtureError, Loader, read_yaml
from departments.models import CancerType, Department

from .models import Intervention, Trial, TrialActivity, TrialSite


class PortalLoader(Loader):
    """The whole portal: the departments app's data, then trials on top of it."""

    def load_interventions(self):
        path = self.fixtures_dir / "interventions.yaml"
        for i, row in enumerate(self.rows(read_yaml(path), where=path.name)):
            where = f"{path.name} {row.get('slug') or i + 1}"
            values = self.fields_of(Intervention, row, where=where, skip=("slug", "source"))
            values.update(self.sourced(row, where=where))
            self.upsert(Intervention, lookup={"slug": row.get("slug")}, values=values, where=where)

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

    def load_department_trials(self):
        for path in self.department_files():
            doc = read_yaml(path)
            default_source = doc.get("source")
            department = self.lookup_slug(
                Department, doc["department"].get("slug"), where=f"{path.name} department"
            )
            for i, row in enumerate(self.rows(doc.get("trial_activity"), where=path.name)):
                where = f"{path.name} trial_activity row {i + 1}"
                values = self.fields_of(
                    TrialActivity,
                    row,
                    where=where,
                    skip=("source", "label"),
                    extra=("cancer_types", "interventions"),
                )
                values.update(self.sourced(row, where=where, default_source=default_source))
                values["sort_order"] = i
                m2m = {
                    "cancer_types": self._slugs(CancerType, row.get("cancer_types"), where=where),
                    "interventions": self._slugs(
                        Intervention, row.get("interventions"), where=where
                    ),
                }
                self.upsert(
                    TrialActivity,
                    lookup={"department": department, "label": row.get("label")},
                    values=values,
                    where=where,
                    m2m=m2m,
                )
            for i, row in enumerate(self.rows(doc.get("trial_sites"), where=path.name)):
                where = f"{path.name} trial_sites row {i + 1}"
                trial = self.lookup_slug(Trial, row.get("trial"), where=where)
                values = self.fields_of(TrialSite, row, where=where, skip=("source", "trial"))
                values.update(self.sourced(row, where=where, default_source=default_source))
                values["sort_order"] = i
                self.upsert(
                    TrialSite,
                    lookup={"trial": trial, "department": department},
                    values=values,
                    where=where,
                )

    def load_all(self):
        super().load_all()
        self.load_interventions()
        self.load_trials()
        self.load_department_trials()


__all__ = ["FixtureError", "PortalLoader"]
