# xdpcount: one entry point. `make` builds everything; see README.md.

CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= cc
PYTHON   ?= /usr/bin/python3
B        := build
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -I$(B) -Iprog -Isrc/lib -I/usr/include/libnl3
LDLIBS   := -lbpf -lelf -lz -lpcap -ljson-c -lnl-route-3 -lnl-3 -lpthread
BPF_CFLAGS := -target bpf -mcpu=v3 -O2 -g -Wall -Werror -I$(ARCH_INC) -Iprog
# Each object's headers, as the compiler saw them (build/**/*.d): a change to one
# header rebuilds only what includes it.
DEPFLAGS := -MMD -MP

# SAN=1: AddressSanitizer and UBSan over the whole user space, in build-san/.
ifeq ($(SAN),1)
B        := build-san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

# src/lib: libxdpcount, the one library. src/cli: the xdpcount binary, its user.
LIB_SRCS := $(wildcard src/lib/*.c)
LIB_OBJS := $(LIB_SRCS:src/lib/%.c=$(B)/lib/%.o)
CLI_SRCS := $(wildcard src/cli/*.c)
CLI_OBJS := $(CLI_SRCS:src/cli/%.c=$(B)/cli/%.o)
# harness/lib: what the tests, the demo, the benchmarks and the fuzzers share.
HLIB_SRCS := $(wildcard harness/lib/*.c)
HLIB_OBJS := $(HLIB_SRCS:harness/lib/%.c=$(B)/hlib/%.o)
# All Criterion suites link into one binary, so one run ends in one summary.
HARNESS_SRCS := $(filter-out %.bpf.c,$(wildcard harness/*.c))
HARNESS_OBJS := $(HARNESS_SRCS:harness/%.c=$(B)/harness/%.o)
TESTS    := $(B)/xdpcount-tests
FUZZ_TOOLS := $(B)/fuzz/fuzz_parse $(B)/xdpcount-seed $(B)/xdpcount-diff
DEMO     := $(B)/xdpcount-demo
BENCH    := $(B)/xdpcount-bench

DEPS := clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool libcriterion-dev \
	libpcap-dev python3-scapy iproute2 libjson-c-dev pkg-config make gcc \
	libnl-route-3-dev ethtool iputils-ping iputils-arping socat prometheus procps \
	gnuplot-nox libclang-rt-14-dev valgrind util-linux libcap-dev man-db groff-base \
	nftables libmicrohttpd-dev python3-clang-14

.PHONY: all deps demo test test-san pcaps check-pcaps clean bench bench-check bench-baseline \
	fuzz fuzz-quick valgrind install mutate mutate-quick
all: $(B)/xdpcount $(TESTS) $(FUZZ_TOOLS) $(DEMO) $(BENCH)

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all installed"; fi

$(B):
	mkdir -p $@

$(B)/xdpcount.bpf.o: prog/xdpcount.bpf.c | $(B)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/xdpcount.skel.h: $(B)/xdpcount.bpf.o
	$(BPFTOOL) gen skeleton $< name xdpcount_bpf > $@

# The tracing programs: kernel drop reasons, observe mode (prog/xdpcount_kern.h: CO-RE).
$(B)/xdpcount_%.bpf.o: prog/xdpcount_%.bpf.c prog/*.h | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/xdpcount_%.skel.h: $(B)/xdpcount_%.bpf.o
	$(BPFTOOL) gen skeleton $< name xdpcount_$*_bpf > $@

TRACE_SKELS := $(B)/xdpcount_drops.skel.h $(B)/xdpcount_observe.skel.h
.SECONDARY: $(TRACE_SKELS) $(TRACE_SKELS:.skel.h=.bpf.o)

$(B)/lib/%.o: src/lib/%.c | $(B)/xdpcount.skel.h $(TRACE_SKELS)
	@mkdir -p $(B)/lib
	$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/libxdpcount.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(B)/cli/%.o: src/cli/%.c
	@mkdir -p $(B)/cli
	$(CC) $(CFLAGS) $(DEPFLAGS) -Isrc/cli -c $< -o $@

$(B)/xdpcount: $(CLI_OBJS) $(B)/libxdpcount.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(CLI_OBJS) $(B)/libxdpcount.a $(LDLIBS) -lmicrohttpd -lcap -lm -o $@

# The tests may read the CLI's exit codes (src/cli/cli.h), nothing else of it.
$(B)/hlib/%.o: harness/lib/%.c | $(B)/xdpcount.skel.h
	@mkdir -p $(B)/hlib
	$(CC) $(CFLAGS) $(DEPFLAGS) -Iharness/lib -c $< -o $@

# The observe-mode tests' own programs: the XDP program to observe, and a
# minimal fentry that asks whether this kernel allows observing at all.
HARNESS_SKELS := $(B)/drop_port.skel.h $(B)/fentry_probe.skel.h
$(B)/%.bpf.o: harness/bpf/%.bpf.c | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(HARNESS_SKELS): $(B)/%.skel.h: $(B)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# The parser over a copy of headers in a map value (test_truncation.c).
$(B)/parse_copy.bpf.o: harness/parse_copy.bpf.c | $(B)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -Iharness -c $< -o $@

$(B)/parse_copy.skel.h: $(B)/parse_copy.bpf.o
	$(BPFTOOL) gen skeleton $< name parse_copy_bpf > $@

$(B)/harness/%.o: harness/%.c | $(B)/xdpcount.skel.h $(B)/parse_copy.skel.h $(HARNESS_SKELS)
	@mkdir -p $(B)/harness
	$(CC) $(CFLAGS) $(DEPFLAGS) -Iharness/lib -Isrc/cli -c $< -o $@

$(B)/xdpcount-tests: $(HARNESS_OBJS) $(HLIB_OBJS) $(B)/libxdpcount.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(HARNESS_OBJS) $(HLIB_OBJS) $(B)/libxdpcount.a $(LDLIBS) -lcriterion -lm -o $@

-include $(wildcard $(B)/*.d $(B)/*/*.d)

