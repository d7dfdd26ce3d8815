"""gunicorn's settings for EventHub, read from the working directory (``gunicorn wsgi:app``).

The access log never holds a secret or the query string: the attendee's own link ``/r/<token>``
and the password links (reset, invitation) have their token replaced by ``<token>``, as in the
app's own request log (``eventhub.logs``). Nor does it hold who the client is (address, browser):
join it to the proxy's log by the request id. Command-line options still win over this file.
"""
import os
import sys

from gunicorn import glogging

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from eventhub.logs import redact_path, redact_url  # noqa: E402 (needs the project on the path)

# Secrets the atoms would otherwise offer a custom access_log_format.
_HIDDEN_HEADERS = ("{cookie}i", "{authorization}i", "{x-csrftoken}i")


class RedactingLogger(glogging.Logger):
    """gunicorn's logger with the path redacted and no query string, referrer query or cookies."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO", ""))
        referrer = redact_url(environ["HTTP_REFERER"]) if environ.get("HTTP_REFERER") else "-"
        atoms.update({"r": f"{environ['REQUEST_METHOD']} {path} {environ['SERVER_PROTOCOL']}", "U": path, "q": "-",
                      "f": referrer, "{referer}i": referrer})
        for key in [key for key in atoms if key.endswith("}e") or key in _HIDDEN_HEADERS]:
            del atoms[key]  # the environ holds RAW_URI and QUERY_STRING; a missing atom logs "-"
        return atoms


logger_class = RedactingLogger
accesslog = "-"
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
