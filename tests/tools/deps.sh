#!/bin/sh
# Checks the build dependencies and installs missing ones with apt-get; run by the Makefile once per build tree.
# SPDX-License-Identifier: BSD-2-Clause
#
# Environment: CC (compiler to check, default cc); SEL4KVM_NO_INSTALL=1 reports what is missing without
# installing it; SEL4KVM_FUZZ=1 (set by make fuzz) also checks for libFuzzer; SEL4KVM_TOOLS lists further programs
# a goal needs whose Debian package has the same name (make test-valgrind: valgrind; make format: clang-format).
# Exits 0 when everything is present, 1 with the list of packages to install otherwise.
set -u

cc=${CC:-cc}
# The first word only: CC may carry flags ("gcc -m64") or a launcher ("ccache gcc").
# shellcheck disable=SC2086 # splitting into words is the point
set -- $cc
cc_cmd=$1

# The Debian package that provides the compiler named by CC.
case $(basename "$cc_cmd") in
clang*) cc_pkg=clang ;;
gcc* | cc | c99) cc_pkg=gcc ;;
*) cc_pkg=$(basename "$cc_cmd") ;;
esac

have() {
    command -v "$1" >/dev/null 2>&1
}

# Prints the packages still missing, one per line, as "package: what it provides".
missing() {
    have make || echo "make: GNU make"
    have "$cc_cmd" || echo "$cc_pkg: the C compiler ($cc)"
    have pkg-config || echo "pkg-config: pkg-config"
    # The test and example guests are built with gcc whatever CC is; tests/kvm/test_gdb drives gdb.
    have "${GUEST_CC:-gcc}" || echo "gcc: the compiler of the test and example guests (${GUEST_CC:-gcc})"
    have gdb || echo "gdb: the GNU debugger (tests/kvm/test_gdb debugs a VMM and a guest with it)"
    for tool in ${SEL4KVM_TOOLS:-}; do
        have "$tool" || echo "$tool: $tool"
    done
    if have "$cc_cmd"; then
        printf '#include <linux/kvm.h>\n' | $cc -E -x c - >/dev/null 2>&1 ||
            echo "linux-libc-dev: Linux kernel headers (<linux/kvm.h>)"
    elif [ ! -f /usr/include/linux/kvm.h ]; then
        echo "linux-libc-dev: Linux kernel headers (<linux/kvm.h>)"
    fi
    # make fuzz: clang's libFuzzer and sanitizer runtimes come in a package clang only recommends.
    if [ "${SEL4KVM_FUZZ:-0}" = 1 ] && have "$cc_cmd" &&
        ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d[0] + (int)n; }\n' |
        $cc -fsanitize=fuzzer,address,undefined -x c - -o /dev/null >/dev/null 2>&1; then
        echo "libclang-rt-$($cc -dumpversion | cut -d. -f1)-dev: libFuzzer and the sanitizer runtimes for $cc_cmd"
    fi
    if have pkg-config; then
        pkg-config --exists cmocka || echo "libcmocka-dev: cmocka (headers and cmocka.pc)"
        pkg-config --exists glib-2.0 || echo "libglib2.0-dev: GLib 2 (headers and glib-2.0.pc)"
    else
        # Without pkg-config nothing can be asked; it is installed first and the libraries checked after.
        [ -f /usr/include/cmocka.h ] || echo "libcmocka-dev: cmocka (headers and cmocka.pc)"
        [ -d /usr/include/glib-2.0 ] || echo "libglib2.0-dev: GLib 2 (headers and glib-2.0.pc)"
    fi
}

report() {
    echo "Missing build dependencies (Debian/Ubuntu package: what it provides):" >&2
    printf '%s\n' "$1" | sed 's/^/  /' >&2
    echo "Install them, e.g.: apt-get install $(printf '%s\n' "$1" | cut -d: -f1 | tr '\n' ' ')" >&2
}

need=$(missing)
if [ -z "$need" ]; then
    exit 0
fi
pkgs=$(printf '%s\n' "$need" | cut -d: -f1 | tr '\n' ' ')

if [ "${SEL4KVM_NO_INSTALL:-0}" = 1 ] || ! have apt-get; then
    report "$need"
    exit 1
fi

if [ "$(id -u)" = 0 ]; then
    sudo=
elif have sudo; then
    # A password prompt needs a terminal; without one, sudo must not wait for input.
    if [ -t 0 ]; then sudo=sudo; else sudo="sudo -n"; fi
else
    echo "Not root and no sudo: cannot apt-get install $pkgs" >&2
    report "$need"
    exit 1
fi

echo "Installing build dependencies: $pkgs" >&2
# shellcheck disable=SC2086 # $pkgs is a list of package names
# stdout goes to stderr: the Makefile keeps this script's stdout clean.
if ! { $sudo apt-get update -q && $sudo env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends $pkgs; } >&2; then
    echo "apt-get failed" >&2
    report "$need"
    exit 1
fi

need=$(missing)
if [ -n "$need" ]; then
    report "$need"
    exit 1
fi
echo "Build dependencies installed." >&2
