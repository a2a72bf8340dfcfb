# make demo : create .venv if missing, install augkit, preview views of data/ (PNG grid, HTML pages), write two-view datasets and a page of image-caption pairs
# make test : install, then run the whole test suite, ruff, mypy and the import contract (lint-imports)
# make fuzz : the long fuzz profile (2,500 generated inputs per op: over 10,000 per modality, for the losses and for collate)
# make screenshot : make demo, then render out/demo/preview.html with headless Chromium into docs/preview.png
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.augkit-installed
# torch 2.14.1 + torchaudio 2.11.0 is the pair that works together here (see ENVIRONMENT notes in README);
# torchvision 0.29.1 is the one built for that torch (the tests compare against its kernels).
TORCH_PAIR := torch==2.14.1 torchaudio==2.11.0
TEST_PINS := torchvision==0.29.1
export NO_ALBUMENTATIONS_UPDATE := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export RAY_USAGE_STATS_ENABLED := 0

.PHONY: install demo screenshot test fuzz lint typecheck imports bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet $(TORCH_PAIR)
	$(PY) -m pip install --quiet -e '.[dev]' $(TORCH_PAIR) $(TEST_PINS)
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) examples/demo.py

screenshot: demo
	$(PY) examples/screenshot.py out/demo/preview.html docs/preview.png --height 2880 --scale 0.5

test: install
	$(PY) -m pytest -q
	$(PY) -m ruff check augkit tests examples benchmarks
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

fuzz: install
	AUGKIT_FUZZ=long $(PY) -m pytest -q tests/fuzz

lint: install
	$(PY) -m ruff check augkit tests examples benchmarks

typecheck: install
	$(PY) -m mypy

imports: install
	$(VENV)/bin/lint-imports

bench: install
	$(PY) -m pip install --quiet -e '.[bench]' $(TORCH_PAIR) $(TEST_PINS)
	$(PY) benchmarks/image.py
	$(PY) benchmarks/text.py
	$(PY) benchmarks/back_translation.py
	$(PY) benchmarks/audio.py
	$(PY) benchmarks/dataloader.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
