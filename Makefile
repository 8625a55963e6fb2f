# xdpcount: one entry point. `make` builds everything; see README.md.

CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= cc
PYTHON   ?= /usr/bin/python3
B        := build
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -I$(B) -Iprog -Isrc
LDLIBS   := -lbpf -lelf -lz -lpcap -ljson-c
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -I$(ARCH_INC) -Iprog

# SAN=1: AddressSanitizer and UBSan over the whole user space, in build-san/.
ifeq ($(SAN),1)
B        := build-san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

LIB_SRCS := src/counter.c src/snapshot.c src/replay.c src/output.c
LIB_OBJS := $(LIB_SRCS:src/%.c=$(B)/%.o)
# All Criterion suites link into one binary, so one run ends in one summary.
HARNESS_SRCS := $(wildcard harness/*.c)
HARNESS_OBJS := $(HARNESS_SRCS:harness/%.c=$(B)/harness/%.o)
TESTS    := $(B)/xdpcount-tests

DEPS := clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool libcriterion-dev \
	libpcap-dev python3-scapy iproute2 libjson-c-dev pkg-config make gcc

.PHONY: all deps test test-san pcaps check-pcaps clean
all: $(B)/xdpcount $(TESTS)

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

$(B)/xdpcount.bpf.o: prog/xdpcount.bpf.c prog/parse.h prog/xdpcount.h | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/xdpcount.skel.h: $(B)/xdpcount.bpf.o
	$(BPFTOOL) gen skeleton $< name xdpcount_bpf > $@

$(B)/%.o: src/%.c src/*.h prog/xdpcount.h $(B)/xdpcount.skel.h
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/libxdpcount.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

CLI_SRCS := src/xdpcount.c src/live.c
$(B)/xdpcount: $(CLI_SRCS) src/*.h $(B)/libxdpcount.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(CLI_SRCS) $(B)/libxdpcount.a $(LDLIBS) -lm -o $@

$(B)/harness/%.o: harness/%.c harness/*.h src/*.h prog/*.h $(B)/xdpcount.skel.h
	@mkdir -p $(B)/harness
	$(CC) $(CFLAGS) -Iharness -c $< -o $@

$(B)/xdpcount-tests: $(HARNESS_OBJS) $(B)/libxdpcount.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(HARNESS_OBJS) $(B)/libxdpcount.a $(LDLIBS) -lcriterion -lm -o $@

# The tests find the CLI, the fixtures and the generator through these.
TEST_ENV := XC_BIN=$(abspath $(B)/xdpcount) XC_ROOT=$(CURDIR) XC_PYTHON=$(PYTHON)
CRITERION_OPTS ?= --timeout 300

test: deps all
	$(TEST_ENV) $(B)/xdpcount-tests $(CRITERION_OPTS)

test-san:
	$(MAKE) SAN=1 test

pcaps:
	$(PYTHON) pcaps/gen.py pcaps

clean:
	rm -rf build build-san
