"""gunicorn's settings for the site (deploy/ipplan-web.service):

    gunicorn --config deploy/gunicorn.conf.py ipplan.wsgi

Anything here can be overridden for one machine with GUNICORN_CMD_ARGS, e.g.
GUNICORN_CMD_ARGS="--workers 8" in /etc/ipplan/ipplan.env.
"""

import multiprocessing

bind = "127.0.0.1:8000"
# Synchronous workers, two per core and one more (gunicorn's own advice): every page is a
# short database read, and a PDF summary waits for the Celery worker at most
# PDF_SUMMARY_WAIT_SECONDS.
workers = multiprocessing.cpu_count() * 2 + 1
# A worker silent for this long is killed and its request answered with an error. The
# slowest request measured (README, "Security and operations") takes well under a tenth of it.
timeout = 120
graceful_timeout = 30
# Both logs to stderr, which journald keeps under the systemd unit.
accesslog = "-"
errorlog = "-"
# Client (as the proxy forwarded it), request, status, bytes, milliseconds, and the request
# id that the site's own log records and error pages show.
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms request=%({x-request-id}o)s'
)
