#!/usr/bin/env bash
# Reference solution of exercise 2 (TP7): what a student types, answers included.
# TP7 may be a multi-word command (e.g. "node /path/bin/tp7.js"): it is used unquoted on purpose.
set -euo pipefail

TP7=${TP7:-tp7}
WORKDIR=${TP7_WORKDIR:-$PWD}

answer() {
  # shellcheck disable=SC2086
  $TP7 answer --workdir "$WORKDIR" ex2 "$@"
}

# The container and the build folder are this script's own: removed however it ends.
container=custom-nginx
build_dir=
started=no
cleanup() {
  if [ "$started" = yes ]; then docker rm -f "$container" >/dev/null 2>&1 || true; fi
  if [ -n "$build_dir" ]; then rm -rf "$build_dir"; fi
}
trap cleanup EXIT

# 2.1 — four tags of our own on nginx:alpine, then ten more in a loop
docker pull nginx:alpine
for tag in v1 v2 v3 latest; do
  docker tag nginx:alpine "mon-nginx:$tag"
done
docker images --format "{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.Size}}" | grep nginx
docker system df
for i in $(seq 1 10); do
  docker tag nginx:alpine "mon-nginx:$i"
done
docker system df # same Images size: the new tags took no space

answer tag-copies b
# The four tags take the space of the one image they name: its SIZE as docker images shows it.
answer four-tags-disk "$(docker images --format '{{.Size}}' mon-nginx:v1)"
answer what-is-a-tag c
answer shared-id "$(docker images --format '{{.ID}}' mon-nginx:v1)"

# 2.2 — the same change made twice: by committing a container, then with a Dockerfile
started=yes
docker run -d --name "$container" nginx:alpine
docker exec "$container" sh -c 'echo "<h1>TP7: commit</h1>" > /usr/share/nginx/html/index.html'
docker commit "$container" mon-nginx:commit
docker rm -f "$container"
started=no

build_dir=$(mktemp -d "$WORKDIR/ex2-build.XXXXXX")
cat >"$build_dir/Dockerfile" <<'DOCKERFILE'
FROM nginx:alpine
RUN echo "<h1>TP7: Dockerfile</h1>" > /usr/share/nginx/html/index.html
DOCKERFILE
docker build -t mon-nginx:dockerfile "$build_dir"

docker history mon-nginx:commit
docker history mon-nginx:dockerfile

answer why-not-commit a,b,c
