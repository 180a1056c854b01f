# The two commands of the README. Each installs what is missing, then builds.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
CMAKE_FLAGS ?=

.PHONY: demo test build build-cli deps bench clean sanitize fuzz-replay fuzz

deps:
	@bash scripts/install-deps.sh test

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

build-cli: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target grokscope_cli

# The demo builds the library and the executable only, not the tests.
demo: build-cli
	@$(BUILD_DIR)/grokscope train configs/demo.toml --out runs/demo --force

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# AddressSanitizer + UndefinedBehaviorSanitizer: the library, the executable and the whole test suite in their own
# build directory; the first finding ends the test that hit it (halt on error). -O2 keeps Eigen's code inlined, so the
# instrumented suite runs at a few times the Release time.
SAN_DIR ?= build-asan
SAN_ENV = ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1 \
          UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
sanitize: deps
	@cmake -S . -B $(SAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" \
	       -DGROKSCOPE_SANITIZE=ON $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(SAN_DIR) -j $(JOBS)
	@cd $(SAN_DIR) && $(SAN_ENV) ctest --output-on-failure -j $(JOBS)

bench:
	@bash scripts/install-deps.sh bench
	@bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