# The tests find the CLI, the fixtures and the generator through these.
TEST_ENV := XC_BIN=$(abspath $(B)/xdpcount) XC_ROOT=$(CURDIR) XC_PYTHON=$(PYTHON)
ifeq ($(SAN),1)
TEST_ENV += LSAN_OPTIONS=suppressions=$(CURDIR)/ci/lsan.supp
endif
# --verbose: each test's name and result as it ends; Criterion's summary stays last.
CRITERION_OPTS ?= --timeout 300 --verbose

test: deps all
	$(TEST_ENV) $(B)/xdpcount-tests $(CRITERION_OPTS)

test-san:
	$(MAKE) SAN=1 test

# The main job on a fresh machine (as root): a veth pair in two namespaces, real
# traffic from one end, the live view on the other. XC_DEMO_SECONDS sets how long.
$(DEMO): demo/demo.c harness/lib/netns.h src/lib/*.h src/cli/cli.h $(B)/hlib/netns.o $(B)/libxdpcount.a
	$(CC) $(CFLAGS) $(LDFLAGS) -Iharness/lib -Isrc/cli $< $(B)/hlib/netns.o $(B)/libxdpcount.a \
		$(LDLIBS) -o $@

# Only the CLI and the demo driver, and quietly: the demo's output is the point.
demo: deps
	@$(MAKE) -s --no-print-directory $(B)/xdpcount $(DEMO)
	$(DEMO)

# The binary, its man page and its bash completion; DESTDIR for staging (packages).
PREFIX  ?= /usr/local
DESTDIR ?=
install: $(B)/xdpcount
	install -D -m 0755 $(B)/xdpcount $(DESTDIR)$(PREFIX)/sbin/xdpcount
	install -D -m 0644 doc/xdpcount.8 $(DESTDIR)$(PREFIX)/share/man/man8/xdpcount.8
	install -D -m 0644 doc/xdpcount.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/xdpcount

pcaps:
	$(PYTHON) pcaps/gen.py pcaps

# Benchmarks (bench/README.md). QUICK=1 (or env XC_BENCH_QUICK=1): the short run for CI.
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_RUN  := $(BENCH) run $(if $(filter 1,$(QUICK)),--quick)
CLANG_VERSION := $(shell $(CLANG) --version 2>/dev/null | head -1)

$(B)/baseline.bpf.o: bench/baseline.bpf.c | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/baseline.skel.h: $(B)/baseline.bpf.o
	$(BPFTOOL) gen skeleton $< name baseline_bpf > $@

$(BENCH): $(BENCH_SRCS) $(wildcard bench/*.h) $(B)/baseline.skel.h $(B)/hlib/netns.o $(B)/libxdpcount.a
	$(CC) $(CFLAGS) $(LDFLAGS) -Iharness/lib -DXC_CLANG_VERSION='"$(CLANG_VERSION)"' \
		$(BENCH_SRCS) $(B)/hlib/netns.o $(B)/libxdpcount.a $(LDLIBS) -lm -o $@

bench: deps $(BENCH)
	$(BENCH_RUN) -o bench/results.json
	$(BENCH) report bench/results.json bench/report.md $(B)/bench-plot.dat
	gnuplot -e "datafile='$(B)/bench-plot.dat'; outfile='bench/report.svg'" bench/plot.gp

bench-baseline: bench
	$(BENCH) baseline bench/results.json bench/baseline.json

bench-check: deps $(BENCH)
	$(BENCH_RUN) -o $(B)/bench-check.json
	$(BENCH) check bench/baseline.json $(B)/bench-check.json

# Fuzzing (fuzz/): libFuzzer with ASan and UBSan on the user-space parser, then
# the differential check over its corpus. FUZZ_SECONDS bounds the run.
FUZZ_SECONDS ?= 300
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -Iprog

$(B)/fuzz/fuzz_parse: fuzz/fuzz_parse.c prog/parse.h prog/xdpcount.h
	@mkdir -p $(B)/fuzz
	$(CLANG) $(FUZZ_CFLAGS) $< -o $@

$(B)/xdpcount-seed: fuzz/seed.c src/lib/*.h $(B)/libxdpcount.a
	$(CC) $(CFLAGS) $(LDFLAGS) $< $(B)/libxdpcount.a $(LDLIBS) -o $@

$(B)/xdpcount-diff: fuzz/diff.c harness/lib/frame_class.h $(B)/hlib/frame_class.o $(B)/libxdpcount.a
	$(CC) $(CFLAGS) $(LDFLAGS) -Iharness/lib $< $(B)/hlib/frame_class.o \
		$(B)/libxdpcount.a $(LDLIBS) -o $@

fuzz: deps $(FUZZ_TOOLS)
	ci/fuzz.sh $(B) $(FUZZ_SECONDS)

# CI's bounded run.
fuzz-quick:
	$(MAKE) fuzz FUZZ_SECONDS=30

# Mutation testing (ci/mutate.py): planted bugs in prog/ against the fast suites.
# MUTATE_ARGS picks files or a sample, e.g. MUTATE_ARGS="--file prog/parse.h".
MUTATE_ARGS ?=
mutate: deps $(TESTS)
	$(PYTHON) ci/mutate.py --jobs $$(nproc) $(MUTATE_ARGS)

# CI's bounded run: a fixed sample of the parser's mutants.
mutate-quick: deps $(TESTS)
	$(PYTHON) ci/mutate.py --jobs $$(nproc) --file prog/parse.h --sample 10 --seed 15

# The CLI's offline mode under valgrind: a capture and every error path.
valgrind: deps $(B)/xdpcount
	ci/valgrind.sh $(B)

clean:
	rm -rf build build-san
