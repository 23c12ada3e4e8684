#!/usr/bin/env bash
# bench/ex1-docker-cli.sh WORKDIR - the checks of `tp7 check ex1`, written the way Killercoda-style verify
# scripts are: one docker CLI call per fact. Used only as the baseline of bench/run.mjs.
set -uo pipefail
answers=${1:?workdir}/.tp7/progress.json
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi; }
answer() { jq -r --arg q "$1" '.answers.ex1[$q].answer // empty' "$answers"; }
id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null; }
size() { docker image inspect --format '{{.Size}}' "$1" 2>/dev/null; }
field() { docker image inspect --format "$1" nginx:alpine 2>/dev/null; }

for ref in nginx:1.25 nginx:stable nginx:latest nginx:alpine; do ok test -n "$(id "$ref")"; done
ok test "$(id nginx:latest)" != "$(id nginx:alpine)"
ok test "$(size nginx:alpine)" -lt "$(($(size nginx:latest) / 2))"

ids=$(for ref in nginx:1.25 nginx:stable nginx:latest nginx:alpine; do id "$ref"; done | sort)
shared='^(no|non)$'; [[ $(uniq -d <<<"$ids") ]] && shared='^(yes|oui)$'
ok grep -Eqx "$shared" <<<"$(answer shared-id)"
ok test "$(answer latest-vs-stable)" = b
ok test "$(answer why-alpine-smaller)" = a,b
ok test "$(answer architecture)" = "$(field '{{.Architecture}}')"
ok test "$(answer os)" = "$(field '{{.Os}}')"
ok test "$(answer created | cut -c1-10)" = "$(field '{{.Created}}' | cut -c1-10)"
ok test "$(answer size)" = "$(field '{{.Size}}')"
ok test "$(answer nginx-version)" = "$(field '{{range .Config.Env}}{{println .}}{{end}}' | sed -n 's/^NGINX_VERSION=//p')"
ok test "$(answer exposed-port | tr -d ' ')" = "$(field '{{range $p, $_ := .Config.ExposedPorts}}{{$p}}{{end}}')"
ok test "$(answer default-command | tr -d '[]')" = "$(field '{{join .Config.Cmd " "}}')"
workdir_answer=$(field '{{.Config.WorkingDir}}'); ok test "$(answer working-dir)" = "${workdir_answer:-none}"
echo "$pass passed, $fail failed"
