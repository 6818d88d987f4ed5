"""Chinese pages write dates the Chinese way: "2014年11月7日"."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DATE_FORMAT = "Y年n月j日"
