"""Gunicorn settings for production serving (`make serve`).

Process-level knobs only; the application's settings stay in
todo_project/settings.py. Each can be overridden from the environment
(the names gunicorn itself documents where it has one).
"""

import gc
import multiprocessing
import os


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "todo_project.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"

# The usual (2 x cores) + 1 sync workers: requests are short and mostly
# wait on the database.
workers = env_int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = env_int("GUNICORN_THREADS", 1)

# A worker silent for this long is killed and replaced; on SIGTERM or SIGHUP
# workers get graceful_timeout seconds to finish the requests they hold.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then, staggered, to bound any slow memory growth
# (none is measured: workers stay near 90 MiB through the benchmark). A new
# worker costs ~0.7 s of CPU to import the application plus ~50 ms for its
# first request: every 10,000 requests that was ~75 us a request, 3 % of a
# retrieve, and a restart falling inside a short measurement moved it by
# more. (No preload_app: it would make `kill -HUP` restart workers without
# reloading new code.)
max_requests = env_int("GUNICORN_MAX_REQUESTS", 50000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 5000)

# Access log on stdout (with the request id the application returns); the
# application's own request line, with user and timing, goes to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or "-"
# Behind nginx (deploy/serve.py gives gunicorn a Unix socket) the client's
# address is the header nginx overwrites; on a port, the connection's.
client = "%({x-real-ip}i)s" if bind.startswith("unix:") else "%(h)s"
access_log_format = client + ' "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s id=%({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"

# The addresses of proxies whose forwarded headers (scheme, client address)
# gunicorn believes: none unless named, so a client cannot pose as a proxy.
# The application still decides what to trust (SECURE_PROXY_SSL_HEADER,
# CLIENT_IP_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")


# Python's cyclic garbage collector walks every tracked object of the
# generation it collects, and the oldest generation holds the whole
# application. Once a worker has loaded the application, gc.freeze() moves
# everything alive into a permanent generation the collector never walks,
# so a full collection costs what the requests left, not what the imports
# built. (Collecting after responses instead, or with a higher threshold,
# measured slower and larger: docs/PERFORMANCE.md.)
def post_worker_init(worker):
    gc.freeze()
