"""Log filters (settings.LOGGING): client errors are not server errors.

Django's request log (``django.request``) records every 4xx at WARNING, and a 403 from
``PermissionDenied`` (or a 400 from ``BadRequest``) with the exception's traceback. For a public
site crawled by bots that buries the real errors. Here:

- a 404 is logged at INFO: kept when the log level asks for INFO, dropped at the default WARNING;
- any other 4xx stays at WARNING with its path, but without a traceback (the client erred, the
  code did not);
- 5xx are untouched: one line with the path and the traceback.
"""

import logging


class ClientErrorFilter(logging.Filter):
    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is None or not 400 <= status < 500:
            return True
        record.exc_info = None
        record.exc_text = None
        if status == 404 and record.levelno > logging.INFO:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
            # The logger let it through at WARNING; would it have at INFO?
            return logging.getLogger(record.name).isEnabledFor(logging.INFO)
        return True
