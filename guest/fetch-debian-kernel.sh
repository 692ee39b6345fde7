#!/usr/bin/env bash
# Downloads Debian's current linux-image-amd64 kernel package and unpacks it (dpkg-deb -x, never
# installed on the host) into DEST/root; prints that folder, which `prlab record-guest --kernel`
# takes. Needs apt's package lists (apt-get update) and dpkg-deb.
set -euo pipefail
dest=${1:?usage: fetch-debian-kernel.sh DEST}
mkdir -p "$dest"
cd "$dest"
# linux-image-amd64 is a metapackage: the kernel is the linux-image-<abi>-amd64 it depends on
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
  echo "fetch-debian-kernel: apt-cache knows no linux-image-amd64 (run apt-get update)" >&2
  exit 1
fi
if ! [ -d "root-$pkg/boot" ]; then
  chmod 0777 .  # apt-get download drops privileges to _apt where it can
  apt-get download -qq "$pkg" >&2
  rm -rf "root-$pkg.tmp"
  dpkg-deb -x "$pkg"_*.deb "root-$pkg.tmp"
  mv "root-$pkg.tmp" "root-$pkg"
  rm -f "$pkg"_*.deb
fi
echo "$PWD/root-$pkg"
