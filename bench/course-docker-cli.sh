#!/usr/bin/env bash
# bench/course-docker-cli.sh WORKDIR ANSWER_KEY [EXERCISE...] - the checks of `tp7 check`, written the way
# Killercoda-style verify scripts are: docker CLI, curl, tar and jq, one call per fact. Used only as the
# baseline of bench/run.mjs, which compares every verdict printed here with tp7's and refuses a disagreement.
# Prints one line per check it can express, "exN/id pass|fail"; checks that run a student's script (recorded
# runs), need dive, Docker Hub or a reference parser are left out (tp7 judges those; this baseline cannot).
# ANSWER_KEY: JSON {"exN": {"question-id": ["accepted answer", ...]}} of the choice and text questions.
set -uo pipefail
work=${1:?workdir}
key=${2:?answer key}
shift 2
answers=$work/.tp7/progress.json
REG=${TP7_REGISTRY:-localhost:5000}
ACCEPT='application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'
LISTS='application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json'
ex=''

say() { if "${@:2}"; then echo "$ex/$1 pass"; else echo "$ex/$1 fail"; fi; }
answer() { jq -r --arg e "$ex" --arg q "$1" '.answers[$e][$q].answer // empty' "$answers"; }
id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null; }
inspect() { docker image inspect --format "$2" "$1" 2>/dev/null; }
env_of() { inspect "$1" '{{range .Config.Env}}{{println .}}{{end}}' | sed -n "s/^$2=//p"; }
container() { docker container inspect --format "$2" "$1" 2>/dev/null; }
# The choice and text questions of the current exercise, against the key, in one jq call.
choices() {
  jq -rn --arg e "$ex" --slurpfile key "$key" --slurpfile progress "$answers" '
    def norm: ascii_downcase | gsub("\\s"; "") | split(",") | sort | join(",");
    ($key[0][$e] // {}) | to_entries[] as $q
    | ($progress[0].answers[$e][$q.key].answer // "") as $a
    | "\($e)/\($q.key) \(if ([$q.value[] | norm] | index($a | norm)) != null then "pass" else "fail" end)"'
}
# An image exists and its environment declares VAR matching the extended regular expression.
declares() { local value; value=$(env_of "$1" "$2") && [[ -n $(id "$1") ]] && grep -Eq "$3" <<<"$value"; }
same_ids() { local first; first=$(id "$1") || return 1; [[ -n $first ]] || return 1; for ref in "${@:2}"; do [[ $(id "$ref") == "$first" ]] || return 1; done; }
# A file read out of an image through a stopped container (docker create + cp), as the CLI does it.
image_file() { local c; c=$(docker create "$1" 2>/dev/null) || return 1; docker cp "$c:$2" - 2>/dev/null | tar -xO 2>/dev/null; docker rm "$c" >/dev/null; }
page_has() { local page base; page=$(image_file "$1" "$2") && base=$(image_file "$4" "$2") && grep -qi -- "$3" <<<"$page" && [[ $page != "$base" ]]; }
# Made by commit: the history's top row was not written by a Dockerfile instruction, over the base's layers.
committed() {
  local top; top=$(docker history --no-trunc --format '{{.CreatedBy}}' "$1" 2>/dev/null | head -1) || return 1
  [[ -n $(id "$1") && $top != *'#(nop)'* && $top != *'buildkit'* && $top != RUN* && $top != COPY* ]] && layers_over "$1" "$2"
}
built() {
  local top; top=$(docker history --no-trunc --format '{{.CreatedBy}}' "$1" 2>/dev/null | head -1) || return 1
  [[ $top == *'buildkit'* || $top == *'#(nop)'* || $top == '/bin/sh -c '* || $top == COPY* || $top == RUN* || $top == CMD* ]] && layers_over "$1" "$2"
}
layers_over() { local mine base; mine=$(inspect "$1" '{{join .RootFS.Layers " "}}') && base=$(inspect "$2" '{{join .RootFS.Layers " "}}') && [[ $mine == "$base "* ]]; }
# The registry's manifest of repo:tag, its config digest (the image ID of what was pushed) and its digest.
config_of() { curl -fsS -H "Accept: $ACCEPT" "http://$REG/v2/$1/manifests/$2" 2>/dev/null | jq -r '.config.digest // empty'; }
digest_of() { curl -fsSI -H "Accept: $ACCEPT" "http://$REG/v2/$1/manifests/$2" 2>/dev/null | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'; }
tags_of() { curl -fsS "http://$REG/v2/$1/tags/list" 2>/dev/null | jq -r '.tags[]?'; }
pushed() { local want; want=$(id "$3"); for tag in $2; do [[ -n $want && $(config_of "$1" "$tag") == "$want" ]] || return 1; done; }
# docker save archive: its manifest.json names the image's config.
saved() {
  local config; config=$($1 "$work/$2" 2>/dev/null | tar -xO manifest.json 2>/dev/null | jq -r '.[0].Config' 2>/dev/null) || return 1
  local want; want=$(id "$3"); [[ -n $want && $config == *"${want#sha256:}"* ]]
}
mount_of() { container "$1" "{{range .Mounts}}{{if eq .Destination \"$2\"}}{{.Type}} {{if eq .Type \"volume\"}}{{.Name}}{{else}}{{.Source}}{{end}} {{.RW}}{{end}}{{end}}"; }
running() { [[ $(container "$1" '{{.State.Running}} {{.Config.Image}}') == "true $2" ]] && container "$1" '{{json .NetworkSettings.Ports}}' | grep -q "\"HostPort\":\"$3\""; }

ex1() {
  say pulled-1.25 declares nginx:1.25 NGINX_VERSION '^1\.25\.'
  say pulled-stable declares nginx:stable NGINX_VERSION '^1\.[0-9]*[02468]\.'
  say pulled-latest declares nginx:latest PKG_RELEASE '~'
  say pulled-alpine declares nginx:alpine PKG_RELEASE '^[^~]+$'
  say alpine-is-another-image test "$(id nginx:latest)" != "$(id nginx:alpine)"
  say alpine-is-smaller test "$(inspect nginx:alpine '{{.Size}}')" -lt "$(($(inspect nginx:latest '{{.Size}}') / 2))"
  local ids shared='^(no|non)$'
  ids=$(for ref in nginx:1.25 nginx:stable nginx:latest nginx:alpine; do id "$ref"; done | sort)
  [[ $(uniq -d <<<"$ids") ]] && shared='^(yes|oui)$'
  say shared-id grep -Eqx "$shared" <<<"$(answer shared-id)"
  say architecture test "$(answer architecture)" = "$(inspect nginx:alpine '{{.Architecture}}')"
  say os test "$(answer os)" = "$(inspect nginx:alpine '{{.Os}}')"
  say created test "$(answer created | cut -c1-10)" = "$(inspect nginx:alpine '{{.Created}}' | cut -c1-10)"
  say size test "$(answer size)" = "$(inspect nginx:alpine '{{.Size}}')"
  say nginx-version test "$(answer nginx-version)" = "$(env_of nginx:alpine NGINX_VERSION)"
  say exposed-port test "$(answer exposed-port | tr -d ' ')" = "$(inspect nginx:alpine '{{range $p, $_ := .Config.ExposedPorts}}{{$p}}{{end}}')"
  say default-command test "$(answer default-command | tr -d '[]')" = "$(inspect nginx:alpine '{{join .Config.Cmd " "}}')"
  local dir; dir=$(inspect nginx:alpine '{{.Config.WorkingDir}}')
  say working-dir test "$(answer working-dir)" = "${dir:-none}"
}

ex2() {
  say alpine-pulled declares nginx:alpine PKG_RELEASE '^[^~]+$'
  say own-tags same_ids nginx:alpine mon-nginx:v1 mon-nginx:v2 mon-nginx:v3 mon-nginx:latest
  say loop-tags same_ids nginx:alpine mon-nginx:{1..10}
  say commit-page page_has mon-nginx:commit /usr/share/nginx/html/index.html TP7 nginx:alpine
  say commit-is-a-commit committed mon-nginx:commit nginx:alpine
  say dockerfile-page page_has mon-nginx:dockerfile /usr/share/nginx/html/index.html TP7 nginx:alpine
  say dockerfile-is-a-build built mon-nginx:dockerfile nginx:alpine
  local common; common=$(id mon-nginx:v1); common=${common#sha256:}
  say shared-id test -n "$(answer shared-id)" -a "${common#"$(answer shared-id)"}" != "$common"
}

ex3() {
  say save-nginx saved cat nginx-save.tar nginx:alpine
  say export-container bash -c "tar -tf '$work/container-export.tar' | grep -qx 'etc/nginx/nginx.conf' && ! tar -tf '$work/container-export.tar' | grep -qx manifest.json"
  say save-gzip saved 'gzip -dc' nginx-alpine.tar.gz nginx:alpine
  say save-bzip2 saved 'bzip2 -dc' nginx-alpine.tar.bz2 nginx:alpine
  say save-xz saved 'xz -dc' nginx-alpine.tar.xz nginx:alpine
  local archives ok=true
  for tag in 1.0 2.0; do
    archives=$(find "$work/docker-backups" -name "*mon-site*${tag}*.tar*" 2>/dev/null | head -1)
    [[ -n $archives ]] && gzip -dc "$archives" | tar -xO manifest.json 2>/dev/null | grep -q "mon-site:$tag" || ok=false
  done
  say backup-script "$ok"
  local smallest; smallest=$(ls -S "$work"/nginx-alpine.tar.{gz,bz2,xz} | tail -1)
  say smallest-compression test "$(answer smallest-compression)" = "${smallest##*.}"
}

ex4() {
  local alpine; alpine=$(id nginx:alpine | cut -c8-19)
  say hub-tags test "$(docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | grep -cE "/mon-nginx:(v1\.0|v1\.0\.1|latest|stable) $alpine")" -ge 4
  say registry-running eval "running registry registry:2 5000 && curl -fsS http://$REG/v2/ >/dev/null"
  say registry-restart test "$(container registry '{{.HostConfig.RestartPolicy.Name}}')" = always
  say registry-volume test "$(mount_of registry /var/lib/registry)" = "volume registry-data true"
  say registry-config test "$(mount_of registry /etc/docker/registry/config.yml)" = "bind $work/config.yml false"
  local config; config=$(docker exec registry cat /etc/docker/registry/config.yml 2>/dev/null)
  say registry-settings bash -c 'grep -A1 "^  delete:" <<<"$0" | grep -q "enabled: true" && grep -A1 "storagedriver:" <<<"$0" | grep -q "enabled: true"' "$config"
  say registry-secret bash -c "docker container inspect -f '{{range .Config.Env}}{{println .}}{{end}}' registry | grep -q '^REGISTRY_HTTP_SECRET=.'"
  say registry-nosniff bash -c "curl -fsSI http://$REG/v2/ | grep -qi '^X-Content-Type-Options: nosniff'"
  say registry-delete test "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://$REG/v2/tp7-probe/manifests/sha256:$(printf '0%.0s' {1..64})")" = 404
  say pushed-nginx pushed nginx 'alpine 1.0' nginx:alpine
  say pushed-alpine pushed alpine 3.19 alpine:3.19
  say old-deleted bash -c "tags=\$(curl -fsS http://$REG/v2/nginx/tags/list | jq -r '.tags[]?'); ! grep -qx old <<<\"\$tags\" && grep -qx alpine <<<\"\$tags\" && grep -qx 1.0 <<<\"\$tags\""
  say old-collected test "$(curl -s -o /dev/null -w '%{http_code}' -I "http://$REG/v2/nginx/blobs/$(id nginx:1.25)")" = 404
  say nginx-alpine-digest test "$(answer nginx-alpine-digest)" = "$(digest_of nginx alpine)"
}

ex5() {
  say nginx-alpine-pulled declares nginx:alpine PKG_RELEASE '^[^~]+$'
  say nginx-latest-pulled eval "declares nginx:latest PKG_RELEASE '~' && [[ \$(id nginx:latest) != \$(id nginx:alpine) ]]"
  say dive-ci-config bash -c "grep -Eq 'lowestEfficiency: *0?\.(9[5-9]|[0-9]{3,})|lowestEfficiency: *1' '$work/.dive-ci.yml'"
  local files=true
  for ref in tp7-optimised:1.0 tp7-wasteful:1.0; do
    local c; c=$(docker create "$ref" 2>/dev/null) || { files=false; continue; }
    docker cp "$c:/opt/app/app.bin" - 2>/dev/null | tar -tvf - | grep -Eq '^-rwxr-xr-x .* 500000 ' || files=false
    docker rm "$c" >/dev/null
  done
  [[ $(image_file tp7-optimised:1.0 /opt/app/app.bin | md5sum) != "$(image_file tp7-wasteful:1.0 /opt/app/app.bin | md5sum)" ]] || files=false
  say optimised-same-job "$files"
  say optimised-smaller test "$(inspect tp7-optimised:1.0 '{{.Size}}')" -lt "$(inspect tp7-wasteful:1.0 '{{.Size}}')"
  say filesystem-layers test "$(answer filesystem-layers)" = "$(inspect nginx:alpine '{{len .RootFS.Layers}}')"
}

ex6() {
  say light-cleaned bash -c "[[ -z \$(docker images -q -f dangling=true -f label=org.tp7-lab.setup=ex6) ]] && docker image inspect tp7-ex6-web:1.0 tp7-ex6-batch:1.0 >/dev/null 2>&1"
}

ex7() {
  local list; list=$(curl -fsS -H "Accept: $LISTS" "http://$REG/v2/myapp/manifests/multiarch" 2>/dev/null)
  local platforms; platforms=$(jq -r '.manifests[]?.platform | "\(.os)/\(.architecture)\(if .variant and .variant != "v8" then "/" + .variant else "" end)"' <<<"$list" 2>/dev/null)
  say myapp-list bash -c 'grep -qx linux/amd64 <<<"$0" && grep -qx linux/arm64 <<<"$0"' "$platforms"
  say myapp-armv7 grep -qx linux/arm/v7 <<<"$platforms"
  local ok=true
  for child in $(jq -r '.manifests[]?.digest' <<<"$list" 2>/dev/null); do
    local config; config=$(config_of myapp "$child")
    [[ -n $config && $(curl -s -o /dev/null -w '%{http_code}' -I "http://$REG/v2/myapp/blobs/$config") == 200 ]] || ok=false
  done
  [[ -n $list ]] || ok=false
  say myapp-configs "$ok"
}

ex8() {
  say registry-running running registry registry:2 5000
  say registry-volume test "$(mount_of registry /var/lib/registry)" = "volume registry-data true"
  say image-committed committed myapp:1.0.0 nginx:alpine
  say page-version page_has myapp:1.0.0 /usr/share/nginx/html/index.html 'Version: 1.0.0' nginx:alpine
  local want ok=true; want=$(id myapp:1.0.0)
  # The course's rule, as tp7 applies it: after exercise 9's release, a floating tag (1.0, 1, latest) follows
  # the newest release it covers instead of 1.0.0.
  local release; release=$(tr -d ' \n' <"$work/VERSION" 2>/dev/null)
  for tag in 1.0.0 1.0 1 latest stable prod "$(date +%Y%m%d)"; do
    [[ -n $want && $(config_of myapp "$tag") == "$want" ]] && continue
    follows "$tag" "$release" && [[ $(config_of myapp "$tag") == "$(config_of myapp "$release")" ]] || ok=false
  done
  say registry-one-digest "$ok"
  say backup saved 'gzip -dc' "backups/myapp-1.0.0-$(date +%Y%m%d).tar.gz" myapp:1.0.0
  ok=true
  for tag in 1 1.0 stable prod "$(date +%Y%m%d)"; do
    [[ -z $(id "myapp:$tag") ]] && continue
    follows "$tag" "$release" && [[ $(id "myapp:$tag") == "$(id "myapp:$release")" ]] || ok=false
  done
  [[ -n $(id myapp:1.0.0) && -n $(id myapp:latest) ]] || ok=false
  say local-tags-removed "$ok"
  say test-container running myapp-test "$REG/myapp:1.0.0" 8080
  say test-page bash -c "page=\$(curl -fsS -m 3 -D - http://localhost:8080/) && grep -qi 'content-type: text/html' <<<\"\$page\" && grep -q myapp <<<\"\$page\" && grep -q 'Version: 1.0.0' <<<\"\$page\""
  say shared-digest test "$(answer shared-digest)" = "$(digest_of myapp 1.0.0)"
}

# Whether floating tag $1 may name release $2 instead of 1.0.0: $2 is newer than 1.0.0 and covers it.
follows() {
  [[ $2 =~ ^[0-9]+\.[0-9]+\.[0-9]+$ && $2 != 1.0.0 && $(printf '1.0.0\n%s\n' "$2" | sort -V | tail -1) == "$2" ]] || return 1
  [[ $1 == latest || $2 == "$1".* ]]
}

ex9() {
  local version; version=$(tr -d ' \n' <"$work/VERSION" 2>/dev/null)
  say version-file grep -Eqx '(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)' <<<"$version"
  local major=${version%%.*} minor=${version%.*} first ok=true
  first=$(digest_of myapp "$version")
  for tag in "$minor" "$major" latest; do [[ -n $first && $(digest_of myapp "$tag") == "$first" ]] || ok=false; done
  say release-tags "$ok"
  say release-git-tag test "$(git -C "$work" cat-file -t "v$version" 2>/dev/null)" = tag
}

for ex in "${@:-ex1 ex2 ex3 ex4 ex5 ex6 ex7 ex8 ex9}"; do
  for one in $ex; do ex=$one; "$one"; choices; done
done
