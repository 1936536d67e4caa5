# Valacyclovir (Valtrex) patient-education assistant: the verbs people use.
#   make run    install if needed, train if the data changed, start the assistant
#   make test   everything CI checks
SHELL := /bin/bash

# Rasa 3.6 runs on Python 3.8-3.10 only; .python-version names 3.10 for pyenv.
PYTHON ?= $(shell command -v python3.10 2>/dev/null || ls -d /root/.pyenv/versions/3.10*/bin/python 2>/dev/null | head -n1)
VENV := .venv
BIN := $(VENV)/bin
SPACY_PIPELINE := .spacy/en_blank_lookup
MODEL := models/valtrex-assistant.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(shell find data components -name '*.yml' -o -name '*.py')
PORT ?= 5005

# No telemetry (no internet here), no TensorFlow start-up chatter; our own
# components are imported by module path.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

.PHONY: install train validate test shell run clean

install: $(VENV)/.installed $(SPACY_PIPELINE)/meta.json

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.10 not found: install it (pyenv install 3.10) or set PYTHON=/path/to/python3.10"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

$(SPACY_PIPELINE)/meta.json: scripts/build_spacy_pipeline.py $(VENV)/.installed
	$(BIN)/python scripts/build_spacy_pipeline.py $(SPACY_PIPELINE)

train: $(MODEL)

# `rasa train` keeps the old file when nothing changed; touch it so make agrees.
$(MODEL): $(TRAINING_INPUTS) | install
	$(BIN)/rasa train --fixed-model-name valtrex-assistant
	touch $@

validate: install
	$(BIN)/rasa data validate --fail-on-warnings

test: validate train
	$(BIN)/rasa test core --stories tests/test_stories.yml --fail-on-prediction-errors --out results/stories
	$(BIN)/python -m pytest tests

shell: train
	$(BIN)/rasa shell --model $(MODEL)

run: train
	@echo "Assistant on http://localhost:$(PORT): REST at /webhooks/rest/webhook, socket.io at /socket.io"
	$(BIN)/rasa run --model $(MODEL) --port $(PORT) --credentials credentials.yml --endpoints endpoints.yml

clean:
	rm -rf $(VENV) .spacy models results .pytest_cache
