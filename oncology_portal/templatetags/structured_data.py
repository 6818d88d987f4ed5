"""``{% json_ld record %}``: schema.org JSON-LD for a department, hospital or trial page.

Use it in the page's ``structured_data`` block (templates/base.html puts that block in
<head>). The data comes from oncology_portal/structured_data.py; a hospital's page passes the
departments it lists (the ``departments`` in its context).
"""

from django import template

from departments.models import Department, Hospital
from trials.models import Trial

from .. import structured_data

register = template.Library()


@register.simple_tag(takes_context=True)
def json_ld(context, record):
    absolute = context["request"].build_absolute_uri
    if isinstance(record, Department):
        data = structured_data.department(record, absolute)
    elif isinstance(record, Hospital):
        data = structured_data.hospital(record, context.get("departments") or (), absolute)
    elif isinstance(record, Trial):
        data = structured_data.trial(record, absolute)
    else:
        return ""
    return structured_data.json_ld_script(data)
