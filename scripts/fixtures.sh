#!/usr/bin/env bash
# scripts/fixtures.sh - build small stand-ins for the Docker Hub images the course uses (alpine, nginx,
# registry, busybox) and push them into a local registry mirror under Docker Hub's names, so that
# `docker pull nginx:alpine` works offline on an engine started with --registry-mirror.
#
# Usage: DOCKER_HOST=unix:///path/docker.sock scripts/fixtures.sh [MIRROR]    (MIRROR: 127.0.0.1:5001)
#
# Every stand-in carries the label org.tp7-lab.standin=true. A name whose image lacks that label
# (a real image, locally or in the mirror) is skipped: on a user's machine the real images win.
# The engine ends with none of the images built here (the student starts with no images).
#
# alpine and nginx:alpine are multi-platform, as on Docker Hub today: OCI indexes (linux/amd64, linux/arm64/v8,
# linux/arm/v7, each with BuildKit's attestation manifest, platform unknown/unknown); their arm children hold
# Debian's real arm64 and armhf static busybox, downloaded once into TP7_CACHE_DIR (default /var/cache/tp7-lab
# as root, else ~/.cache/tp7-lab). Without them (no apt-get, no network) those two stay single-platform, and
# exercise 7 cannot be done. The other stand-ins are single-platform Docker schema2 images, as older tags are.
set -euo pipefail

case ${1:-} in -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
mirror=${1:-127.0.0.1:5001}
# shellcheck source=scripts/lib/engine.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/engine.sh"
label=org.tp7-lab.standin
export DOCKER_BUILDKIT=0 # no BuildKit on the 20.10 engine: the legacy builder is the one here
work=$(mktemp -d /tmp/tp7-fixtures.XXXXXX)
trap 'rm -rf "$work"' EXIT
built=() # image IDs built here, removed at the end

say() { printf 'fixtures: %s\n' "$*" >&2; }

# Label value of a local image, empty when it has none; fails when there is no such image.
local_label() { docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null; }

# The manifest REPO:REFERENCE of the mirror, asked with every manifest type.
manifest_json() {
  curl -fsS "http://$mirror/v2/$1/manifests/$2" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' 2>/dev/null
}

# The stand-in label of the image manifest MANIFEST (JSON) of REPO; empty when it has none.
image_label() {
  local config
  config=$(jq -r '.config.digest // empty' <<<"$2")
  [[ -n $config ]] || return 0
  curl -fsS "http://$mirror/v2/$1/blobs/$config" | jq -r ".config.Labels[\"$label\"] // empty"
}

