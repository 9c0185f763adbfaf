# Coffee Chat Coach. `make run` serves the app; `make test` runs the whole suite.
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --disable-pip-version-check -q
PORT   ?= 8501
# Local mode (no [auth] in .streamlit/secrets.toml) serves this machine only. A career centre's
# server, with sign-in configured, sets ADDRESS=0.0.0.0 (behind its HTTPS proxy).
ADDRESS ?= localhost
# make cluster: this many Streamlit processes behind nginx on $(PORT) (README, Deployment).
PROCESSES ?= 2

.PHONY: run test demo workshop bench browser spreadsheet documents postgres nginx cluster clean

$(PY):
	python3 -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(PY) -m lib init
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS) --server.headless true

demo: $(VENV)/.runtime
	$(PY) -m lib demo

# Every browser session gets its own private copy of the demo cohort; nothing persists.
workshop: $(VENV)/.runtime
	COFFEECHAT_WORKSHOP=1 $(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true

# $(call debian,CHECK,PACKAGES,WHAT FOR,IF MISSING): install Debian's PACKAGES when the shell test
# CHECK fails and we may (root, apt-get); otherwise say what will not run and how to install them.
define debian
	@if $(1); then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's $(2) $(3)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else \
		echo "$(2): missing and cannot be installed here (not root): $(4)."; \
		echo "Install with: sudo apt-get install $(2)"; \
	fi
endef

# Browser tests drive Debian's Chromium (Playwright may not download its own here).
browser:
	$(call debian,[ -x /usr/bin/chromium ],chromium,for the browser tests,browser tests will be skipped)

# The CSV export is checked by LibreOffice Calc itself (tests/reliability/test_csv_in_a_spreadsheet.py).
spreadsheet:
	$(call debian,command -v soffice >/dev/null,libreoffice-calc-nogui,for the spreadsheet test,the spreadsheet test will be skipped)

# PDFs need a Unicode font (DejaVu; Droid Sans Fallback for Chinese, Japanese, Korean); the PDF
# test reads them back with poppler-utils (tests/unit/test_documents.py).
documents:
	$(call debian,command -v pdftoppm >/dev/null && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
		&& [ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ],fonts-dejavu-core fonts-droid-fallback \
		poppler-utils,for the PDFs,the PDF tests will be skipped)

# The suite starts its own PostgreSQL 15 servers (tools/postgres.py), in temp folders.
postgres:
	$(call debian,[ -x /usr/lib/postgresql/15/bin/initdb ],postgresql,for the tests,its tests will be skipped)

# make cluster and its test put Debian's nginx in front of the Streamlit processes.
nginx:
	$(call debian,command -v nginx >/dev/null || [ -x /usr/sbin/nginx ],nginx,for make cluster,make cluster cannot run and its test is skipped)

test: $(VENV)/.dev browser spreadsheet documents postgres nginx
	$(PY) -m pytest

# $(PROCESSES) Streamlit processes (ports 8601...) behind nginx on 127.0.0.1:$(PORT), sticky by cookie.
# COFFEECHAT_DB=postgresql://... is shared by them; anything else starts a local PostgreSQL in
# build/cluster/postgres. CLUSTER_DB=workshop: workshop copies instead. Ctrl-C stops everything.
cluster: $(VENV)/.runtime postgres nginx
	$(PY) -m tools.cluster --processes $(PROCESSES) --port $(PORT)

# Figures, not tests: page reruns, stats, import and chart sizes at 1, 50 and 2,000 students.
bench: $(VENV)/.dev browser postgres nginx
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache build/screenshots
