#!/usr/bin/env bash
# Reference solution of exercise 7 (TP7): read a multi-platform list, pull another platform's image, then
# publish localhost:5000/myapp:multiarch for amd64, arm64 and arm/v7: with the course's buildx command on a
# containerd image store, by hand elsewhere (docker build --pull --platform, docker manifest create/annotate/push),
# answers included. Building the arm images needs qemu emulation.
# TP7 may be a multi-word command (e.g. "node /path/bin/tp7.js"): it is used unquoted on purpose.
set -euo pipefail

TP7=${TP7:-tp7}
WORKDIR=${TP7_WORKDIR:-$PWD}
REGISTRY=${TP7_REGISTRY:-localhost:5000}

answer() {
  # shellcheck disable=SC2086
  $TP7 answer --workdir "$WORKDIR" --registry "$REGISTRY" ex7 "$@"
}

cd "$WORKDIR"

# --- 7.1 The list of nginx:alpine --------------------------------------------------------------
# docker manifest ignores the daemon's mirrors: ask the mirror itself when there is one, else Docker Hub.
mirror=$(docker info --format '{{range .RegistryConfig.Mirrors}}{{.}} {{end}}' | awk '{ print $1 }' | sed -E 's#^https?://##; s#/+$##')
if [ -n "$mirror" ]; then
  list=$(docker manifest inspect --insecure "$mirror/library/nginx:alpine")
else
  list=$(docker manifest inspect nginx:alpine)
fi
platforms=$(jq -r '[.manifests[].platform | select(.os != "unknown")
  | [.os, .architecture, .variant] | map(select(. != null)) | join("/")] | join(",")' <<<"$list")
arm64=$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' <<<"$list")
answer platforms "$platforms"
answer arm64-digest "$arm64"

docker pull --platform linux/arm64 nginx:alpine
answer local-architecture "$(docker inspect --format '{{.Architecture}}' nginx:alpine)"
docker run --rm --platform linux/arm64 nginx:alpine uname -m
# Back to the engine's own image under the tag (the arm64 one stays, untagged).
docker pull nginx:alpine
answer manifest-offline a

# --- 7.2 localhost:5000/myapp:multiarch --------------------------------------------------------
if ! curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null; then
  docker run -d -p 5000:5000 --name registry registry:2
  for _ in $(seq 50); do curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null && break; sleep 0.2; done
fi

mkdir -p myapp
cat >myapp/Dockerfile <<'DOCKERFILE'
FROM alpine:latest
RUN echo "Multi-arch image, built on $(uname -m)" > /built-on.txt
# The shell form (or sh -c) expands $(uname -m) when the container starts.
CMD ["sh", "-c", "echo Hello from $(uname -m)"]
DOCKERFILE

# The course's way, `docker buildx build --platform ... --push`, needs an engine that stores multi-platform images:
# the containerd image store (Engine 29 and Docker Desktop by default). The classic store builds one platform at a
# time: each image is built and pushed, then the list is made of them with docker manifest.
store=$(docker info --format '{{range .DriverStatus}}{{index . 1}} {{end}}')
if [[ $store == *io.containerd.snapshotter.v1* ]] && docker buildx version >/dev/null 2>&1; then
  docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t "$REGISTRY/myapp:multiarch" --push myapp
else
  images=()
  for platform in linux/amd64 linux/arm64 linux/arm/v7; do
    tag=$(echo "${platform#linux/}" | tr -d /)
    # --pull: without it the legacy builder reuses the local alpine, whatever its architecture.
    DOCKER_BUILDKIT=0 docker build --pull --platform "$platform" -t "$REGISTRY/myapp:$tag" myapp
    docker push "$REGISTRY/myapp:$tag"
    images+=("$REGISTRY/myapp:$tag")
  done
  # A list left by an earlier run would be reused as it was: start from none.
  docker manifest rm "$REGISTRY/myapp:multiarch" 2>/dev/null || true
  docker manifest create --insecure "$REGISTRY/myapp:multiarch" "${images[@]}"
  docker manifest annotate --variant v8 "$REGISTRY/myapp:multiarch" "$REGISTRY/myapp:arm64"
  docker manifest push --insecure --purge "$REGISTRY/myapp:multiarch"
fi
docker manifest inspect --insecure "$REGISTRY/myapp:multiarch"
docker run --rm --platform linux/arm/v7 "$REGISTRY/myapp:multiarch" # Hello from armv7l

answer exec-form a,b
answer pull-without-platform a
