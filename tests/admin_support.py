"""Helpers for the admin tests: users in each role, and submitting admin forms like a browser."""

from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from departments.models import Department
from departments.permissions import CURATOR_GROUP, grant_department_editor

SLUG_A = "fahzu-medical-oncology-1"
SLUG_B = "zhejiang-cancer-hospital-breast-medical-oncology"
PASSWORD = "a-long-test-password-9"


def make_editor(username, *slugs):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    for slug in slugs:
        grant_department_editor(user=user, department=Department.objects.get(slug=slug))
    return user


def make_curator(username="curator"):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CURATOR_GROUP))
    return user


class _FormParser(HTMLParser):
    """Collects what a browser would submit from one <form>: inputs, selects, textareas."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.data = []
        self._select = None
        self._select_multiple = False
        self._option_value = None
        self._option_selected = False
        self._option_text = ""
        self._select_options = []
        self._textarea = None
        self._textarea_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (self.form_id is None or attrs.get("id") == self.form_id):
            self.in_form = True
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
            self._select_multiple = "multiple" in attrs
            self._select_options = []
        elif tag == "option" and self._select:
            self._option_value = attrs.get("value")
            self._option_selected = "selected" in attrs
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._textarea_text = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text += data
        elif self._option_value is not None or self._select:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "option" and self._select:
            value = self._option_value if self._option_value is not None else self._option_text
            self._select_options.append((value.strip(), self._option_selected))
            self._option_value = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and not self._select_multiple and self._select_options:
                chosen = [self._select_options[0][0]]
            self.data.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea_text
            # Browsers drop the one newline that follows <textarea>.
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_data(response, form_id=None, **changes):
    """The POST a browser would send from the page's form, with `changes` applied.

    Returns a dict of lists (for `client.post`); a change of None removes a field.
    """
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.data:
        if "__prefix__" in name:
            continue
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    data.setdefault("_save", ["Save"])
    return data


def change_form_id(model):
    return f"{model._meta.model_name}_form"
