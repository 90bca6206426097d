# ganforge: `make demo` sets up and trains a Fashion-MNIST GAN in about 5 minutes;
# `make test` sets up and tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS ?= all

# Real data sets that ship beside this checkout (no internet here); users' machines
# find theirs in ~/.cache/ganforge or download them.
ifneq ($(wildcard ../shared/datasets),)
export GANFORGE_DATA ?= $(abspath ../shared/datasets)
endif

.PHONY: setup test lint demo demo-long demo-data bench gpu-check gpu-check-here results study best modes t2i-study t2i-study-flowers browser emoji-data dist clean

setup: $(STAMP)

# torch first, pinned: the CPU build; pyproject then accepts it as it is.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[$(EXTRAS)]'
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports --no-cache  # the layers and no import circles (pyproject.toml)

# Two workers, each test file on one of them (a module's shared run is trained once); the
# slowest ten tests are listed. `$(BIN)/pytest -m 'not package'` leaves out
# the test that builds the wheel and installs it into a fresh venv.
test: setup lint browser emoji-data
	$(BIN)/pytest -n 2 --dist loadfile --durations=10

# The sdist and the wheel (presets, evaluator weights and pretrained generators inside) in dist/.
dist: setup
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
browser:
	@test -x /usr/bin/chromium || \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -q chromium >/dev/null 2>&1 || \
	      (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null); \
	  else echo "no /usr/bin/chromium: browser tests will be skipped"; fi

# The emoji set's sources (docs/emoji.md): Debian's Noto Color Emoji font and CLDR annotations.
EMOJI_FILES := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf \
	/usr/share/unicode/cldr/common/annotations/en.xml
emoji-data:
	@for f in $(EMOJI_FILES); do test -f $$f || missing=1; done; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      apt-get install -y -q fonts-noto-color-emoji unicode-cldr-core >/dev/null 2>&1 || \
	        (apt-get update -q >/dev/null && \
	         apt-get install -y -q fonts-noto-color-emoji unicode-cldr-core >/dev/null); \
	    else echo "no Noto Color Emoji / CLDR: emoji tests will be skipped"; fi; \
	  fi

demo-data: setup
	@$(BIN)/ganforge data check fashion-mnist >/dev/null 2>&1 || \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's dataset-fashion-mnist"; \
	    apt-get install -y -q dataset-fashion-mnist || \
	      (apt-get update -q && apt-get install -y -q dataset-fashion-mnist); \
	  fi

# The demo fits a coffee break: the preset with the best images in a few minutes
# (best-fashion, its learning rate falling to 0 over the budget), stopped by the clock, so a
# busy machine shortens the training, not the wait. DEMO_MINUTES=10 for better clothes.
DEMO_MINUTES ?= 3
demo: demo-data
	@echo "ganforge demo: training best-fashion for $(DEMO_MINUTES) minutes, about $$(( $(DEMO_MINUTES) + 1 )) minutes in all (a grid of clothes each epoch)"
	$(BIN)/ganforge train --preset best-fashion --max-minutes $(DEMO_MINUTES) --eval-every 0 \
		--progress-every 30 --out runs/demo --force
	$(BIN)/ganforge report runs/demo
	@echo
	@echo "done: grids in runs/demo/samples/, the GIF runs/demo/progress.gif, the report runs/demo/report.html"
	@echo "next, flowers from a sentence:"
	@echo "  $(BIN)/ganforge generate --pretrained t2i-synthetic-flowers \"a red flower\" -n 8 --out flowers.png"
	@echo "or the web page: $(BIN)/ganforge serve --pretrained t2i-synthetic-flowers"

# The classic run, faithful to the original DCGAN: 3 epochs (about 4 minutes on a quiet
# 2-core machine, much longer on a busy one).
demo-long: demo-data
	$(BIN)/ganforge train --preset dcgan-fashion --epochs 3 --out runs/demo-long --force
	$(BIN)/ganforge report runs/demo-long
	@echo "see runs/demo-long/samples, runs/demo-long/progress.gif and runs/demo-long/report.html"

bench: setup
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/t2i_speed.py --preset t2i-synthetic-flowers
	$(BIN)/python benchmarks/t2i_speed.py --preset t2i-flowers --dataset synthetic-flowers
	$(BIN)/python benchmarks/side_by_side.py  # every model, 64x64 too, in one table

# On a machine with one GPU (docs/performance.md, "On a GPU"): the CUDA tests, then every
# model's images/s, ceilings and memory in runs/gpu-check/ (at most about 8 minutes).
# `$(BIN)/python benchmarks/gpu_check.py --device cpu --quick` checks the script anywhere.
gpu-check: setup
	$(BIN)/python benchmarks/gpu_check.py $(GPU_CHECK_ARGS)

# The same check with a Python that already holds torch (a GPU image without internet):
# no venv, nothing installed; e.g. make gpu-check-here PYTHON=python3 GPU_CHECK_ARGS="--out DIR".
gpu-check-here:
	PYTHONPATH=src $(PYTHON) benchmarks/gpu_check.py $(GPU_CHECK_ARGS)

# The presets trained and evaluated (docs/results.md, "The presets, evaluated").
results: setup
	nice -n 10 $(BIN)/python benchmarks/results.py

# The loss study (docs/results.md, "Loss study"; docs/loss-study.png): 24 DCGAN runs.
study: setup
	nice -n 10 $(BIN)/python benchmarks/study.py

# best-mnist / best-fashion against dcgan-* with 10 minutes of training each, 2 seeds
# (docs/results.md, "Best presets"; docs/best-presets.png): about 50 min.
best: setup
	nice -n 10 $(BIN)/python benchmarks/best.py

# The mode-collapse study (docs/results.md, "Mode collapse"; docs/modes.png): the MLP GAN on
# MNIST plain and with each option (--parts mlp stacked for the stacked-MNIST half too).
modes: setup
	nice -n 10 $(BIN)/python benchmarks/modes.py

# The text-to-image study (docs/results.md, "Text-to-image study"; docs/t2i-study.png): the
# SPEC's objective (preset t2i-spec) against each option of docs/text-to-image.md and their
# combination, 2 seeds, on fashion-mnist-captions (DATASETS="fashion-mnist-captions ..." for more).
DATASETS ?= fashion-mnist-captions
t2i-study: setup
	nice -n 10 $(BIN)/python benchmarks/t2i_study.py --datasets $(DATASETS)

# The same study on synthetic-flowers, 6 epochs a run, in its own section of docs/results.md
# ("Text-to-image study (synthetic-flowers)"; docs/t2i-study-flowers.png).
t2i-study-flowers: setup
	nice -n 10 $(BIN)/python benchmarks/t2i_study.py --datasets synthetic-flowers --epochs 6 \
		--eval-n 1020 --variants attribute hard augment ca projection diversity ma-gp combined \
		spec --root runs/t2i-study-flowers --section t2i-study-flowers \
		--plot docs/t2i-study-flowers.png

clean:
	rm -rf $(VENV) runs build dist src/*.egg-info .pytest_cache .ruff_cache
