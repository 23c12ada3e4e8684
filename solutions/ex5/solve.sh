#!/usr/bin/env bash
# Reference solution of exercise 5 (TP7): what a student types, answers included.
# TP7 may be a multi-word command (e.g. "node /path/bin/tp7.js"): it is used unquoted on purpose.
set -euo pipefail

TP7=${TP7:-tp7}
WORKDIR=${TP7_WORKDIR:-$PWD}
cd "$WORKDIR"

answer() {
  # shellcheck disable=SC2086
  $TP7 answer --workdir "$WORKDIR" ex5 "$@"
}

# 5.1 — the layers of nginx:alpine
docker pull nginx:alpine
docker history nginx:alpine --no-trunc
docker history nginx:alpine --format "table {{.CreatedBy}}\t{{.Size}}"
docker history nginx:alpine --format "{{.Size}}\t{{.CreatedBy}}" | sort -h | tail -5

# Look inside the saved image, in a folder of its own; manifest.json says where each layer is.
rm -rf nginx-save && mkdir nginx-save
docker save nginx:alpine | tar -x -C nginx-save
cat nginx-save/manifest.json
first_layer=$(sed -E 's/.*"Layers":\["([^"]+)".*/\1/' nginx-save/manifest.json)
tar -tvf "nginx-save/$first_layer" | head -20 || true # head may close the pipe early
docker history nginx:alpine --format "{{.CreatedBy}}" | grep -c "ADD\|COPY" || true

answer filesystem-layers "$(docker inspect --format '{{len .RootFS.Layers}}' nginx:alpine)"
answer metadata-steps "$(docker history nginx:alpine --format '{{.Size}}' | grep -c '^0B$')"
# The largest step, sizes in bytes (-s keeps the newest-first order among equals: tail takes the oldest).
largest=$(docker history nginx:alpine --human=false --no-trunc --format '{{.Size}}	{{.CreatedBy}}' | sort -s -n -k1,1 | tail -1 | cut -f2-)
case "$largest" in
  "") keyword=IMPORT ;; # docker import leaves CREATED BY empty
  *"#(nop)"*) keyword=$(sed -E 's/.*#\(nop\) +([A-Z]+).*/\1/' <<<"$largest") ;;
  RUN* | COPY* | ADD*) keyword=${largest%% *} ;; # BuildKit writes the instruction itself
  *) keyword=RUN ;; # the classic builder writes a RUN as "/bin/sh -c <command>"
esac
answer largest-layer-instruction "$keyword"
answer zero-byte-instructions a,c,e
answer save-manifest manifest.json
rm -rf nginx-save

# 5.2 — compare two images with a script
docker pull nginx:latest
cat >compare-images.sh <<'SCRIPT'
#!/bin/bash
# compare-images.sh IMAGE1 IMAGE2: size, layers, architecture, OS and creation date side by side.
set -euo pipefail
img1=$1
img2=$2

# One heading, then one "image: value" line per image.
show() {
  echo "$1:"
  echo "  $img1: $2"
  echo "  $img2: $3"
  echo ""
}

echo "=== Comparaison: $img1 vs $img2 ==="
echo ""
show "Taille" "$(docker images "$img1" --format '{{.Size}}')" "$(docker images "$img2" --format '{{.Size}}')"
show "Layers" "$(docker history "$img1" --format '{{.ID}}' | wc -l)" "$(docker history "$img2" --format '{{.ID}}' | wc -l)"
show "Architecture" "$(docker inspect "$img1" --format '{{.Architecture}}')" "$(docker inspect "$img2" --format '{{.Architecture}}')"
show "OS" "$(docker inspect "$img1" --format '{{.Os}}')" "$(docker inspect "$img2" --format '{{.Os}}')"
show "Créé" "$(docker inspect "$img1" --format '{{.Created}}')" "$(docker inspect "$img2" --format '{{.Created}}')"
SCRIPT
chmod +x compare-images.sh
bash compare-images.sh nginx:alpine nginx:latest
answer history-rows-vs-layers b

# 5.3 — efficiency, the way dive measures it
$TP7 analyze --workdir "$WORKDIR" nginx:alpine || true # dive's default rules may fail on it: a verdict, not an error

mkdir -p wasteful optimised
cat >wasteful/Dockerfile <<'DOCKERFILE'
FROM alpine:3.19
# Downloads a 5 MB "archive" (simulated)
RUN head -c 5000000 /dev/urandom > /tmp/bundle.bin
# Extracts the application from it (500 kB)
RUN mkdir -p /opt/app && head -c 500000 /tmp/bundle.bin > /opt/app/app.bin
# Makes it executable
RUN chmod 755 /opt/app/app.bin
# Cleans up
RUN rm /tmp/bundle.bin
CMD ["ls", "-l", "/opt/app"]
DOCKERFILE
docker build -t tp7-wasteful:1.0 wasteful/

# dive's own format (the course's "- name: efficiency" list is not read by dive).
cat >.dive-ci.yml <<'RULES'
rules:
  lowestEfficiency: 0.95
  highestWastedBytes: 20MB
  highestUserWastedPercent: 0.1
RULES
if $TP7 analyze --workdir "$WORKDIR" tp7-wasteful:1.0; then
  echo "tp7-wasteful:1.0 was expected to fail the rules" >&2
  exit 1
fi

# Every step in one RUN: the temporary file and the first copy of app.bin never reach a layer.
cat >optimised/Dockerfile <<'DOCKERFILE'
FROM alpine:3.19
RUN head -c 5000000 /dev/urandom > /tmp/bundle.bin \
 && mkdir -p /opt/app \
 && head -c 500000 /tmp/bundle.bin > /opt/app/app.bin \
 && chmod 755 /opt/app/app.bin \
 && rm /tmp/bundle.bin
CMD ["ls", "-l", "/opt/app"]
DOCKERFILE
docker build -t tp7-optimised:1.0 optimised/
$TP7 analyze --workdir "$WORKDIR" tp7-optimised:1.0
docker images 'tp7-*'

answer what-dive-counts b
answer reduce-waste a,c,d
answer dive-config-format b
