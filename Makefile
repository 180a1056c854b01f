# The two commands of the README. Each installs what is missing, then builds.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
CMAKE_FLAGS ?=

.PHONY: demo test build build-cli deps deps-cluster bench clean slurm-check

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
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target grokscope_cli

# The demo builds the library and the executable only, not the tests.
demo: build-cli
	@$(BUILD_DIR)/grokscope train configs/demo.toml --out runs/demo --force

test: deps-cluster build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The Slurm end-to-end test alone (also part of `make test`); fails instead of skipping when it cannot run.
slurm-check: deps-cluster build-cli
	@GROKSCOPE_REQUIRE_SLURM=1 bash scripts/slurm-local.sh $(BUILD_DIR)/grokscope

bench:
	@bash scripts/install-deps.sh bench
	@bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
