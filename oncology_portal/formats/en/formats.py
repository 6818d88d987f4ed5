"""English pages write dates the British way, as the portal always has: "7 November 2014"."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

DATE_FORMAT = "j F Y"
