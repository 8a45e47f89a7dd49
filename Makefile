# The README's two commands: `make run` (set up and serve the embedded default) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo's address (PUBLIC_BASE_URL's default and what cargar_demo prints) follows PORT.
export PORT

.PHONY: run test venv lint bench messages clean-venv worker beat audit lighthouse

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py cargar_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/python manage.py check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

messages: venv
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=static
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv

worker: venv
	$(BIN)/celery -A reinsercion worker -l info --concurrency=2

beat: venv
	$(BIN)/celery -A reinsercion beat -l info

bench: venv
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Lighthouse (npm, pinned in package.json) with Debian's chromium on the public pages, mobile and
# desktop, against gunicorn under production settings; fails below 95 in any category.
lighthouse: venv
	test -x node_modules/.bin/lighthouse || npm ci --no-audit --no-fund
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python -m bench.lighthouse $(LIGHTHOUSE_ARGS)

# Security audit: bandit on our code (medium and high findings fail), pip-audit on the installed
# packages against PyPI's advisories (a known vulnerability fails). When the advisory service cannot
# be reached, the run says so loudly and does not fail: CI must not depend on it being up.
audit: venv
	$(BIN)/bandit -q -c pyproject.toml -r reinsercion tramites -ll
	@salida=$$(mktemp); \
	$(BIN)/pip-audit --progress-spinner off --local > $$salida 2>&1; rc=$$?; cat $$salida; \
	sin=$$(grep "could not be audited" $$salida | grep -vc "ventanilla-reinsercion"); \
	if [ $$rc -ne 0 ] && ! grep -qE "Found [0-9]+ known vulnerabilit" $$salida; then \
	  echo "AVISO: pip-audit no pudo consultar los avisos de seguridad: dependencias NO auditadas."; rc=0; \
	elif [ "$$sin" -gt 0 ]; then \
	  echo "AVISO: pip-audit: $$sin paquetes sin auditar (el servicio de avisos no respondió por ellos)."; \
	fi; \
	rm -f $$salida; exit $$rc
