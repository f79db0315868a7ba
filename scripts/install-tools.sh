#!/usr/bin/env bash
# Installs, with apt-get, the tools tfq's build and tests need, and only those that are missing:
#   mvn (maven), javac 17 (openjdk-17-jdk-headless), verilator, iverilog, yosys, tclsh (tcl),
#   g++ and make, which verilator needs to build its simulations (its package does not
#   depend on them), and the iCE40 place and route and bitstream tools: nextpnr-ice40
#   (nextpnr-ice40) and icepack (fpga-icestorm, which brings the chip database nextpnr's
#   --up5k uses too).
# Idempotent: when everything is there it changes nothing and does not touch the network.
# Runs apt-get as root, or through sudo when not root. Needs no stdin (CI=true, no terminal).
set -euo pipefail

missing=()
need() { # need COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}

# javac first: installing maven alone would pull in a default JDK that may not be 17
if ! command -v javac >/dev/null 2>&1; then
    missing+=(openjdk-17-jdk-headless)
elif ! javac -version 2>&1 | grep -Eq 'javac (1[7-9]|[2-9][0-9])'; then
    echo "install-tools: $(javac -version 2>&1) found; tfq needs Java 17 or later, installing openjdk-17-jdk-headless" >&2
    missing+=(openjdk-17-jdk-headless)
fi
need mvn maven
need verilator verilator
need iverilog iverilog
need yosys yosys
need tclsh tcl
need g++ g++
need make make
need nextpnr-ice40 nextpnr-ice40
need icepack fpga-icestorm

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-tools: all tools present (mvn, javac, verilator, iverilog, yosys, tclsh, g++, make, nextpnr-ice40, icepack)"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
else
    echo "install-tools: missing ${missing[*]}; run as root or install them with apt-get" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-tools: missing ${missing[*]} and apt-get is not available; install them by hand" >&2
    exit 1
fi

echo "install-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null

for c in mvn javac verilator iverilog yosys tclsh g++ make nextpnr-ice40 icepack; do
    command -v "$c" >/dev/null 2>&1 || { echo "install-tools: $c still missing after apt-get install" >&2; exit 1; }
done
echo "install-tools: done"
