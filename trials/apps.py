from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Clinical trials"

    def ready(self):
        from departments.models import CancerType
        from departments.sections import Section, register

        from .models import Intervention, Trial, TrialActivity, TrialSite

        # A department's trials, one frame on its page: its trial activity, then named trials.
        register(
            Section(
                key="trial_activity",
                title="Clinical trials",
                anchor="trials",
                order=40,
                facts=("label", "display"),
                model=TrialActivity,
                related_name="trial_activities",
                natural_key=("department", "label"),
                many={"cancer_types": CancerType, "interventions": Intervention},
                prefetch_related=("cancer_types", "interventions"),
                inline="trials.admin.TrialActivityInline",
            )
        )
        register(
            Section(
                key="trial_sites",
                title="Clinical trials",
                anchor="trials",
                heading="Named trials",
                order=41,
                layout="cards",
                facts=("trial.name",),
                model=TrialSite,
                related_name="trial_sites",
                natural_key=("trial", "department"),
                vocabulary={"trial": Trial},
                select_related=("trial",),
                inline="trials.admin.DepartmentTrialSiteInline",
            )
        )
