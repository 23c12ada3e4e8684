#!/usr/bin/env bash
# Reference solution of exercise 9 (TP7): what a student types, answers included.
# TP7 may be a multi-word command (e.g. "node /path/bin/tp7.js"): it is used unquoted on purpose.
set -euo pipefail

TP7=${TP7:-tp7}
WORKDIR=${TP7_WORKDIR:-$PWD}

answer() {
  # shellcheck disable=SC2086
  $TP7 answer --workdir "$WORKDIR" ex9 "$@"
}

# 9.1 — semantic versioning
answer semver-parts b
answer minor-bump 1.10.0
answer floating-tag b
answer production-pin d

# 9.2 — naming conventions: registry.company.com/team/webapp:2.1.0-production
answer webapp-registry registry.company.com
answer webapp-namespace team
answer webapp-name webapp
answer webapp-version 2.1.0
answer webapp-variant production
answer official-registry docker.io
answer official-namespace library

# 9.3 — version-manager.sh in a git repository (the working directory), then one release of our own
REGISTRY=${TP7_REGISTRY:-localhost:5000}
cd "$WORKDIR"
# A machine without a git identity still gets its commit and its annotated tag.
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-TP7 student} GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-student@example.invalid}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-TP7 student} GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-student@example.invalid}

# The lab registry, as the course starts it, unless one already answers (exercise 4's).
if ! curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null; then
  docker run -d -p "${REGISTRY##*:}:5000" --name registry -v registry-data:/var/lib/registry registry:2 >/dev/null
  for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null && break; sleep 0.2; done
fi

cat > Dockerfile <<'EOF'
FROM nginx:alpine
COPY index.html /usr/share/nginx/html/index.html
EOF
echo '<h1>myapp</h1>' > index.html

cat > version-manager.sh <<EOF
#!/bin/bash
# version-manager.sh: bumps VERSION, builds, tags NEW, MAJOR.MINOR, MAJOR and latest, pushes them, tags git.
set -e
REGISTRY="$REGISTRY"
IMAGE_NAME="myapp"
EOF
cat >> version-manager.sh <<'EOF'

if [ -f VERSION ]; then
  CURRENT_VERSION=$(cat VERSION)
else
  CURRENT_VERSION="0.0.0"
fi
IFS='.' read -r MAJOR MINOR PATCH <<< "$CURRENT_VERSION"

case "${1:-}" in
  major) MAJOR=$((MAJOR + 1)); MINOR=0; PATCH=0 ;;
  minor) MINOR=$((MINOR + 1)); PATCH=0 ;;
  patch) PATCH=$((PATCH + 1)) ;;
  *)
    echo "Usage: $0 {major|minor|patch}"
    echo "Current version: $CURRENT_VERSION"
    exit 1
    ;;
esac

NEW_VERSION="$MAJOR.$MINOR.$PATCH"
echo "Bumping version: $CURRENT_VERSION -> $NEW_VERSION"
echo "$NEW_VERSION" > VERSION

docker build -t "$IMAGE_NAME:$NEW_VERSION" .
for tag in "$MAJOR.$MINOR" "$MAJOR" latest; do
  docker tag "$IMAGE_NAME:$NEW_VERSION" "$IMAGE_NAME:$tag"
done
for tag in "$NEW_VERSION" "$MAJOR.$MINOR" "$MAJOR" latest; do
  docker tag "$IMAGE_NAME:$tag" "$REGISTRY/$IMAGE_NAME:$tag"
  docker push "$REGISTRY/$IMAGE_NAME:$tag"
done
echo "Version $NEW_VERSION released"

if git rev-parse --git-dir > /dev/null 2>&1; then
  git tag -a "v$NEW_VERSION" -m "Release v$NEW_VERSION"
  echo "Git tag created: v$NEW_VERSION"
fi
EOF
chmod +x version-manager.sh

[ -d .git ] || git init -q
git add Dockerfile index.html version-manager.sh
git commit -q -m "myapp and its release script"
# myapp's history so far: 1.0.0, released by exercise 8's pipeline. The releases continue it: one numbered
# below would move latest (a floating tag) back to an older version.
[ -f VERSION ] || echo 1.0.0 > VERSION
./version-manager.sh patch
