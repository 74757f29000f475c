#!/bin/bash
# Recipe of the `code-interpreter-full` template: the `base` template plus a JDK, whose JShell runs the code
# interpreter's Java kernel; with it, every language of E2B's code-interpreter template. A template of its
# own because the JDK (about 190 MB) would grow `base` by a fifth for one language.
# Called by TemplateBuilder with TARGET (an empty directory), BASE (the built `base` tree, read only here)
# and MIRROR. Any change to this file or to base's recipe changes the recipe hash and rebuilds the template.
set -euo pipefail
: "${TARGET:?}" "${BASE:?}"

echo "[1/3] copying the base template"
cp -a --reflink=auto "$BASE/." "$TARGET/"

echo "[2/3] installing the JDK"
chroot "$TARGET" apt-get update -q
# base dropped the manual pages; the JDK's alternatives link theirs into man1.
mkdir -p "$TARGET"/usr/share/man/man1
# Java's post-install step runs java, which needs /proc: mounted in a mount namespace of the install's own,
# so it goes away with it whatever happens.
DEBIAN_FRONTEND=noninteractive unshare --mount --pid --fork --mount-proc="$TARGET/proc" \
    chroot "$TARGET" apt-get install -y -q --no-install-recommends openjdk-17-jdk-headless
# The JDK's jmods are for jlink (making runtime images), which JShell does not need: 75 MB less.
rm -rf "$TARGET"/usr/lib/jvm/java-17-openjdk-*/jmods

echo "[3/3] trimming caches"
chroot "$TARGET" apt-get clean
rm -rf "$TARGET"/var/lib/apt/lists/* "$TARGET"/usr/share/doc/* "$TARGET"/usr/share/man/* "$TARGET"/var/log/*.log "$TARGET"/var/cache/debconf/*-old
