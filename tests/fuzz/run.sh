#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the libFuzzer targets and run each for SECONDS (default 30) from its
# seed corpus: the IOMMU fault decoder (tests/fuzz/corpus/fault) and the ACPI
# DMAR/IVRS/IORT parser (tests/fuzz/corpus-acpi). New inputs go to
# build/fuzz/, not into the repository; crashes are left there too
# (build/fuzz/crash-*) and make this script fail.
#   usage: tests/fuzz/run.sh [SECONDS]
set -eu

secs=${1:-30}
case $secs in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=build/fuzz
CC_FUZZ=${CC_FUZZ:-clang}

if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
	echo "$0: $CC_FUZZ not found (apt-get install clang)" >&2
	exit 2
fi
mkdir -p "$out/corpus-fault"
# shellcheck disable=SC2046
"$CC_FUZZ" -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Icommon -Iharness $(pkg-config --cflags json-c) \
	-o "$out/fuzz_fault" tests/fuzz/fuzz_fault.c harness/fault*.c harness/klog.c \
	harness/klog_structured.c common/error.c $(pkg-config --libs json-c)

mkdir -p "$out/corpus-acpi"
# shellcheck disable=SC2046
"$CC_FUZZ" -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Icommon -Iharness $(pkg-config --cflags json-c) \
	-o "$out/fuzz_acpi" tests/fuzz/fuzz_acpi.c harness/acpi.c harness/acpi_dmar.c \
	harness/acpi_ivrs.c harness/acpi_iort.c harness/jsonval.c \
	common/error.c $(pkg-config --libs json-c)

cd "$out"
./fuzz_acpi -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=70000 -print_final_stats=1 corpus-acpi "$root/tests/fuzz/corpus-acpi"
# -max_len covers lines past the reader's 64 KiB limit
exec ./fuzz_fault -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=200000 -dict="$root/tests/fuzz/fault.dict" -print_final_stats=1 \
	corpus-fault "$root/tests/fuzz/corpus/fault"
