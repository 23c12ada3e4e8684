#!/usr/bin/env bash
# Reference solution of exercise 6 (TP7): what a student types, answers included.
# TP7 may be a multi-word command (e.g. "node /path/bin/tp7.js"): it is used unquoted on purpose.
set -euo pipefail

TP7=${TP7:-tp7}
WORKDIR=${TP7_WORKDIR:-$PWD}
cd "$WORKDIR"

answer() {
  # shellcheck disable=SC2086
  $TP7 answer --workdir "$WORKDIR" ex6 "$@"
}

# shellcheck disable=SC2086
$TP7 setup --workdir "$WORKDIR" ex6

# 6.1 — identify the waste
docker system df
docker system df -v
docker images -f dangling=true
docker images -a

cat >unused-images.sh <<'SCRIPT'
#!/bin/bash
# unused-images.sh — the tagged images no container uses (stopped containers count: docker ps -a).
docker images --filter "dangling=false" --format "{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.CreatedAt}}" |
  while read -r line; do
    id=$(echo "$line" | awk '{print $2}')
    used=$(docker ps -a --filter "ancestor=$id" -q)
    if [ -z "$used" ]; then
      echo "Non utilisée: $line"
    fi
  done
SCRIPT
chmod +x unused-images.sh
./unused-images.sh

answer dangling-count "$(docker images -f dangling=true -q | wc -l)"
answer unused-images "$(./unused-images.sh | grep -o 'tp7-ex6-[a-z]*:[0-9.]*' | tr '\n' ' ')"
answer reclaimable-space "$(docker system df --format '{{.Type}}|{{.Reclaimable}}' | awk -F'|' '$1 == "Images" {print $2}')"

# 6.2 — the cleanup strategy
cat >cleanup-strategy.sh <<'SCRIPT'
#!/bin/bash
# cleanup-strategy.sh — five levels of cleanup, from the safest to the most drastic.

cleanup_light() {
    echo "=== Nettoyage léger ==="
    docker image prune -f                                  # dangling images only
}

cleanup_medium() {
    echo "=== Nettoyage moyen ==="
    docker image prune -a --filter "until=24h" -f         # unused, created more than 24 h ago
}

cleanup_aggressive() {
    echo "=== Nettoyage agressif ==="
    docker image prune -a -f                               # every unused image
}

cleanup_nuclear() {
    echo "=== Nettoyage complet (ATTENTION !) ==="
    docker system prune -a --volumes -f                    # containers, images, volumes, networks, cache
}

cleanup_smart() {
    echo "=== Nettoyage intelligent ==="
    echo "1. Images dangling..."
    docker image prune -f
    echo "2. Images inutilisées de plus de 30 jours..."
    docker image prune -a --filter "until=720h" -f
    echo "3. Cache de build de plus de 7 jours..."
    docker builder prune --filter "until=168h" -f
    echo
    echo "=== Espace après nettoyage ==="
    docker system df
}

usage() {
    echo "Usage: $0 {light|medium|aggressive|nuclear|smart}"
    echo "  light      - images dangling uniquement"
    echo "  medium     - images inutilisées créées il y a plus de 24 h"
    echo "  aggressive - toutes les images inutilisées"
    echo "  nuclear    - TOUT (conteneurs arrêtés, images, volumes, réseaux, cache)"
    echo "  smart      - dangling, images de plus de 30 jours, cache de plus de 7 jours"
}

case ${1:-} in
    light) cleanup_light ;;
    medium) cleanup_medium ;;
    aggressive) cleanup_aggressive ;;
    nuclear) cleanup_nuclear ;;
    smart) cleanup_smart ;;
    *) usage >&2; exit 1 ;;
esac
SCRIPT
chmod +x cleanup-strategy.sh

# The only mode that is safe to run for real: it removes dangling images, nothing with a name.
./cleanup-strategy.sh light
docker images

answer medium-until b
answer nuclear-removes a,c,d,e
answer shared-machine a
