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
set -euo pipefail

case ${1:-} in -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
mirror=${1:-127.0.0.1:5001}
label=org.tp7-lab.standin
export DOCKER_BUILDKIT=0 # no BuildKit on the 20.10 engine: the legacy builder is the one here
work=$(mktemp -d /tmp/tp7-fixtures.XXXXXX)
trap 'rm -rf "$work"' EXIT
built=() # image IDs built here, removed at the end

say() { printf 'fixtures: %s\n' "$*" >&2; }

# Label value of a local image, empty when it has none; fails when there is no such image.
local_label() { docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null; }

# Label value of library/NAME:TAG in the mirror; "absent" when the mirror does not have it.
mirror_label() {
  local repo=${1%%:*} tag=${1#*:} manifest config
  manifest=$(curl -fsS "http://$mirror/v2/library/$repo/manifests/$tag" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' 2>/dev/null) || { echo absent; return; }
  # A multi-platform list is a real image: the stand-ins are single-platform manifests.
  config=$(jq -r '.config.digest // empty' <<<"$manifest")
  [[ -n $config ]] || { echo; return; }
  curl -fsS "http://$mirror/v2/library/$repo/blobs/$config" | jq -r ".config.Labels[\"$label\"] // empty"
}

# Tag image ID as MIRROR/library/NAME:TAG and push it, unless a real image holds that name.
publish() {
  local id=$1 name ref value
  shift
  for name in "$@"; do
    ref=$mirror/library/$name
    if value=$(local_label "$name") && [[ $value != true ]]; then
      say "skip $name: a local $name is not a stand-in (the real image wins)"; continue
    fi
    if value=$(local_label "$ref") && [[ $value != true ]]; then
      say "skip $name: local $ref is not a stand-in"; continue
    fi
    value=$(mirror_label "$name")
    if [[ $value != absent && $value != true ]]; then
      say "skip $name: the mirror already holds a real $name"; continue
    fi
    docker tag "$id" "$ref"
    docker push -q "$ref" >/dev/null
    echo "$ref" >>"$work/pushed" # publish runs in the background: share the list through a file
  done
}

# docker build -q [--build-arg ...], prints the image ID; the legacy builder's deprecation notice is kept out of sight.
build() {
  local dir=$1 base=$2
  shift 2
  docker build -q --build-arg "BASE=$base" "$@" "$dir" 2>"$work/build.err" ||
    { cat "$work/build.err" >&2; say "build of $dir failed"; return 1; }
}

# --- base: a static busybox with a symlink for every applet, imported as one layer ---------------
root=$work/rootfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,var/log,var/tmp,run} "$root/tmp"
chmod 1777 "$root/tmp" "$root/var/tmp"
cp /bin/busybox "$root/bin/busybox"
(cd "$root" && /bin/busybox --list-full | grep / | grep -vx bin/busybox | xargs -I{} ln -s /bin/busybox {})
printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n' >"$root/etc/group"
base=$(tar --numeric-owner --owner=0 --group=0 -C "$root" -cf - . |
  docker import --change "LABEL $label=true" --change 'CMD ["sh"]' \
    -m 'tp7-lab stand-in: static busybox rootfs' -)
built+=("$base")

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
publish "$alpine" alpine:3.19 alpine:latest & pids+=($!)
publish "$nginx_alpine" nginx:alpine nginx:1.25-alpine & pids+=($!)
publish "$nginx_debian" nginx:1.25 nginx:latest & pids+=($!)
publish "$nginx_stable" nginx:stable & pids+=($!)
publish "$registry" registry:2 registry:2.8 & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done
[[ -s $work/pushed ]] && xargs docker rmi <"$work/pushed" >/dev/null
# Children first; an ID already gone with its last tag is not an error.
for ((i = ${#built[@]} - 1; i >= 0; i--)); do
  docker rmi "${built[i]}" >/dev/null 2>&1 || true
done

say "mirror $mirror now holds:"
for repo in $(curl -fsS "http://$mirror/v2/_catalog" | jq -r '.repositories[]'); do
  printf '  %s: %s\n' "$repo" "$(curl -fsS "http://$mirror/v2/$repo/tags/list" | jq -r '.tags // [] | join(" ")')" >&2
done
