"""Gunicorn settings read automatically from the working directory (`gunicorn reinsercion.wsgi:application`).

Gunicorn writes `Server: gunicorn` on every response and has no setting to turn it off; the banner
only helps an attacker pick exploits, so it is dropped here (this file runs in the master before the
workers are forked, so every worker gets the change). The command line (docker-compose.yml,
bench/carga.py) still sets bind, workers and timeouts.
"""

from gunicorn.http import wsgi as _wsgi

_cabeceras_originales = _wsgi.Response.default_headers


def _sin_server(self):
    return [h for h in _cabeceras_originales(self) if not h.lower().startswith("server:")]


_wsgi.Response.default_headers = _sin_server

# Request-line and header limits a little tighter than gunicorn's defaults (nginx in front has its own).
limit_request_line = 4094
limit_request_fields = 60
