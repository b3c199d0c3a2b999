# ethp2p: the two commands a new user runs are `make run` and `make test`.
# Both first install missing Debian packages (scripts/install-deps.sh), then
# build with CMake into build/. Everything else here wraps those steps.

MAKEFLAGS  += --no-print-directory
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_JOBS          ?= $(JOBS)
PREFIX     ?= /usr/local
DATADIR    ?= $(HOME)/.ethp2p
DEVNET_NODES ?= 5
RUN_ARGS   ?=

.PHONY: all deps deps-test build run devnet test test-release test-asan fuzz-smoke bench-smoke bench bench-scale plots fuzz soak valgrind install clean

all: build

deps:
	@bash scripts/install-deps.sh

# The same, plus the interop tests' npm packages: before any test runs.
deps-test:
	@bash scripts/install-deps.sh --test

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# The main job: an Ethereum node (mainnet by default; RUN_ARGS=--sepolia etc.)
# with a live status line. Ctrl-C stops it.
run: build
	@bash scripts/run.sh $(BUILD)/ethp2p "$(DATADIR)" $(RUN_ARGS)

# The offline devnet: DEVNET_NODES nodes on loopback relaying transactions.
devnet: build
	@bash scripts/devnet.sh $(DEVNET_NODES) $(BUILD)/ethp2p

# Every test, in a normal and in a sanitized build, plus short fuzz and bench runs.
test: test-release test-asan fuzz-smoke bench-smoke
	@echo "make test: all suites passed"

test-release: build deps-test
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps-test
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DETHP2P_SANITIZE=ON -DETHP2P_BENCH=OFF >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

$(FUZZ_BUILD)/.configured: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DETHP2P_FUZZ=ON \
	  -DETHP2P_TESTS=OFF -DETHP2P_BENCH=OFF >/dev/null
	@touch $@

fuzz-smoke: $(FUZZ_BUILD)/.configured
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_JOBS)

fuzz: $(FUZZ_BUILD)/.configured
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS)

bench-smoke: build deps-test
	bash scripts/bench.sh $(BUILD) --quick

# The side-by-side runs use @ethereumjs/devp2p from the interop tests' npm packages.
bench: build deps-test
	bash scripts/bench.sh $(BUILD)

# The simulators at 1,000-100,000 nodes (about 2 hours), for the plots.
bench-scale: build
	bash scripts/bench_scale.sh $(BUILD)

# PNGs from make bench's results.json and the simulators' reports, into $(BUILD)/plots.
plots: deps
	node scripts/plots.mjs $(BUILD)/bench $(BUILD)/plots

# 40 nodes for 10 minutes with kills, restarts, stalled peers and transactions (a 2-minute run is in make test).
SOAK_NODES   ?= 40
SOAK_SECONDS ?= 600
soak: build
	N=$(SOAK_NODES) DURATION=$(SOAK_SECONDS) bash tests/net/test_soak.sh $(BUILD)/ethp2p $(BUILD)/tests/hostile

# The loopback integration tests under Valgrind's memcheck (a release build; slow: not in make test).
valgrind: build deps-test
	bash scripts/valgrind.sh $(BUILD)

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
