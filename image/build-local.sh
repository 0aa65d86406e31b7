#!/usr/bin/env bash
# Builds the support-inbox image with buildah on a machine that has no Docker engine and no image registry
# (CI here). The Dockerfile starts FROM node:20-bookworm-slim; with no registry, that base is made locally
# once: a Debian bookworm minbase from Debian's archive (debootstrap), plus this machine's Node.js 20 binary
# and npm, tagged with the name the Dockerfile asks for, so the Dockerfile is built unchanged.
# Usage: bash image/build-local.sh [TAG]   (default localhost/support-inbox:latest)
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-localhost/support-inbox:latest}"
base="docker.io/library/node:20-bookworm-slim"
buildah=(buildah --storage-driver vfs)
cache="${SUPPORT_INBOX_IMAGE_CACHE:-/var/tmp/support-inbox-image}"

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "installing $2 from Debian's archive"
  local sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  # Exit 3: the tool could not be installed (CI prints that it skips); anything else is a real failure.
  { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$2" >/dev/null; } || exit 3
}
need buildah buildah
need debootstrap debootstrap

if ! "${buildah[@]}" inspect --type image "$base" >/dev/null 2>&1; then
  node_bin="$(command -v node)"
  case "$("$node_bin" -v)" in v20.*) ;; *) echo "the local base needs Node.js 20 on this machine, found $("$node_bin" -v)" >&2; exit 1 ;; esac
  rootfs="$cache/rootfs"
  if [ ! -x "$rootfs/bin/bash" ]; then
    rm -rf "$rootfs" && mkdir -p "$cache"
    echo "making the base: debootstrap --variant=minbase bookworm (about a minute)"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
      || { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
  fi
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules" && rm -rf "$rootfs/usr/local/lib/node_modules/npm"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # This machine's trust store: the npm registry may be reached through an intercepting proxy whose CA only
  # the host knows. The official base image has its own; this stands in for it.
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  chroot "$rootfs" getent passwd node >/dev/null || { chroot "$rootfs" groupadd -g 1000 node && chroot "$rootfs" useradd -u 1000 -g node -s /bin/bash -m node; }
  c="$("${buildah[@]}" from scratch)"
  "${buildah[@]}" copy "$c" "$rootfs/" / >/dev/null
  "${buildah[@]}" config --env NODE_VERSION="$("$node_bin" -v | cut -c2-)" \
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$c"
  "${buildah[@]}" commit --quiet --rm "$c" "$base" >/dev/null
  echo "local base $base made"
fi

# --format docker keeps HEALTHCHECK (OCI images have no field for it).
"${buildah[@]}" bud --quiet --format docker --pull-never --isolation chroot --network host -t "$tag" .
echo "built $tag"
