# Entry points. Everything builds into build/ (ignored by git).
BUILD ?= build
JOBS ?= $(shell nproc)
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300

.PHONY: all bootstrap build install deb man test unit fmt lint fuzz fuzz-smoke bench sim chaos soak soak-planted clean

all: build

bootstrap:
	@./scripts/bootstrap.sh

$(BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja

build: bootstrap $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# make install PREFIX=/opt/pc: PREFIX/bin/pseudo-cluster and zkd, the man pages, docs and example
# configs (cmake/install.cmake). Builds the two programs only, not the tests.
PREFIX ?= /usr/local
install: bootstrap $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target pseudo-cluster-bin zkd
	cmake --install $(BUILD) --prefix $(PREFIX)

# make deb: $(BUILD)/pseudo-cluster_<version>_<arch>.deb (CPack), installing into /usr.
deb: bootstrap $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target pseudo-cluster-bin zkd
	cd $(BUILD) && cpack -G DEB

# docs/pseudo-cluster.1 and docs/zkd.1 from the --help texts (after a command or option changes;
# ctest -L install fails while they are stale).
man: build
	./scripts/man-pages.py $(BUILD)/pseudo-cluster $(BUILD)/zkd

test: build fuzz-smoke
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

$(FUZZ_BUILD)/build.ninja: CMakeLists.txt
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DPC_FUZZ=ON

# A short bounded run of every fuzz target; part of `make test`.
fuzz-smoke: bootstrap $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	./scripts/run-fuzz.sh $(FUZZ_BUILD) 20

# The long run.
fuzz: bootstrap $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	./scripts/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# More randomized election seeds than `make test` runs: make sim SEEDS=100000
SEEDS ?= 10000
sim: build
	$(BUILD)/sim --seeds $(SEEDS)
	$(BUILD)/sim --replica --seeds $(SEEDS)

bench: build
	./scripts/run-bench.sh $(BUILD)

# A long chaos run per engine, every fault kind: make chaos SECONDS=600 [SEED=...]. Output in
# $(BUILD)/chaos-zkd and $(BUILD)/chaos-apache (history, nemesis, timeline, verdict, plot.png).
SECONDS ?= 600
SEED ?= 1
chaos: build
	status=0; for engine in zkd apache; do \
	  $(BUILD)/pseudo-cluster chaos --engine $$engine --time $(SECONDS)s --seed $(SEED) \
	    --out $(BUILD)/chaos-$$engine || status=1; \
	done; exit $$status

# The soak (test/soak/soak.py): make soak MINUTES=30 [ENGINE=zkd|apache] [SEED=1]. Exit 0 when
# nothing acknowledged was lost, the members converged and RSS and fds stayed flat.
MINUTES ?= 30
ENGINE ?= zkd
soak: build
	/usr/bin/python3 test/soak/soak.py --binary $(BUILD)/pseudo-cluster --engine $(ENGINE) \
	  --minutes $(MINUTES) --seed $(SEED)

# The soak's checks catch planted bugs: zkd leaking 1 KiB per txn, and acknowledged creates
# deleted behind the writers' backs (two 2-minute runs on zkd; each exits 0 when caught).
soak-planted: build
	/usr/bin/python3 test/soak/soak.py --binary $(BUILD)/pseudo-cluster --minutes 2 \
	  --plant-leak 1024 --expect leak
	/usr/bin/python3 test/soak/soak.py --binary $(BUILD)/pseudo-cluster --minutes 2 \
	  --plant-loss --expect loss

fmt:
	find src test bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

lint: build
	find src -name '*.cc' | xargs clang-tidy -p $(BUILD) --quiet

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
