"""Export and import of trial sites and trial activity (see departments.resources)."""

from departments.resources import resource_for

from .models import TrialActivity, TrialSite

TrialSiteResource = resource_for(TrialSite, key_fields=["trial", "department"])
TrialActivityResource = resource_for(TrialActivity, key_fields=["department", "label"])
