# iommu-lab. `make help` lists the targets.

CC        ?= gcc
CROSS_CC  ?= aarch64-linux-gnu-gcc
CFLAGS    ?= -O2 -g
WARN       = -Wall -Wextra -Wno-format-truncation -Wno-missing-field-initializers
PKGS       = libvirt libvirt-qemu libxml-2.0 json-c yaml-0.1 libguestfs gnutls
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# common/: the contract both ends build from (agent protocol framing, the
# DMA request, the error object, hex digits, PCI addresses)
LAB_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Icommon -Iharness -Iguests/agent $(PKG_CFLAGS)
# the static agents: json-c for the build machine and, through Debian's
# multiarch (libjson-c-dev:arm64), for arm64
AGENT_JSON_X86   := $(shell pkg-config --cflags --libs json-c 2>/dev/null)
AGENT_JSON_ARM64 := $(shell PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig \
		       pkg-config --cflags --libs json-c 2>/dev/null)

B          = build
COMMON_SRC = $(wildcard common/*.c)
HARNESS_SRC = $(wildcard harness/*.c) $(COMMON_SRC)
HARNESS_OBJ = $(patsubst %.c,$(B)/obj/%.o,$(HARNESS_SRC))
LAB_SRC    = $(wildcard lab/*.c)
LAB_OBJ    = $(patsubst %.c,$(B)/obj/%.o,$(LAB_SRC))
AGENT_SRC  = $(wildcard guests/agent/*.c) $(COMMON_SRC)
AGENT_HDR  = $(wildcard guests/agent/*.h) $(wildcard common/*.h)
UNIT_SRC   = $(wildcard tests/unit/test_*.c)
UNIT_BIN   = $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

# the host's QEMU/libvirt: bookworm or backports; unset keeps what the
# host has (lab/install-deps.sh)
STACK     ?=
export STACK

.PHONY: all pkgs deps daemons images check unit integration faults fuzz run nightly bench clean help
all: $(B)/iommu-lab $(B)/agent-x86_64 $(B)/agent-aarch64

help:
	@echo "make            build build/iommu-lab and the agent (x86_64, aarch64)"
	@echo "make deps       install the Debian packages the lab needs (STACK=bookworm|backports)"
	@echo "make daemons    start virtlogd and libvirtd (no systemd needed)"
	@echo "make images     fetch guest kernels + busybox (Debian packages), build initramfs"
	@echo "make check      everything above, then unit, fuzz and integration tests"
	@echo "make faults     fault tests on a private libvirtd (restart, QEMU killed, SIGKILL, gc)"
	@echo "make run        everything above, then the default matrix"
	@echo "make nightly    the default matrix on QEMU 7.2 and 10.0 (Debian packages), then their diff"
	@echo "make bench      benchmarks (bench/): boot overhead, matrix wall time, explain throughput"

# ---- host set-up -----------------------------------------------------------
deps:
	lab/install-deps.sh

daemons: deps
	lab/start-daemons.sh

# ---- the command and its library --------------------------------------------
# A missing -dev package is named, rather than surfacing as compile errors.
pkgs:
	@missing=""; for p in $(PKGS); do pkg-config --exists $$p || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] || { echo "make: pkg-config finds no$$missing (the Debian -dev packages: run 'make deps')" >&2; exit 1; }

# -MMD: each object's header dependencies, as the compiler saw them
$(B)/obj/%.o: %.c | pkgs
	@mkdir -p $(dir $@)
	$(CC) $(LAB_CFLAGS) -MMD -MP -c $< -o $@
-include $(HARNESS_OBJ:.o=.d) $(LAB_OBJ:.o=.d)

$(B)/libharness.a: $(HARNESS_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/iommu-lab: $(LAB_OBJ) $(B)/libharness.a
	$(CC) $(LAB_CFLAGS) -o $@ $(LAB_OBJ) $(B)/libharness.a $(PKG_LIBS) -lm

# ---- the in-guest agent: static, one per guest architecture ------------------
# (one compile-and-link each: the headers are listed, not tracked)
AGENT_DEP  = $(AGENT_SRC) $(AGENT_HDR)
$(B)/agent-x86_64: $(AGENT_DEP) | pkgs
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -static -Icommon \
		-o $@ $(AGENT_SRC) $(AGENT_JSON_X86) -lm

$(B)/agent-aarch64: $(AGENT_DEP)
	@mkdir -p $(B)
	@[ -n "$(AGENT_JSON_ARM64)" ] || { echo "make: no json-c for arm64 (libjson-c-dev:arm64: run 'make deps')" >&2; exit 1; }
	$(CROSS_CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -static -Icommon \
		-o $@ $(AGENT_SRC) $(AGENT_JSON_ARM64) -lm

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
	$(CC) $(LAB_CFLAGS) -MMD -MP -MF $@.d -o $@ $< $(B)/libharness.a $(PKG_LIBS) -lcmocka -lm
-include $(UNIT_BIN:=.d)

# The agent's DMA request validation is guest code: it links dma.c and what
# the probe in it calls (the device, its two ways in, the agent's helpers),
# not the harness.
TEST_DMA_SRC = $(addprefix guests/agent/,dma.c edu.c vfio.c raw.c kmsg.c sysfs.c) common/error.c common/clock.c
$(B)/tests/test_dma: tests/unit/test_dma.c $(TEST_DMA_SRC) $(AGENT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(LAB_CFLAGS) -o $@ tests/unit/test_dma.c $(TEST_DMA_SRC) $(PKG_LIBS) -lcmocka

unit: $(UNIT_BIN)
	tests/run-unit.sh $(UNIT_BIN)

# libFuzzer on the kernel-log fault parser, briefly; FUZZ_SECONDS to change
FUZZ_SECONDS ?= 30
fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)

integration: all images daemons
	tests/integration/run.sh

# libvirtd restarted and lost, QEMU killed, the lab SIGKILLed, a hostile
# agent, a full disk: on a private libvirtd (~2.5 min; integration runs it too)
faults: all images daemons
	tests/integration/faults.sh

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
	bench/hosts

clean:
	rm -rf $(B)
