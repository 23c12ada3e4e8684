#!/usr/bin/env bash
# Reference solution of exercise 4 (TP7): the course's commands, answers included.
# TP7 may be a multi-word command (e.g. "node /path/bin/tp7.js"): it is used unquoted on purpose.
#
# Docker Hub (4.1) needs an account: set HUB_USER and DOCKER_HUB_TOKEN (an access token) to run the push;
# without a token only the local tags are made, and tp7 skips the Docker Hub checks it cannot make.
set -euo pipefail

TP7=${TP7:-tp7}
WORKDIR=${TP7_WORKDIR:-$PWD}
REGISTRY=${TP7_REGISTRY:-localhost:5000}
HUB_USER=${HUB_USER:-tp7student}
API="http://$REGISTRY/v2"
SCHEMA2="application/vnd.docker.distribution.manifest.v2+json"
OCI="application/vnd.oci.image.manifest.v1+json"

answer() {
  # shellcheck disable=SC2086
  $TP7 answer --workdir "$WORKDIR" --registry "$REGISTRY" ex4 "$@"
}

# Waits until the registry answers /v2/ (it takes a moment to start).
wait_registry() {
  for _ in $(seq 50); do
    curl -fsS -o /dev/null "$API/" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "the registry at $REGISTRY does not answer" >&2
  return 1
}

# The digest of repo:tag as the registry gives it. The course's Accept header names the Docker schema2 type; an
# engine with the containerd image store pushes OCI manifests as they were pulled, which the registry only
# serves to a client that accepts their type: both are announced.
digest_of() {
  curl -fsSI -H "Accept: $SCHEMA2" -H "Accept: $OCI" "$API/$1/manifests/$2" |
    awk 'tolower($1) == "docker-content-digest:" { print $2 }' | tr -d '\r'
}

cd "$WORKDIR"

# --- 4.1 Docker Hub ---------------------------------------------------------------------------
docker pull nginx:alpine
for tag in v1.0 v1.0.1 latest stable; do
  docker tag nginx:alpine "$HUB_USER/mon-nginx:$tag"
done
if [ -n "${DOCKER_HUB_TOKEN:-}" ]; then
  # The token goes through stdin: it never shows in `ps` or the shell history.
  printf '%s' "$DOCKER_HUB_TOKEN" | docker login -u "$HUB_USER" --password-stdin
  for tag in v1.0 v1.0.1 latest stable; do
    docker push "$HUB_USER/mon-nginx:$tag"
  done
  # Make the repository public on hub.docker.com (a web page step), then pull one tag back.
  docker rmi "$HUB_USER/mon-nginx:v1.0"
  docker pull "$HUB_USER/mon-nginx:v1.0"
else
  echo "DOCKER_HUB_TOKEN is not set: the Docker Hub login and push are left out" >&2
fi
answer access-token a

# --- 4.2 A production-ready private registry --------------------------------------------------
cat >config.yml <<'YAML'
version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
YAML
# A basic registry from an earlier try would hold the name and the port.
if docker container inspect registry >/dev/null 2>&1; then docker rm -f registry; fi
docker run -d \
  -p "${REGISTRY##*:}:5000" \
  --name registry \
  --restart=always \
  -v registry-data:/var/lib/registry \
  -v "$(pwd)/config.yml:/etc/docker/registry/config.yml:ro" \
  -e REGISTRY_HTTP_SECRET="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
  registry:2
wait_registry
curl -si "$API/" | grep -i x-content-type-options
answer registry-options a,b,c,d

# --- 4.3 The registry's HTTP API --------------------------------------------------------------
docker pull nginx:1.25
docker pull alpine:3.19
docker tag nginx:alpine "$REGISTRY/nginx:alpine"
docker tag nginx:alpine "$REGISTRY/nginx:1.0"
docker tag nginx:1.25 "$REGISTRY/nginx:old"
docker tag alpine:3.19 "$REGISTRY/alpine:3.19"
for ref in nginx:alpine nginx:1.0 nginx:old alpine:3.19; do
  docker push "$REGISTRY/$ref"
done

curl -s "$API/_catalog"
curl -s "$API/nginx/tags/list"
curl -s -H "Accept: $SCHEMA2" -H "Accept: $OCI" "$API/nginx/manifests/alpine" | jq .config
answer nginx-alpine-digest "$(digest_of nginx alpine)"

# Delete nginx:old by its digest, then free the disk and restart the registry (its blob cache).
old=$(digest_of nginx old)
curl -fsS -X DELETE "$API/nginx/manifests/$old"
curl -s "$API/nginx/tags/list"
docker exec registry du -sh /var/lib/registry
docker exec registry bin/registry garbage-collect /etc/docker/registry/config.yml
docker restart registry
wait_registry
docker exec registry du -sh /var/lib/registry
answer delete-frees-nothing a

cat >registry-maintenance.sh <<'SCRIPT'
#!/bin/bash
# registry-maintenance.sh - every repository, tag and creation date of a registry.
set -euo pipefail

REGISTRY="${REGISTRY:-localhost:5000}"
API="http://$REGISTRY/v2"
# Without these types, registry 2.8 rewrites manifests to the old schema1 format.
ACCEPT=(-H "Accept: application/vnd.docker.distribution.manifest.v2+json"
  -H "Accept: application/vnd.oci.image.manifest.v1+json"
  -H "Accept: application/vnd.docker.distribution.manifest.list.v2+json"
  -H "Accept: application/vnd.oci.image.index.v1+json")

# Every repository, page after page: the Link header names the next page.
repositories() {
  local page="/v2/_catalog?n=100" headers
  headers=$(mktemp)
  while [ -n "$page" ]; do
    curl -fsS -D "$headers" "http://$REGISTRY$page" | jq -r '.repositories[]'
    page=$(tr -d '\r' <"$headers" | sed -n 's/^[Ll]ink: *<\([^>]*\)>.*/\1/p')
  done
  rm -f "$headers"
}

# The creation date of an image: the "created" field of its configuration blob.
created() {
  local manifest child config
  manifest=$(curl -fsS "${ACCEPT[@]}" "$API/$1/manifests/$2")
  # A multi-platform list: read the manifest of its first platform.
  child=$(jq -r '.manifests[0].digest // empty' <<<"$manifest")
  if [ -n "$child" ]; then
    manifest=$(curl -fsS "${ACCEPT[@]}" "$API/$1/manifests/$child")
  fi
  config=$(jq -r '.config.digest' <<<"$manifest")
  curl -fsSL "$API/$1/blobs/$config" | jq -r '.created'
}

echo "=== Images dans le registre $REGISTRY ==="
for repo in $(repositories); do
  echo ""
  echo "Repository: $repo"
  # "tags" is null once every tag of a repository was deleted.
  tags=$(curl -fsS "$API/$repo/tags/list" | jq -r '.tags // [] | .[]')
  if [ -z "$tags" ]; then
    echo "  (aucun tag)"
  fi
  for tag in $tags; do
    echo "  - $tag (created: $(created "$repo" "$tag"))"
  done
done
SCRIPT
chmod +x registry-maintenance.sh
REGISTRY=$REGISTRY ./registry-maintenance.sh
