# A newcomer needs two commands: `make run` and `make test` (see README.md).
VENV := .venv
PYTHON := $(VENV)/bin/python
# Debian packages the site needs: Pango and HarfBuzz's subsetter, which WeasyPrint loads to
# lay out the PDF summary and to embed only the glyphs it uses.
SITE_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
# Debian packages the tests need: gettext checks that every string is translated,
# chromium runs the browser tests, and libatomic1 Playwright's bundled node driver;
# npm fetches axe-core, the accessibility checker the browser tests inject into pages;
# poppler-utils reads the PDF summaries back (pdftotext, pdffonts); the job tests start
# real Celery workers against a redis-server of their own; fonts-noto-cjk gives Chromium the
# Chinese glyphs whose widths the phone-width tests measure and the screenshots show.
TEST_PACKAGES := gettext:xgettext chromium:chromium libatomic1 npm:npm poppler-utils:pdftotext \
	redis-server:redis-server fonts-noto-cjk
AXE_CORE := axe-core@4.14.1

.PHONY: run test messages

$(VENV)/site-installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/dev-installed: $(VENV)/site-installed requirements-dev.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The embedded default: SQLite, Celery tasks in-process, demo users and demo figures.
run: export DEBUG = true
run: $(VENV)/site-installed
	bin/system-packages $(SITE_PACKAGES)
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py seed_plan
	$(PYTHON) manage.py load_demo
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0
	$(PYTHON) manage.py runserver 127.0.0.1:8000

test: export SECRET_KEY ?= insecure-key-for-tests-only
test: $(VENV)/dev-installed
	bin/system-packages $(SITE_PACKAGES) $(TEST_PACKAGES)
	$(MAKE) --no-print-directory .cache/axe.min.js
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PYTHON) manage.py makemigrations --check --dry-run
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/pytest

# After changing user-facing strings: extract them, translate locale/zh_Hans, then compile.
messages: $(VENV)/dev-installed
	DEBUG=true $(PYTHON) manage.py makemessages --locale zh_Hans --no-obsolete --add-location file --ignore '$(VENV)/*' --ignore 'staticfiles/*'
	DEBUG=true $(PYTHON) manage.py compilemessages --locale zh_Hans --ignore '$(VENV)/*'

.cache/axe.min.js:
	mkdir -p .cache/axe
	cd .cache/axe && npm pack --silent $(AXE_CORE) >/dev/null && tar -xzf axe-core-*.tgz package/axe.min.js
	mv .cache/axe/package/axe.min.js $@ && rm -rf .cache/axe
