"""Template helpers for the two languages: names and texts in the reader's language, marked
``lang="en"`` where only English exists, and the links between the two versions of a page."""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines

from departments.localise import is_chinese, local_name, local_text

register = template.Library()

# The URL prefix of every language but the default (which is unprefixed): {"zh-hans": "/zh-hans"}.
PREFIXES = {
    code: f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
}


def _marked(text, lang):
    if lang:
        return format_html('<span lang="{}">{}</span>', lang, text)
    return conditional_escape(text)


@register.filter
def lname(record):
    """A record's name in the reader's language, marked lang="en" where only English exists."""
    if record is None or record == "":
        return ""
    return _marked(*local_name(record))


@register.filter
def lname_text(record):
    """The same name as plain text, for attributes and <title>."""
    if record is None or record == "":
        return ""
    return local_name(record)[0]


@register.filter
def lname_lower(record):
    """The name mid-sentence: lower-case English ("departments for liver cancer"), the Chinese
    name as it is, or the English name lower-cased and marked lang="en"."""
    if record is None or record == "":
        return ""
    text, lang = local_name(record)
    if not is_chinese() or lang:
        # A search term reads mid-sentence keeping its acronyms ("HER2-positive…").
        text = getattr(record, "inline_name", None) or text.lower()
    return _marked(text, lang)


@register.filter
def location(hospital):
    """City, province, country in the reader's language ("Hangzhou, Zhejiang, China"; on a
    Chinese page the Chinese place names where the data has them, largest first)."""
    parts = [local_text(hospital, field) for field in ("city", "province", "country")]
    parts = [(text, lang) for text, lang in parts if text]
    if not is_chinese() or any(lang for _text, lang in parts):
        # English place names keep their English order, marked as English on Chinese pages.
        return _marked(", ".join(text for text, _lang in parts), "en" if is_chinese() else "")
    return "".join(text for text, _lang in reversed(parts))  # 中国浙江杭州: largest first


@register.filter
def ltext(record, field):
    """A free-text field in the reader's language (inline), marked lang="en" if English."""
    return _marked(*local_text(record, field))


@register.filter
def ltext_plain(record, field):
    """The same text, unmarked: for attributes and <title>."""
    return local_text(record, field)[0]


@register.filter
def ltext_block(record, field):
    """A multi-paragraph field as paragraphs in a <div class="prose">, marked if English."""
    text, lang = local_text(record, field)
    if not text:
        return ""
    paragraphs = [p.strip() for p in normalize_newlines(str(text)).split("\n\n") if p.strip()]
    body = mark_safe(  # noqa: S308 - every paragraph is escaped by format_html
        "".join(
            str(format_html("<p>{}</p>", p)).replace("\n", "<br>") for p in paragraphs
        )
    )
    if lang:
        return format_html('<div class="prose" lang="{}">{}</div>', lang, body)
    return format_html('<div class="prose">{}</div>', body)


@register.filter
def has_chinese_version(record):
    """Whether staff gave the record a Chinese version of any of its translated texts."""
    return any(
        getattr(record, name, "")
        for name in ("name_zh_hans", "summary_zh_hans", "description_zh_hans")
    )


@register.simple_tag
def english_mark():
    """lang="en" on a Chinese page (for English-only data such as the sources' wording)."""
    return mark_safe(' lang="en"') if is_chinese() else ""


def _unprefixed(path):
    for prefix in PREFIXES.values():
        if path == prefix or path.startswith(prefix + "/"):
            return path[len(prefix) :] or "/"
    return path


def _in_language(path, code):
    path = _unprefixed(path)
    return path if code == settings.LANGUAGE_CODE else PREFIXES[code] + path


@register.simple_tag(takes_context=True)
def language_versions(context):
    """Every language version of this page: code, name, path (query string kept), absolute URL
    (without the query string, for hreflang) and whether it is the page shown."""
    request = context.get("request")
    if request is None:
        return []
    from django.utils.translation import get_language

    current = get_language()
    query = request.META.get("QUERY_STRING", "")
    # Parameters this page rejected (an unknown filter value, a page that is not there) are
    # not carried over: the other version of the page shows what this one shows.
    dropped = {problem.get("name") for problem in context.get("problems") or ()}
    if context.get("page_notice"):
        dropped.add("page")
    if dropped & set(request.GET):
        kept = request.GET.copy()
        for name in dropped:
            kept.pop(name, None)
        query = kept.urlencode()
    base = f"{request.scheme}://{request.get_host()}"
    versions = []
    for code, name in settings.LANGUAGES:
        path = _in_language(request.path, code)
        versions.append(
            {
                "code": code,
                "name": name,
                "url": f"{path}?{query}" if query else path,
                "absolute": base + path,
                "current": code == current,
            }
        )
    return versions
