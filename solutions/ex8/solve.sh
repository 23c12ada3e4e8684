#!/usr/bin/env bash
# Reference solution of exercise 8 (TP7): the course's pipeline, made re-runnable, and the answers.
# TP7 may be a multi-word command (e.g. "node /path/bin/tp7.js"): it is used unquoted on purpose.
set -euo pipefail

TP7=${TP7:-tp7}
WORKDIR=${TP7_WORKDIR:-$PWD}
REGISTRY=${TP7_REGISTRY:-localhost:5000}
SCHEMA2="application/vnd.docker.distribution.manifest.v2+json"
# A containerd image store pushes a commit as an OCI manifest: the registry serves it only to a client that accepts it.
OCI="application/vnd.oci.image.manifest.v1+json"

answer() {
  # shellcheck disable=SC2086
  $TP7 answer --workdir "$WORKDIR" --registry "$REGISTRY" ex8 "$@"
}

cd "$WORKDIR"

cat >complete-image-pipeline.sh <<'PIPELINE'
#!/bin/bash
# complete-image-pipeline.sh — build, tag, publish, back up, test; writes cleanup.sh. Safe to run again.
set -euo pipefail

PROJECT="myapp"
VERSION="1.0.0"
REGISTRY="${TP7_REGISTRY:-localhost:5000}"
DATE_TAG=$(date +%Y%m%d)

echo "=== Pipeline: $PROJECT $VERSION → $REGISTRY ==="

# Re-runnable: what this run creates again is removed first (a name in use would stop set -e).
docker rm -f app-builder "$PROJECT-test" >/dev/null 2>&1 || true

echo "1. Registry"
if [ "$(docker inspect -f '{{.State.Running}}' registry 2>/dev/null)" != "true" ]; then
  docker rm -f registry >/dev/null 2>&1 || true
  docker run -d -p "${REGISTRY##*:}:5000" --name registry -v registry-data:/var/lib/registry registry:2
fi
for _ in $(seq 50); do curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null && break; sleep 0.2; done

echo "2. Application page"
mkdir -p app
cat >app/index.html <<EOF
<!DOCTYPE html>
<html>
<head>
    <title>$PROJECT v$VERSION</title>
</head>
<body>
    <h1>$PROJECT</h1>
    <p>Version: $VERSION</p>
    <p>Build: $(date)</p>
</body>
</html>
EOF

echo "3. Image (commit of a container)"
docker run -d --name app-builder nginx:alpine
trap 'docker rm -f app-builder >/dev/null 2>&1 || true' EXIT
docker cp app/index.html app-builder:/usr/share/nginx/html/
docker commit app-builder "$PROJECT:$VERSION"
docker rm -f app-builder

echo "4. Tags"
for tag in 1.0 1 latest stable prod "$DATE_TAG"; do
  docker tag "$PROJECT:$VERSION" "$PROJECT:$tag"
done
docker images "$PROJECT"

echo "5. Publishing"
for tag in "$VERSION" 1.0 1 latest stable prod "$DATE_TAG"; do
  docker tag "$PROJECT:$tag" "$REGISTRY/$PROJECT:$tag"
  docker push "$REGISTRY/$PROJECT:$tag"
done

echo "6. Registry contents"
curl -s "http://$REGISTRY/v2/_catalog" | jq .
curl -s "http://$REGISTRY/v2/$PROJECT/tags/list" | jq .

echo "7. Backup"
mkdir -p backups
docker save "$PROJECT:$VERSION" | gzip >"backups/$PROJECT-$VERSION-$DATE_TAG.tar.gz"

echo "8. Local tidying (the registry keeps every tag)"
docker rmi "$PROJECT:1" "$PROJECT:1.0" "$PROJECT:stable" "$PROJECT:prod" "$PROJECT:$DATE_TAG"

echo "9. Test of the published image"
docker pull "$REGISTRY/$PROJECT:$VERSION"
docker run -d --name "$PROJECT-test" -p 8080:80 "$REGISTRY/$PROJECT:$VERSION"

echo "=== Report ==="
docker images "$PROJECT" --format "table {{.Repository}}:{{.Tag}}\t{{.Size}}"
curl -s "http://$REGISTRY/v2/$PROJECT/tags/list" | jq -r '.tags[]' | sed "s|^|  - $REGISTRY/$PROJECT:|"
ls -lh "backups/$PROJECT-$VERSION-"*.tar.gz

# The cleanup undoes exactly this pipeline. Images go by name: by ID, docker refuses an image named in two
# repositories (myapp and the registry's) without -f.
cat >cleanup.sh <<EOFCLEANUP
#!/bin/bash
docker rm -f $PROJECT-test registry
docker images --format '{{.Repository}}:{{.Tag}}' $PROJECT | xargs -r docker rmi
docker images --format '{{.Repository}}:{{.Tag}}' $REGISTRY/$PROJECT | xargs -r docker rmi
docker volume rm registry-data
rm -rf app backups
echo "Nettoyage terminé"
EOFCLEANUP
chmod +x cleanup.sh
echo "To clean up: ./cleanup.sh"
PIPELINE
chmod +x complete-image-pipeline.sh

# Run it twice: the second run must succeed as well (re-runnable).
TP7_REGISTRY="$REGISTRY" ./complete-image-pipeline.sh
TP7_REGISTRY="$REGISTRY" ./complete-image-pipeline.sh
curl -fsS http://localhost:8080/ | grep 'Version: 1.0.0'

answer shared-digest "$(curl -fsSI -H "Accept: $SCHEMA2" -H "Accept: $OCI" "http://$REGISTRY/v2/myapp/manifests/1.0.0" | awk 'tolower($1) == "docker-content-digest:" { print $2 }' | tr -d '\r')"
answer tags-cost b
answer second-run a,b,d
answer date-tag b
