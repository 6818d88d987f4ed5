"""The visitor's address, for counting failed logins (django-axes: AXES_CLIENT_IP_CALLABLE).

Without a reverse proxy (DJANGO_TRUSTED_PROXY_COUNT=0, the default) it is the connection's
address, REMOTE_ADDR; any X-Forwarded-For a client sends is ignored.

Behind N proxies that each append the address they received from to X-Forwarded-For (nginx:
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`), set
DJANGO_TRUSTED_PROXY_COUNT=N: the visitor is the N-th address from the right, the one the
outermost trusted proxy saw. Addresses further left were written by the client and are never
trusted, so an attacker cannot pick the address their failures count against. A header too
short or not an address falls back to REMOTE_ADDR.
"""

import ipaddress

from django.conf import settings


def _address(text):
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < hops:
        return remote
    return _address(forwarded[-hops]) or remote
