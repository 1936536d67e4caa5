# Valacyclovir (Valtrex) patient-education assistant: the verbs people use.
#   make run    install if needed, train if the data changed, start the assistant
#   make test   everything CI checks
#   make check  the quick loop while editing: validate, unit tests, safety corpora
SHELL := /bin/bash

# Rasa 3.6 runs on Python 3.8-3.10 only; .python-version names 3.10 for pyenv.
PYTHON ?= $(shell command -v python3.10 2>/dev/null || ls -d /root/.pyenv/versions/3.10*/bin/python 2>/dev/null | head -n1)
VENV := .venv
BIN := $(VENV)/bin
# `rasa` without the warnings this project expects (scripts/quiet_rasa.py says which).
RASA := $(BIN)/python scripts/quiet_rasa.py
SPACY_PIPELINE := .spacy/en_blank_lookup
MODEL := models/valtrex-assistant.tar.gz
# The classifier's code, the safety layer (its patterns and variety are compiled
# into the model), and medicines/ and abstention/ (they keep what they need in
# the model) and language/component.py (the model stores what its `process` takes)
# decide what training produces; the rest of components/ is read at run time.
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') components/linear_classifier.py \
	$(wildcard safety/*.py safety/*.yml medicines/*.py medicines/*.yml abstention/*.py abstention/*.yml) \
	language/component.py
PORT ?= 5005
WEB_PORT ?= 8080
# Web pages allowed to talk to the assistant (space-separated): CORS for REST,
# and the origin check of the socket.io channel (channels/socketio.py).
export ALLOWED_ORIGINS ?= http://localhost:$(WEB_PORT) http://127.0.0.1:$(WEB_PORT)

# No telemetry (no internet here), no TensorFlow start-up chatter; our own
# components are imported by module path.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

.PHONY: install train validate test check lint safety-report screenshots bench eval shell run purge insights scale-test clean

install: $(VENV)/.installed $(SPACY_PIPELINE)/meta.json

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.10 not found: install it (pyenv install 3.10) or set PYTHON=/path/to/python3.10"; exit 1; }
	@echo "Installing the pinned packages into $(VENV) (the first time takes a few minutes)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	set -o pipefail; $(BIN)/pip install --disable-pip-version-check --progress-bar off \
		-r requirements-dev.txt -c constraints.txt | { grep --line-buffered -E '^(Collecting|Successfully)' || true; }
	touch $@

$(SPACY_PIPELINE)/meta.json: scripts/build_spacy_pipeline.py $(VENV)/.installed
	@echo "Building the blank English spaCy pipeline..."
	$(BIN)/python scripts/build_spacy_pipeline.py $(SPACY_PIPELINE)

train: $(MODEL)

# `rasa train` keeps the old file when nothing changed; touch it so make agrees.
$(MODEL): $(TRAINING_INPUTS) | install
	@echo "Training the assistant (about 10 seconds)..."
	$(RASA) train --fixed-model-name valtrex-assistant
	touch $@

validate: install
	$(BIN)/rasa data validate --fail-on-warnings

# Debian's Chromium for the widget tests (a test tool's own browser download
# cannot work here).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver

test: lint validate train $(CHROMIUM)
	$(BIN)/rasa test core --stories tests/stories --e2e --fail-on-prediction-errors --out results/stories
	$(BIN)/python -m pytest tests
	$(BIN)/python -m deploy.scale_test

# The edit-test loop, in well under 2 minutes: data validation, then every test
# except those marked slow in pytest.ini (real servers, the browser); no apt-get.
check: validate train
	$(BIN)/python -m pytest tests -m "not slow"

# Lint and format (ruff, settings in pyproject.toml) and types (mypy); all three
# run, so one run shows every problem.
LINTED := components safety channels privacy language
lint: install
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/mypy $(LINTED) || status=1; \
	exit $$status

# Urgent recall, false-urgent rate and personal recall per category, and every miss.
safety-report: train
	$(BIN)/python -m safety.evaluation $(MODEL)

# Ours against Rasa's default configuration, trained and measured in one run
# (mostly the peer's training): results/bench.md and results/bench-latency.png.
bench: install
	$(BIN)/python -m bench.run --out results

# Per-intent figures, confusion matrix, urgent figures and readability: results/eval.md.
eval: train
	$(BIN)/python -m bench.eval $(MODEL) --out results

# Every response on one page for a clinician's review (text, what leads to it,
# sources, grade, last review, urgency table): results/content-report.html and .md.
.PHONY: content-report
content-report: install
	$(BIN)/python -m content.report --out results

# Screenshots for the README: the widget on a desktop and a phone, its "Was this
# helpful?" vote, a Spanish conversation, and the insights page of a seeded database.
screenshots: train $(CHROMIUM)
	WIDGET_SCREENSHOTS=docs $(BIN)/python -m pytest tests/test_widget.py tests/test_widget_expectations.py tests/test_widget_spanish.py \
		tests/test_insights.py

shell: train
	$(RASA) shell --model $(MODEL)

# The demo page (web/) on WEB_PORT, the assistant on PORT; Ctrl-C stops both.
# Once the assistant answers, one line says where to chat and how to stop.
run: train
	@echo "Starting the assistant (about 10 seconds)..."
	@trap 'kill 0' EXIT; \
	$(BIN)/python -m http.server $(WEB_PORT) --bind 127.0.0.1 --directory web >/dev/null 2>&1 & \
	$(RASA) run --model $(MODEL) --port $(PORT) \
		--cors $(ALLOWED_ORIGINS) --credentials credentials.yml --endpoints endpoints.yml & \
	rasa=$$!; \
	until $(BIN)/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$(PORT)/webhooks/rest/', timeout=1)" 2>/dev/null; do \
		kill -0 $$rasa 2>/dev/null || exit 1; sleep 0.5; \
	done; \
	echo; \
	echo "Ready: chat at http://localhost:$(WEB_PORT), or REST: curl -s localhost:$(PORT)/webhooks/rest/webhook -d '{\"sender\": \"me\", \"message\": \"hi\"}'. Ctrl-C stops it."; \
	wait $$rasa

# Delete stored conversation events older than DAYS days from the tracker store
# that ENDPOINTS names (the SQLite file of `make run` by default).
DAYS ?= 30
ENDPOINTS ?= endpoints.yml
purge: install
	$(BIN)/python -m privacy.purge --days $(DAYS) --endpoints $(ENDPOINTS)

# One HTML page for the content team (results/insights.html), read-only from the
# tracker store that ENDPOINTS names: SINCE and UNTIL are UTC days (YYYY-MM-DD),
# by default the last 30 days.
insights: install
	$(BIN)/python -m insights --endpoints $(ENDPOINTS) $(if $(SINCE),--since $(SINCE)) $(if $(UNTIL),--until $(UNTIL))

# The scale-out profile (docs/deploy.md) on this machine, in a few minutes:
# PostgreSQL, Redis and nginx (Debian packages) on loopback, two replicas,
# 2 x 1000 turns through nginx, one replica killed during the second run.
scale-test: train
	$(BIN)/python -m deploy.scale_test

# .rasa/ is Rasa's training cache: a stale entry could hand back an old model.
clean:
	rm -rf $(VENV) .spacy models results .pytest_cache .rasa .mypy_cache .ruff_cache
