#!/usr/bin/env bash
# The C ABI's test step (called by scripts/test, runnable alone from the
# repository root): builds libsendlint, checks the header against the source,
# compiles the C99 and C++17 tests and the example with warnings as errors,
# runs them, then runs them again under valgrind (zero definite or indirect
# leaks, zero invalid accesses).
set -euo pipefail
cd "$(dirname "$0")/../.."

# Installs a Debian package when its command is missing: as root directly,
# otherwise through sudo when there is one.
need() {
    local command=$1 package=$2
    command -v "$command" >/dev/null && return
    local run=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "$command is missing and there is no sudo to install $package" >&2; exit 1; }
        run=(sudo)
    fi
    "${run[@]}" apt-get update -qq
    "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
}
need gcc gcc
need g++ g++
need valgrind valgrind
need pkg-config pkg-config
need readelf binutils

cargo build --release -p sendlint-ffi
release=$PWD/target/release
# The Rust side: header drift (pinned cbindgen), rule bits, panic boundary.
cargo test -p sendlint-ffi --lib --test header

# The soname carries the header's ABI version.
abi=$(sed -n 's/^#define SENDLINT_ABI_VERSION \([0-9]*\)$/\1/p' ffi/include/sendlint.h)
readelf -d "$release/libsendlint.so" | grep -q "Library soname: \[libsendlint.so.$abi\]" \
    || { echo "libsendlint.so has no soname libsendlint.so.$abi" >&2; exit 1; }
test -f "$release/libsendlint.a"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cflags=(-Wall -Wextra -Werror -pedantic -Iffi/include)
shared=(-L"$release" -Wl,-rpath,"$release" -lsendlint)
gcc -std=c99 "${cflags[@]}" ffi/tests/check.c -o "$out/check" "${shared[@]}"
gcc -std=c99 "${cflags[@]}" ffi/tests/threads.c -o "$out/threads" "${shared[@]}" -pthread
gcc -std=c99 "${cflags[@]}" ffi/tests/audience.c -o "$out/audience" "${shared[@]}" -pthread
gcc -std=c99 "${cflags[@]}" ffi/tests/inbound.c -o "$out/inbound" "${shared[@]}"
# C++ through the static library: both libraries get linked by something.
g++ -std=c++17 "${cflags[@]}" ffi/tests/raii.cpp -o "$out/raii" "$release/libsendlint.a" -pthread -ldl -lm
# The example exactly as the README builds it: through the pkg-config file.
PKG_CONFIG_PATH=$release gcc -std=c99 -Wall -Wextra -Werror examples/c/host.c \
    $(PKG_CONFIG_PATH=$release pkg-config --cflags --libs sendlint) -o "$out/host"

mkdir "$out/scratch"
run_all() {
    "$@" "$out/check" "$PWD" "$out/scratch"
    "$@" "$out/threads"
    "$@" "$out/audience" "$PWD" "$out/scratch"
    "$@" "$out/inbound"
    "$@" "$out/raii"
    # The example: one message to allow, one to block (exit status 1: flagged).
    local printed status=0
    printed=$(printf 'Guten Morgen! Heute frische Brezeln ab 6 Uhr.\n@all Jetzt kostenlos erhalten: https://bit.ly/3xYz\n' \
        | "$@" "$out/host") || status=$?
    [ "$status" -eq 1 ] || { echo "host exited $status, expected 1" >&2; exit 1; }
    grep -q '^allow .*Guten Morgen' <<<"$printed" || { echo "host: no allow line: $printed" >&2; exit 1; }
    grep -q '^block .*mass_mention' <<<"$printed" || { echo "host: no block line: $printed" >&2; exit 1; }
    echo "example: 2 passed, 0 failed"
}
run_all
echo "-- again under valgrind"
run_all valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=1
