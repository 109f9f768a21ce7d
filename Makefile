# iommu-lab. `make help` lists the targets.

CC        ?= gcc
CROSS_CC  ?= aarch64-linux-gnu-gcc
CFLAGS    ?= -O2 -g
WARN       = -Wall -Wextra -Wno-format-truncation -Wno-missing-field-initializers
PKGS       = libvirt libvirt-qemu libxml-2.0 json-c yaml-0.1 libguestfs
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LAB_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iharness -Iguests/agent $(PKG_CFLAGS)

B          = build
# The protocol framing is shared by both ends: the agent and the harness.
PROTO_SRC  = guests/agent/proto.c
HARNESS_SRC = $(wildcard harness/*.c) $(PROTO_SRC)
HARNESS_OBJ = $(patsubst %.c,$(B)/obj/%.o,$(HARNESS_SRC))
LAB_SRC    = $(wildcard lab/*.c)
LAB_OBJ    = $(patsubst %.c,$(B)/obj/%.o,$(LAB_SRC))
AGENT_SRC  = $(wildcard guests/agent/*.c) harness/error.c
AGENT_HDR  = $(wildcard guests/agent/*.h)
UNIT_SRC   = $(wildcard tests/unit/test_*.c)
UNIT_BIN   = $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

STACK     ?= bookworm
export STACK

.PHONY: all deps daemons images check unit integration fuzz run nightly bench clean help
all: $(B)/iommu-lab $(B)/agent-x86_64 $(B)/agent-aarch64

help:
	@echo "make            build build/iommu-lab and the agent (x86_64, aarch64)"
	@echo "make deps       install the Debian packages the lab needs (STACK=bookworm|backports)"
	@echo "make daemons    start virtlogd and libvirtd (no systemd needed)"
	@echo "make images     fetch guest kernels + busybox (Debian packages), build initramfs"
	@echo "make check      everything above, then unit, fuzz and integration tests"
	@echo "make run        everything above, then the default matrix"
	@echo "make nightly    the default matrix on QEMU 7.2 and 10.0 (Debian packages), then their diff"
	@echo "make bench      benchmarks (bench/): boot overhead, matrix wall time, explain throughput"

# ---- host set-up -----------------------------------------------------------
deps:
	lab/install-deps.sh

daemons: deps
	lab/start-daemons.sh

# ---- the command and its library --------------------------------------------
$(B)/obj/%.o: %.c $(wildcard harness/*.h) $(wildcard lab/*.h) $(AGENT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(LAB_CFLAGS) -c $< -o $@

$(B)/libharness.a: $(HARNESS_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/iommu-lab: $(LAB_OBJ) $(B)/libharness.a
	$(CC) $(LAB_CFLAGS) -o $@ $(LAB_OBJ) $(B)/libharness.a $(PKG_LIBS) -lm

# ---- the in-guest agent: static, one per guest architecture ------------------
$(B)/agent-x86_64: $(AGENT_SRC) $(AGENT_HDR)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -static -Iharness -I/usr/include/json-c \
		-o $@ $(AGENT_SRC) -ljson-c

# json-c for arm64 comes from Debian multiarch (libjson-c-dev:arm64).
$(B)/agent-aarch64: $(AGENT_SRC) $(AGENT_HDR)
	@mkdir -p $(B)
	$(CROSS_CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -static -Iharness -I/usr/include/json-c \
		-o $@ $(AGENT_SRC) -L/usr/lib/aarch64-linux-gnu -ljson-c

# ---- guest images -----------------------------------------------------------
# bookworm (6.1) and bookworm-backports (6.12) kernels, for both architectures
SUITES    ?= bookworm backports
images: $(B)/agent-x86_64 $(B)/agent-aarch64
	for s in $(SUITES); do \
		images/build.sh amd64 $(B)/agent-x86_64 $$s && \
		images/build.sh arm64 $(B)/agent-aarch64 $$s || exit 1; \
	done

# ---- tests ------------------------------------------------------------------
$(B)/tests/%: tests/unit/%.c $(B)/libharness.a
	@mkdir -p $(dir $@)
	$(CC) $(LAB_CFLAGS) -o $@ $< $(B)/libharness.a $(PKG_LIBS) -lcmocka -lm

# The agent's DMA request validation is guest code: it links dma.c, not the harness.
$(B)/tests/test_dma: tests/unit/test_dma.c guests/agent/dma.c guests/agent/dma.h guests/agent/sysfs.c
	@mkdir -p $(dir $@)
	$(CC) $(LAB_CFLAGS) -o $@ tests/unit/test_dma.c guests/agent/dma.c guests/agent/sysfs.c $(PKG_LIBS) -lcmocka

unit: $(UNIT_BIN)
	tests/run-unit.sh $(UNIT_BIN)

# libFuzzer on the kernel-log fault parser, briefly; FUZZ_SECONDS to change
FUZZ_SECONDS ?= 30
fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)

integration: all images daemons
	tests/integration/run.sh

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) fuzz
	$(MAKE) integration

# the default matrix; JOBS=N to change how many guests run at once
JOBS      ?= $(shell nproc)
run: deps
	$(MAKE) all images daemons
	$(B)/iommu-lab run --jobs $(JOBS) scenarios/default-*.yaml

# the cross-version matrix: both Debian QEMUs x both kernels, then the diff
nightly: deps
	$(MAKE) all images daemons
	lab/nightly.sh

bench: all images daemons
	bench/boot-overhead intel 5
	bench/matrix-wall
	bench/explain-throughput

clean:
	rm -rf $(B)
