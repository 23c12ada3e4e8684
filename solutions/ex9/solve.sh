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