# Label value of library/NAME:TAG in the mirror; "absent" when the mirror does not have it. A
# multi-platform list is a stand-in only when every one of its children is.
mirror_label() {
  local repo=library/${1%%:*} tag=${1#*:} manifest child value
  manifest=$(manifest_json "$repo" "$tag") || { echo absent; return; }
  if ! jq -e '.manifests' >/dev/null <<<"$manifest"; then image_label "$repo" "$manifest"; return; fi
  for child in $(jq -r '.manifests[].digest' <<<"$manifest"); do
    value=$(image_label "$repo" "$(manifest_json "$repo" "$child")")
    [[ $value == true ]] || { echo "$value"; return; }
  done
  echo true
}

# True when library/NAME may be (re)written in the mirror: no real image holds that name, locally or there.
replaceable() {
  local name=$1 ref=$mirror/library/$1 value
  if value=$(local_label "$name") && [[ $value != true ]]; then
    say "skip $name: a local $name is not a stand-in (the real image wins)"; return 1
  fi
  if value=$(local_label "$ref") && [[ $value != true ]]; then
    say "skip $name: local $ref is not a stand-in"; return 1
  fi
  value=$(mirror_label "$name")
  if [[ $value != absent && $value != true ]]; then
    say "skip $name: the mirror already holds a real $name"; return 1
  fi
}

# Tag image ID as MIRROR/library/NAME:TAG and push it, unless a real image holds that name.
publish() {
  local id=$1 name ref
  shift
  for name in "$@"; do
    ref=$mirror/library/$name
    replaceable "$name" || continue
    docker tag "$id" "$ref"
    docker push -q "$ref" >/dev/null
    echo "$ref" >>"$work/pushed" # publish runs in the background: share the list through a file
  done
}

# Docker's own arch names for the Debian architectures of the foreign busybox, and their platforms.
declare -A platform_of=([amd64]=linux/amd64 [arm64]=linux/arm64 [armhf]=linux/arm/v7)

# Publishes MIRROR/library/NAME for each NAME as a list of the per-platform images ARCH=ID,... (the first
# argument), unless a real image holds the name. The children are pushed to MIRROR/tp7-standins/REPO:ARCH
# first (docker manifest create reads them from a registry); `docker manifest push` copies them over.
publish_list() {
  local children=$1 name ref pair arch id staged
  shift
  local -a refs=()
  local repo=${1%%:*}
  for pair in ${children//,/ }; do
    arch=${pair%%=*} id=${pair#*=}
    staged=$mirror/tp7-standins/$repo:$arch
    docker tag "$id" "$staged"
    docker push -q "$staged" >/dev/null
    echo "$staged" >>"$work/pushed"
    refs+=("$staged")
  done
  for name in "$@"; do
    ref=$mirror/library/$name
    replaceable "$name" || continue
    # The manifest commands keep lists under $DOCKER_CONFIG/manifests: a throwaway one, not the user's.
    DOCKER_CONFIG=$work/docker-config docker manifest create --insecure "$ref" "${refs[@]}" >/dev/null
    # Docker Hub's lists say arm64/v8 and arm/v7. The config of a linux/arm64 build names no variant, and the
    # containerd image store's legacy builder drops the v7 of linux/arm/v7: both are written here.
    DOCKER_CONFIG=$work/docker-config docker manifest annotate --variant v8 "$ref" "$mirror/tp7-standins/$repo:arm64"
    DOCKER_CONFIG=$work/docker-config docker manifest annotate --variant v7 "$ref" "$mirror/tp7-standins/$repo:armhf"
    DOCKER_CONFIG=$work/docker-config docker manifest push --insecure --purge "$ref" >/dev/null
    to_oci_index "$name"
  done
}

# --- Docker Hub as it serves official images today: OCI indexes with BuildKit's attestations ---------------

# Uploads the bytes of FILE as a blob of REPO (one monolithic upload); prints its digest.
put_blob() {
  local repo=$1 file=$2 digest location
  digest=sha256:$(sha256sum "$file" | cut -d' ' -f1)
  location=$(curl -fsS -X POST -D - -o /dev/null "http://$mirror/v2/$repo/blobs/uploads/" | tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
  [[ $location == http* ]] || location=http://$mirror$location
  curl -fsS -X PUT -o /dev/null -H 'Content-Type: application/octet-stream' --data-binary "@$file" "$location&digest=$digest"
  echo "$digest"
}

# Stores the manifest FILE of media type TYPE under REFERENCE (a tag, or its own digest) in REPO.
put_manifest() {
  curl -fsS -X PUT -o /dev/null -H "Content-Type: $3" --data-binary "@$4" "http://$mirror/v2/$1/manifests/$2"
}

# Rewrites library/NAME:TAG (a Docker manifest list, as `docker manifest push` writes it) the way Docker Hub
# serves official images built by BuildKit: an OCI index of OCI manifests (same config and layer blobs), each
# platform followed by its attestation manifest (platform unknown/unknown, an in-toto provenance statement).
# What students meet: `docker manifest inspect` lists unknown/unknown entries, and a containerd store pushes the
# OCI manifest as it is (the schema2 Accept header of the course then finds nothing).
to_oci_index() {
  local repo=library/${1%%:*} tag=${1#*:} dir=$work/oci-${1//[:\/]/-} list child manifest digest size entries=()
  mkdir -p "$dir"
  list=$(manifest_json "$repo" "$tag")
  for child in $(jq -r '.manifests[].digest' <<<"$list"); do
    manifest_json "$repo" "$child" | jq -c '.mediaType = "application/vnd.oci.image.manifest.v1+json"
      | .config.mediaType = "application/vnd.oci.image.config.v1+json"
      | .layers |= map(.mediaType = "application/vnd.oci.image.layer.v1.tar+gzip")' | tr -d '\n' >"$dir/m"
    digest=sha256:$(sha256sum "$dir/m" | cut -d' ' -f1) size=$(stat -c %s "$dir/m")
    put_manifest "$repo" "$digest" application/vnd.oci.image.manifest.v1+json "$dir/m"
    entries+=("$(jq -c --arg d "$digest" --argjson s "$size" --arg child "$child" \
      '.manifests[] | select(.digest == $child) | {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s, platform}' <<<"$list")")
    # Its attestation: an OCI manifest whose one layer is an in-toto statement about that platform's manifest.
    printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","subject":[{"name":"pkg:docker/%s@%s","digest":{"sha256":"%s"}}],"predicate":{"builder":{"id":"tp7-lab stand-in"}}}' \
      "$repo" "$tag" "${digest#sha256:}" >"$dir/statement"
    printf '{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
      "$(sha256sum "$dir/statement" | cut -d' ' -f1)" >"$dir/config"
    jq -cn --arg c "$(put_blob "$repo" "$dir/config")" --argjson cs "$(stat -c %s "$dir/config")" \
      --arg l "$(put_blob "$repo" "$dir/statement")" --argjson ls "$(stat -c %s "$dir/statement")" \
      '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
        layers: [{mediaType: "application/vnd.in-toto+json", digest: $l, size: $ls,
          annotations: {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}]}' | tr -d '\n' >"$dir/a"
    put_manifest "$repo" "sha256:$(sha256sum "$dir/a" | cut -d' ' -f1)" application/vnd.oci.image.manifest.v1+json "$dir/a"
    entries+=("$(jq -cn --arg d "sha256:$(sha256sum "$dir/a" | cut -d' ' -f1)" --argjson s "$(stat -c %s "$dir/a")" --arg ref "$digest" \
      '{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s, platform: {architecture: "unknown", os: "unknown"},
        annotations: {"vnd.docker.reference.digest": $ref, "vnd.docker.reference.type": "attestation-manifest"}}')")
  done
  printf '%s\n' "${entries[@]}" | jq -cs '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: .}' | tr -d '\n' >"$dir/index"
  put_manifest "$repo" "$tag" application/vnd.oci.image.index.v1+json "$dir/index"
}

# docker build -q [--build-arg ...], prints the image ID; the legacy builder's deprecation notice is kept out of sight.
build() {
  local dir=$1 base=$2
  shift 2
  docker build -q --build-arg "BASE=$base" "$@" "$dir" 2>"$work/build.err" ||
    { cat "$work/build.err" >&2; say "build of $dir failed"; return 1; }
}

# A root filesystem in DIR around the static busybox BUSYBOX: one symlink per applet of the host's busybox
# (Debian's foreign busybox-static is the same version), a minimal passwd and group.
make_rootfs() {
  local dir=$1 busybox=$2
  mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,var/log,var/tmp,run} "$dir/tmp"
  chmod 1777 "$dir/tmp" "$dir/var/tmp"
  cp "$busybox" "$dir/bin/busybox"
  (cd "$dir" && /bin/busybox --list-full | grep / | grep -vx bin/busybox | xargs -I{} ln -s /bin/busybox {})
  printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n' >"$dir/etc/group"
}

tar_of() { tar --numeric-owner --owner=0 --group=0 -C "$1" -cf - .; }

# --- base: a static busybox with a symlink for every applet, imported as one layer ---------------
root=$work/rootfs
make_rootfs "$root" /bin/busybox
base=$(tar_of "$root" |
  docker import --change "LABEL $label=true" --change 'CMD ["sh"]' \
    -m 'tp7-lab stand-in: static busybox rootfs' -)
built+=("$base")

# --- Debian's arm64 and armhf static busybox, downloaded once (a private apt state: the machine's
# architecture list and package lists are left alone) --------------------------------------------
cache=$(tp7_cache_dir)
debs=$cache/debs

# Prints nothing; fails (one line said) when a .deb is missing and cannot be downloaded.
fetch_foreign_busybox() {
  local apt=$work/apt uri arch
  local -a options
  [[ -n $(find "$debs" -name 'busybox-static_*_arm64.deb' 2>/dev/null) && -n $(find "$debs" -name 'busybox-static_*_armhf.deb' 2>/dev/null) ]] && return 0
  command -v apt-get >/dev/null || { say "no apt-get: cannot download the arm64/armhf busybox"; return 1; }
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null) || true
  uri=${uri:-http://deb.debian.org/debian}
  mkdir -p "$apt/lists/partial" "$debs"
  echo "deb $uri bookworm main" >"$apt/sources.list"
  options=(-o APT::Architectures::=amd64 -o APT::Architectures::=arm64 -o APT::Architectures::=armhf
    -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt/lists"
    -o Dir::Cache="$apt/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  say "downloading Debian's arm64 and armhf busybox-static into $debs (once) ..."
  apt-get "${options[@]}" -qq update >/dev/null 2>"$work/apt.err" &&
    (cd "$debs" && for arch in arm64 armhf; do apt-get "${options[@]}" -qq download "busybox-static:$arch"; done) >/dev/null 2>>"$work/apt.err" ||
    { say "download failed: $(grep -m1 . "$work/apt.err")"; return 1; }
}

# Extracts the busybox of each foreign .deb: $work/foreign/ARCH/busybox.
if fetch_foreign_busybox; then
  multiarch=1
  for arch in arm64 armhf; do
    mkdir -p "$work/foreign/$arch"
    dpkg-deb -x "$(find "$debs" -name "busybox-static_*_$arch.deb" | sort | tail -n 1)" "$work/foreign/$arch/deb"
    cp "$work/foreign/$arch/deb/bin/busybox" "$work/foreign/$arch/busybox"
  done
else
  multiarch=0
  say "alpine and nginx:alpine stay single-platform (linux/amd64): exercise 7 cannot be done with this mirror"
fi

# --- alpine:3.19 = alpine:latest: the busybox base that says it is a stand-in alpine --------------
mkdir -p "$work/alpine"
cat >"$work/alpine/os-release" <<'EOF'
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19 (tp7-lab stand-in: busybox only, no apk)"
HOME_URL="https://alpinelinux.org/"
EOF
echo 3.19.1 >"$work/alpine/alpine-release"
cat >"$work/alpine/Dockerfile" <<EOF
ARG BASE
FROM \${BASE}
LABEL $label=true org.opencontainers.image.description="tp7-lab stand-in for alpine (static busybox, no apk)"
COPY os-release alpine-release /etc/
CMD ["/bin/sh"]
EOF
alpine=$(build "$work/alpine" "$base")
built+=("$alpine")

# --- a "Debian" base for nginx:latest: ~20 MB of incompressible padding, as the real one is big ----
mkdir -p "$work/debian"
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm) (tp7-lab stand-in: busybox)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' >"$work/debian/os-release"
echo 12.5 >"$work/debian/debian_version"
head -c 20M /dev/urandom >"$work/debian/standin-padding.bin"
cat >"$work/debian/Dockerfile" <<EOF
ARG BASE
FROM \${BASE}
LABEL $label=true
COPY os-release debian_version /etc/
COPY standin-padding.bin /usr/lib/x86_64-linux-gnu/standin-padding.bin
EOF
debian=$(build "$work/debian" "$base")
built+=("$debian")

# --- nginx: busybox httpd behind an nginx-looking command, same Dockerfile on both bases -----------
mkdir -p "$work/nginx/html"
cat >"$work/nginx/html/index.html" <<'EOF'
<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working.</p>
<p><em>tp7-lab stand-in: busybox httpd serves /usr/share/nginx/html.</em></p>
</body>
</html>
EOF
printf '<!DOCTYPE html>\n<html><body><h1>An error occurred.</h1></body></html>\n' >"$work/nginx/html/50x.html"
cat >"$work/nginx/nginx" <<'EOF'
#!/bin/sh
# tp7-lab stand-in for nginx: busybox httpd serves /usr/share/nginx/html on port 80.
case "$1" in
  -v | -V) echo "nginx version: nginx/$NGINX_VERSION (tp7-lab stand-in: busybox httpd)" >&2; exit 0 ;;
  -t | -T) echo "nginx: configuration file /etc/nginx/nginx.conf test is successful (stand-in)" >&2; exit 0 ;;
  -s) case "$2" in stop | quit) kill -QUIT 1 ;; esac; exit 0 ;;
esac
httpd -f -v -p 80 -h /usr/share/nginx/html &
# As PID 1 a process ignores signals it does not handle: trap them so `docker stop` is immediate.
trap 'kill $! 2>/dev/null; exit 0' QUIT TERM INT
wait $!
EOF
chmod 755 "$work/nginx/nginx"
printf '# tp7-lab stand-in: busybox httpd does not read this file.\nevents {}\nhttp { server { listen 80; root /usr/share/nginx/html; } }\n' >"$work/nginx/nginx.conf"
cat >"$work/nginx/Dockerfile" <<EOF
ARG BASE
FROM \${BASE}
LABEL maintainer="tp7-lab stand-in, not the NGINX image" $label=true
# What the official images declare about themselves (the ex1 pull checks read it): the nginx version, and
# the package release, which names the Debian release on Debian-based variants (1~bookworm), not on Alpine (1).
ARG NGINX_VERSION
ARG PKG_RELEASE
ENV NGINX_VERSION=\${NGINX_VERSION} PKG_RELEASE=\${PKG_RELEASE}
RUN echo "nginx:x:101:101:nginx user:/var/cache/nginx:/sbin/nologin" >>/etc/passwd \\
 && echo "nginx:x:101:" >>/etc/group \\
 && mkdir -p /var/cache/nginx /var/log/nginx \\
 && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
COPY html/ /usr/share/nginx/html/
COPY nginx.conf /etc/nginx/nginx.conf
COPY nginx /usr/sbin/nginx
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
EOF
# Docker Hub as it was in March 2024: mainline 1.25.4 is latest, 1.25 and alpine; stable is 1.24.0 (nginx's
# stable line has an even minor number), a different image.
nginx_alpine=$(build "$work/nginx" "$alpine" --build-arg NGINX_VERSION=1.25.4 --build-arg PKG_RELEASE=1)
nginx_debian=$(build "$work/nginx" "$debian" --build-arg NGINX_VERSION=1.25.4 --build-arg PKG_RELEASE=1~bookworm)
nginx_stable=$(build "$work/nginx" "$debian" --build-arg NGINX_VERSION=1.24.0 --build-arg PKG_RELEASE=1~bookworm)
built+=("$nginx_alpine" "$nginx_debian" "$nginx_stable")

# --- alpine and nginx:alpine for linux/arm64 and linux/arm/v7: the same files around a foreign busybox.
# FROM scratch + ADD, with no RUN: the legacy builder stamps --platform in the config and needs no qemu.
build_for() {
  local platform=$1 dir=$2
  docker build -q --platform "$platform" "$dir" 2>"$work/build.err" ||
    { cat "$work/build.err" >&2; say "build of $dir for $platform failed"; return 1; }
}
alpine_children=amd64=$alpine
nginx_children=amd64=$nginx_alpine
for arch in $( ((multiarch)) && echo arm64 armhf); do
  dir=$work/alpine-$arch
  make_rootfs "$dir/rootfs" "$work/foreign/$arch/busybox"
  cp "$work/alpine/os-release" "$work/alpine/alpine-release" "$dir/rootfs/etc/"
  tar_of "$dir/rootfs" >"$dir/rootfs.tar" && rm -rf "$dir/rootfs"
  cat >"$dir/Dockerfile" <<EOF
FROM scratch
ADD rootfs.tar /
LABEL $label=true org.opencontainers.image.description="tp7-lab stand-in for alpine (static busybox, no apk)"
CMD ["/bin/sh"]
EOF
  id=$(build_for "${platform_of[$arch]}" "$dir")
  built+=("$id")
  alpine_children+=,$arch=$id

  # nginx: what the amd64 Dockerfile's RUN and COPY steps do, done here on the folder.
  dir=$work/nginx-$arch
  make_rootfs "$dir/rootfs" "$work/foreign/$arch/busybox"
  cp "$work/alpine/os-release" "$work/alpine/alpine-release" "$dir/rootfs/etc/"
  echo "nginx:x:101:101:nginx user:/var/cache/nginx:/sbin/nologin" >>"$dir/rootfs/etc/passwd"
  echo "nginx:x:101:" >>"$dir/rootfs/etc/group"
  mkdir -p "$dir/rootfs"/{var/cache/nginx,var/log/nginx,usr/share/nginx,etc/nginx}
  ln -s /dev/stdout "$dir/rootfs/var/log/nginx/access.log"
  ln -s /dev/stderr "$dir/rootfs/var/log/nginx/error.log"
  cp -r "$work/nginx/html" "$dir/rootfs/usr/share/nginx/html"
  cp "$work/nginx/nginx.conf" "$dir/rootfs/etc/nginx/nginx.conf"
  cp "$work/nginx/nginx" "$dir/rootfs/usr/sbin/nginx"
  tar_of "$dir/rootfs" >"$dir/rootfs.tar" && rm -rf "$dir/rootfs"
  cat >"$dir/Dockerfile" <<EOF
FROM scratch
ADD rootfs.tar /
LABEL maintainer="tp7-lab stand-in, not the NGINX image" $label=true
ENV NGINX_VERSION=1.25.4 PKG_RELEASE=1
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
EOF
  id=$(build_for "${platform_of[$arch]}" "$dir")
  built+=("$id")
  nginx_children+=,$arch=$id
done

# --- registry:2: the Debian distribution binary with the libraries ldd lists -------------------
mkdir -p "$work/registry/rootfs/bin" "$work/registry/rootfs/etc/docker/registry"
cp /usr/bin/docker-registry "$work/registry/rootfs/bin/registry"
for lib in $(ldd /usr/bin/docker-registry | grep -o '/[^ ]*'); do
  mkdir -p "$work/registry/rootfs$(dirname "$lib")"
  cp -L "$lib" "$work/registry/rootfs$lib"
done
# The upstream image's default config: no storage.delete (students enable it in exercise 4).
cat >"$work/registry/rootfs/etc/docker/registry/config.yml" <<'EOF'
version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
EOF
cat >"$work/registry/Dockerfile" <<EOF
ARG BASE
FROM \${BASE}
LABEL $label=true org.opencontainers.image.description="tp7-lab stand-in for registry:2 (Debian's distribution 2.8)"
COPY rootfs/ /
VOLUME ["/var/lib/registry"]
EXPOSE 5000
# Working directory / so the course's relative "bin/registry garbage-collect ..." works in docker exec.
WORKDIR /
ENTRYPOINT ["/bin/registry"]
CMD ["serve", "/etc/docker/registry/config.yml"]
EOF
registry=$(build "$work/registry" "$alpine")
built+=("$registry")

# --- push under Docker Hub's names (the mirror is asked for library/NAME), then drop local copies --
# In parallel: compressing the two 20 MB layers for the push is most of the time spent here.
pids=()
publish "$base" busybox:latest & pids+=($!)
if ((multiarch)); then
  publish_list "$alpine_children" alpine:3.19 alpine:latest & pids+=($!)
  publish_list "$nginx_children" nginx:alpine nginx:1.25-alpine & pids+=($!)
else
  publish "$alpine" alpine:3.19 alpine:latest & pids+=($!)
  publish "$nginx_alpine" nginx:alpine nginx:1.25-alpine & pids+=($!)
fi
publish "$nginx_debian" nginx:1.25 nginx:latest & pids+=($!)
publish "$nginx_stable" nginx:stable & pids+=($!)
publish "$registry" registry:2 registry:2.8 & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done
[[ -s $work/pushed ]] && xargs docker rmi <"$work/pushed" >/dev/null
# Children first; an ID already gone with its last tag is not an error.
for ((i = ${#built[@]} - 1; i >= 0; i--)); do
  docker rmi "${built[i]}" >/dev/null 2>&1 || true
done
# The containerd image store keeps the legacy builder's intermediate images, untagged: every one carries the
# stand-in label (inherited from the base), and nothing else does.
docker image prune -f --filter "label=$label=true" >/dev/null

say "mirror $mirror now holds:"
for repo in $(curl -fsS "http://$mirror/v2/_catalog" | jq -r '.repositories[]'); do
  printf '  %s: %s\n' "$repo" "$(curl -fsS "http://$mirror/v2/$repo/tags/list" | jq -r '.tags // [] | join(" ")')" >&2
done
