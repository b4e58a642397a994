#!/bin/sh
# Prints, on one line, the Debian packages a built crabgate needs at run time:
# those holding the libraries it links (its NEEDED entries), libcurl, which it
# loads with dlopen, and the CA certificates libcurl checks servers with.
# The CI templates keep this list beside a cached binary, so that a cache hit
# installs these and nothing else: no compiler, no -dev package, no node.
# Fails, printing nothing, when a library is not from a package (a hand-built
# libgit2, say): the templates then install the build packages on a hit.
# Usage: ci/runtime-packages.sh BINARY   (needs readelf, from binutils, and dpkg)
set -eu
# The native library folder only: not /lib32's libc of another architecture.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -dumpmachine)
libs=$(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
packages=ca-certificates
for so in $libs libcurl.so.4; do
  # "libgit2-1.5:amd64: /usr/lib/x86_64-linux-gnu/libgit2.so.1.5" -> libgit2-1.5
  p=$(dpkg-query -S "*/$arch/$so" 2>/dev/null | sed -n '1s/^\([^:, ]*\).*/\1/p') || true
  if [ -z "$p" ]; then
    echo "runtime-packages: no Debian package holds $so" >&2
    exit 1
  fi
  packages="$packages $p"
done
# One package a line, to sort: $packages is split into words on purpose.
# shellcheck disable=SC2086
printf '%s\n' $packages | sort -u | tr '\n' ' ' | sed 's/ $/\n/'
