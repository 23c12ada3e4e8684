#!/usr/bin/env bash
# Reference solution of exercise 1 (TP7): what a student types, answers included.
# TP7 may be a multi-word command (e.g. "node /path/bin/tp7.js"): it is used unquoted on purpose.
set -euo pipefail

TP7=${TP7:-tp7}
WORKDIR=${TP7_WORKDIR:-$PWD}

answer() {
  # shellcheck disable=SC2086
  $TP7 answer --workdir "$WORKDIR" ex1 "$@"
}

# 1.1 — pull four tags of nginx and compare them
docker pull nginx:1.25
docker pull nginx:stable
docker pull nginx:latest
docker pull nginx:alpine
docker images nginx

# Do at least two of the four tags show the same IMAGE ID?
ids=$(for tag in 1.25 stable latest alpine; do docker images --no-trunc --format '{{.ID}}' "nginx:$tag"; done)
if [ "$(printf '%s\n' "$ids" | sort | uniq -d | wc -l)" -gt 0 ]; then
  answer shared-id oui
else
  answer shared-id non
fi
answer latest-vs-stable b
answer why-alpine-smaller a,b

# 1.2 — read nginx:alpine's metadata with docker inspect --format
inspect() { docker inspect --format "$1" nginx:alpine; }

answer architecture "$(inspect '{{.Architecture}}')"
answer os "$(inspect '{{.Os}}')"
answer created "$(inspect '{{.Created}}')"
answer size "$(inspect '{{.Size}}')"
answer nginx-version "$(inspect '{{range .Config.Env}}{{println .}}{{end}}' | sed -n 's/^NGINX_VERSION=//p')"
# shellcheck disable=SC2016 # a Go template, not a shell expansion
answer exposed-port "$(inspect '{{range $port, $_ := .Config.ExposedPorts}}{{$port}} {{end}}')"
answer default-command "$(inspect '{{.Config.Cmd}}')"
workdir=$(inspect '{{.Config.WorkingDir}}')
answer working-dir "${workdir:-none}"
