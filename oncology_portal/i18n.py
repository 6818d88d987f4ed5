"""The portal's two languages: English at today's URLs, Simplified Chinese under /zh-hans/.

The language of a page is its URL's and nothing else. Django's LocaleMiddleware would also read
Accept-Language and a cookie for URLs without a prefix (and so add ``Vary: Accept-Language``);
here an unprefixed URL is English for everyone and a ``/zh-hans/`` URL Chinese for everyone, so
a shared link keeps its language and every page is cacheable on its URL alone (the page cache,
oncology_portal/pagecache.py, keys on the URL's language too). URLs outside ``i18n_patterns``
(admin, health, robots.txt, the API) are language-neutral and answer in English.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import get_language_from_path


def language_of_path(path):
    """The language a URL path is in: its prefix's, else the default (English)."""
    return get_language_from_path(path) or settings.LANGUAGE_CODE


class URLLocaleMiddleware(LocaleMiddleware):
    """Activate the URL's language; say which it is in ``Content-Language``."""

    def process_request(self, request):
        translation.activate(language_of_path(request.path_info))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
