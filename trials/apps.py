from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# A department's page shows its first named trials and links to the rest in the trial list.
DEPARTMENT_PAGE_TRIALS = 20


def _all_trials_link(department):
    url = f"{reverse('trials:trial-list')}?department={department.slug}"
    text = gettext("All named trials of %(name)s in the trial list") % {"name": department.name}
    return url, text


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
                title=_("Clinical trials"),
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
                title=_("Clinical trials"),
                anchor="trials",
                heading=_("Named trials"),
                order=41,
                layout="cards",
                facts=("trial.name",),
                model=TrialSite,
                related_name="trial_sites",
                natural_key=("trial", "department"),
                vocabulary={"trial": Trial},
                select_related=("trial",),
                ordering=("sort_order", "trial__name", "pk"),
                limit=DEPARTMENT_PAGE_TRIALS,
                more=_all_trials_link,
                inline="trials.admin.DepartmentTrialSiteInline",
            )
        )
