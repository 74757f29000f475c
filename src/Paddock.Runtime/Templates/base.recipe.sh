#!/bin/bash
# Recipe of the `base` template: a lean Debian bookworm userland for code sandboxes, with the kernels
# of the code interpreter: Python (ipykernel), R (IRkernel), Node.js (JavaScript, TypeScript), bash.
# Called by TemplateBuilder with TARGET (an empty directory) and MIRROR (the host's configured
# Debian mirror). Any change to this file changes the recipe hash and rebuilds the template.
set -euo pipefail
: "${TARGET:?}" "${MIRROR:?}"

echo "[1/4] debootstrap bookworm (minbase) from the host's configured mirror"
debootstrap --variant=minbase bookworm "$TARGET" "$MIRROR"

echo "[2/4] installing packages"
chroot "$TARGET" apt-get update -q
# python3-munkres satisfies fonttools' "scipy | munkres" alternative; without it matplotlib
# drags in scipy, pythran, boost and gcc (about 1 GB).
DEBIAN_FRONTEND=noninteractive chroot "$TARGET" apt-get install -y -q --no-install-recommends \
    python3-munkres \
    bash coreutils procps ca-certificates curl git sudo \
    python3 python-is-python3 python3-ipykernel python3-numpy python3-pandas python3-matplotlib \
    nodejs node-typescript \
    r-base-core r-cran-irkernel

echo "[3/4] creating the sandbox user"
chroot "$TARGET" useradd --create-home --uid 1000 --user-group --shell /bin/bash user
# As in E2B's templates, the sandbox user has passwordless sudo: root here is the sandbox's own
# (an unprivileged host id range), the same root the API already runs commands as on request.
printf 'user ALL=(ALL:ALL) NOPASSWD: ALL\n' > "$TARGET/etc/sudoers.d/user"
chmod 0440 "$TARGET/etc/sudoers.d/user"
printf 'paddock\n' > "$TARGET/etc/hostname"

echo "[4/4] trimming caches"
chroot "$TARGET" apt-get clean
rm -rf "$TARGET"/var/lib/apt/lists/* "$TARGET"/usr/share/doc/* "$TARGET"/usr/share/man/* "$TARGET"/var/log/*.log "$TARGET"/var/cache/debconf/*-old
