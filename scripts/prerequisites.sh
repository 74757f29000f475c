#!/usr/bin/env bash
# Installs what Paddock needs on a Debian 12 host, as root. Safe to run again: it installs only
# what is missing. The host's cgroup layout and data directories are prepared by the server itself.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "Paddock runs sandboxes with namespaces, cgroups and mounts: run this as root (sudo $0)." >&2
    exit 1
fi

# clang and zlib1g-dev link the Native AOT agent; tmux drives the CLI's interactive-shell test.
# btrfs-progs makes the sandbox volume (per-sandbox disk quotas) when the data dir is not on btrfs.
# iproute2 and nftables give sandboxes their network; dnsmasq-base and openssl make the tests' own
# private "internet" (tests/internet), so no test traffic leaves the machine.
packages=(crun debootstrap util-linux procps ca-certificates curl clang zlib1g-dev tmux btrfs-progs iproute2 nftables dnsmasq-base openssl)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Node.js runs the compatibility suite with E2B's own npm SDKs.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
fi

if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks | grep -q '^10\.'; then
    # Debian does not package .NET; Microsoft's apt feed does, as dotnet-sdk-10.0.
    if apt-cache policy dotnet-sdk-10.0 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q dotnet-sdk-10.0
    else
        echo "The .NET 10 SDK is required. Add Microsoft's package feed for Debian 12 and run: apt-get install dotnet-sdk-10.0" >&2
        exit 1
    fi
fi
