# The two commands of the README. Each installs what is missing, then builds.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
CMAKE_FLAGS ?=

.PHONY: demo test build build-cli python install-python deps bench clean

deps:
	@bash scripts/install-deps.sh test

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

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench:
	@bash scripts/install-deps.sh bench
	@bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
