# The two commands of the README. Each installs what is missing, then builds.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
CMAKE_FLAGS ?=

.PHONY: demo test build build-cli python install-python deps deps-cluster bench clean san-configure sanitize fuzz-build fuzz-replay fuzz slurm-check

deps:
	@bash scripts/install-deps.sh test

# The test packages plus slurm-wlm and munge, for the Slurm end-to-end test (ctest label cluster).
deps-cluster:
	@bash scripts/install-deps.sh cluster

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

build-cli: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target grokscope_front_ends

# The Python module (docs/python.md): PYTHONPATH=$(BUILD_DIR)/python /usr/bin/python3 -c "import grokscope".
python: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target grokscope_python

# Installs the Python package for the system's python3: into PREFIX/lib/python3.X/dist-packages (PREFIX defaults to
# /usr/local, on Debian's python3 path).
PREFIX ?= /usr/local
install-python: python
	@cmake --install $(BUILD_DIR) --component python --prefix $(PREFIX)

# The demo builds the library, the executable and the Python module, not the tests.
demo: build-cli
	@$(BUILD_DIR)/grokscope train configs/demo.toml --out runs/demo --force

test: deps-cluster build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# AddressSanitizer + UndefinedBehaviorSanitizer: one clang-14 build (SAN_DIR) of the library, the executable, the
# whole test suite and the libFuzzer targets (GROKSCOPE_FUZZ implies the sanitizers), so that `make sanitize` and
# `make fuzz-replay` share their compilation; the first finding ends the test that hit it (halt on error). The Slurm
# end-to-end test (label cluster) is left out: it tests Slurm's orchestration of sixteen training runs, which
# `make test` runs, and instrumented they exceed its 5-minute limit.
SAN_DIR ?= build-san
SAN_ENV = ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1 \
          UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
FUZZ_DIR = $(SAN_DIR)
FUZZ_BIN = $(FUZZ_DIR)/tests/fuzz
FUZZ_TARGETS = fuzz_config fuzz_sweep fuzz_npz
FUZZ_SECONDS ?= 20
# A fixed seed: CI replays the same mutation sequence (FUZZ_SEED=0: libFuzzer picks one each time).
FUZZ_SEED ?= 1
san-configure:
	@bash scripts/install-deps.sh fuzz
	@bash scripts/install-deps.sh cluster
	@cmake -S . -B $(SAN_DIR) -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	       -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -DNDEBUG" -DGROKSCOPE_FUZZ=ON -DGROKSCOPE_BUILD_PYTHON=OFF \
	       $(CMAKE_FLAGS) > /dev/null

sanitize: san-configure
	@cmake --build $(SAN_DIR) -j $(JOBS)
	@cd $(SAN_DIR) && $(SAN_ENV) ctest --output-on-failure -j $(JOBS) -LE cluster

# libFuzzer targets of the config parser, the sweep/catalog parser and the npz reader: each replays its committed
# seed corpus (tests/fuzz/corpus/<target>/), then fuzzes for FUZZ_SECONDS from it (new inputs go to
# $(FUZZ_DIR)/corpus/<target>, crashes to $(FUZZ_DIR)/crash-<target>-*). A finding fails the target.
fuzz-build: san-configure
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(FUZZ_TARGETS)

fuzz-replay: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz: $$t: replaying tests/fuzz/corpus/$$t ($$(ls tests/fuzz/corpus/$$t | wc -l) inputs)"; \
	  $(SAN_ENV) $(FUZZ_BIN)/$$t -runs=0 tests/fuzz/corpus/$$t 2> $(FUZZ_DIR)/$$t-replay.log \
	    || { tail -40 $(FUZZ_DIR)/$$t-replay.log; exit 1; }; \
	done
	@$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED)

fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  echo "fuzz: $$t: $(FUZZ_SECONDS) s"; \
	  $(SAN_ENV) $(FUZZ_BIN)/$$t -max_total_time=$(FUZZ_SECONDS) -seed=$(FUZZ_SEED) -timeout=10 -rss_limit_mb=2048 \
	    -malloc_limit_mb=1024 -artifact_prefix=$(FUZZ_DIR)/crash-$$t- -print_final_stats=1 \
	    $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t 2> $(FUZZ_DIR)/$$t-fuzz.log \
	    || { tail -60 $(FUZZ_DIR)/$$t-fuzz.log; exit 1; }; \
	  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" $(FUZZ_DIR)/$$t-fuzz.log | tr '\n' ' '; echo; \
	done

# The Slurm end-to-end test alone (also part of `make test`); fails instead of skipping when it cannot run.
slurm-check: deps-cluster build-cli
	@GROKSCOPE_REQUIRE_SLURM=1 bash scripts/slurm-local.sh $(BUILD_DIR)/grokscope

bench:
	@bash scripts/install-deps.sh bench
	@bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
