# The two commands of the README: `make run` and `make test`. Nothing else is needed on
# a fresh machine with Python 3.11 (browser tests also want Debian's chromium; see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := portal:create_app

.PHONY: run test install translations db demo bench clean serve standin

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $@

install: $(VENV)/.installed

translations: install
	$(BIN)/pybabel compile -d translations >/dev/null

db: install translations
	mkdir -p instance
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo-data
	$(BIN)/flask dossier import demo/dossiers/example
	$(BIN)/flask users demo

# Serve the portal (and /backoffice) on http://127.0.0.1:5000 with SQLite in instance/,
# with the background-job consumer beside it.
# Where Node.js is there, the stand-in DigiD broker (digid-standin/, issue 11) runs beside
# it on 127.0.0.1:5001, so DigiD can be tried with a test person.
DIGID_STANDIN := $(shell command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && echo yes)

# The stand-in broker's npm packages, from the committed lock file, where Node.js is there
# (the DigiD tests skip without them, and fail without them under REQUIRE_SYSTEM_PARTS=1).
standin:
	@if [ -n "$(DIGID_STANDIN)" ] && [ ! -d digid-standin/node_modules/oidc-provider ]; then \
	  (cd digid-standin && npm ci --no-audit --no-fund --silent); fi

run: demo standin
	@echo ""
	@echo "Portal:      http://127.0.0.1:5000/"
	@echo "Back office: http://127.0.0.1:5000/backoffice/"
	@echo "E-mail is sent to an SMTP catcher on 127.0.0.1:8025 (started here; messages printed below)."
	@if [ -n "$(DIGID_STANDIN)" ]; then \
	  echo "DigiD:       a stand-in broker on http://127.0.0.1:5001 (never the real DigiD). On 'Laten zien wie u bent'"; \
	  echo "             choose 'Inloggen met DigiD', then the test person 'substantieel' (BSN 999993653, level"; \
	  echo "             Substantieel); 'midden' shows what happens below the minimum level."; \
	else echo "DigiD:       not offered (install Node.js to try it with the stand-in broker)."; fi
	@echo ""
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Debugging & \
	$(BIN)/huey_consumer portal.worker.huey -w 1 -q & \
	trap 'kill 0' INT TERM EXIT; \
	if [ -n "$(DIGID_STANDIN)" ]; then \
	  (cd digid-standin && STANDIN_PORT=5001 STANDIN_REDIRECT_URIS=http://127.0.0.1:5000/verzoek/digid/terug node server.js >/dev/null 2>&1) & \
	  export DIGID_ISSUER=http://127.0.0.1:5001 DIGID_CLIENT_ID=vt-portal DIGID_CLIENT_SECRET=standin-secret; \
	fi; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: translations standin
	$(BIN)/pytest

bench: install translations
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) instance/*.sqlite3

# Extract every translatable text into translations/messages.pot and update both
# catalogues. Dutch is the source language (nl msgstr = msgid); English is translated.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --project vt-rechtenportaal --ignore-dirs ".venv tests migrations instance benchmarks" . >/dev/null
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --no-fuzzy-matching >/dev/null
	$(BIN)/python scripts/nl_source_catalogue.py
	PYTHONPATH=. $(BIN)/python scripts/young_english.py
