import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workdirFiles } from '../../src/files/workdir.js';
import { versionScript } from '../../src/probes/version-script.js';
import type { ProbeClients } from '../../src/probes/types.js';
import { execaRunner } from '../../src/processes/execa-runner.js';
import { tempDir } from '../tmp.js';

// version-manager.sh judged by recorded runs: real bash and real git in scratch repositories, a docker that only
// records (build, tag and push are pretended, so no engine is needed). Each near miss has its own message.

const RIGHT = `#!/bin/bash
set -e
REGISTRY=localhost:5000
IMAGE=myapp
if [ -f VERSION ]; then CURRENT=$(cat VERSION); else CURRENT=0.0.0; fi
IFS=. read -r MAJOR MINOR PATCH <<< "$CURRENT"
case "$1" in
  major) MAJOR=$((MAJOR + 1)); MINOR=0; PATCH=0 ;;
  minor) MINOR=$((MINOR + 1)); PATCH=0 ;;
  patch) PATCH=$((PATCH + 1)) ;;
  *) echo "Usage: $0 {major|minor|patch}"; exit 1 ;;
esac
NEW=$MAJOR.$MINOR.$PATCH
echo "$NEW" > VERSION
docker build -t $IMAGE:$NEW .
for tag in $MAJOR.$MINOR $MAJOR latest; do docker tag $IMAGE:$NEW $IMAGE:$tag; done
for tag in $NEW $MAJOR.$MINOR $MAJOR latest; do
  docker tag $IMAGE:$tag $REGISTRY/$IMAGE:$tag
  docker push $REGISTRY/$IMAGE:$tag
done
git tag -a "v$NEW" -m "Release v$NEW"
`;

function clients(script: string): ProbeClients {
  const workdir = tempDir('ex9-');
  writeFileSync(join(workdir, 'version-manager.sh'), script);
  chmodSync(join(workdir, 'version-manager.sh'), 0o755);
  writeFileSync(join(workdir, 'Dockerfile'), 'FROM nginx:alpine\n');
  return {
    workdir,
    files: workdirFiles(workdir),
    processes: execaRunner(workdir),
    engine: { host: 'unix:///nonexistent.sock' },
    registry: { address: 'localhost:5000' },
  } as unknown as ProbeClients;
}

const spec = (fields: Record<string, unknown>) => versionScript.schema.parse({ kind: 'version-script', image: 'myapp', ...fields });

async function judge(script: string, fields: Record<string, unknown>) {
  return versionScript.run(spec(fields), clients(script));
}

describe('version-script: the reference script passes every scenario', { timeout: 30_000 }, () => {
  it.each([
    [{ from: '1.9.9', bump: 'patch' }, '1.9.10'],
    [{ from: '1.9.9', bump: 'minor' }, '1.10.0'],
    [{ from: '1.9.9', bump: 'major' }, '2.0.0'],
    [{ from: null, bump: 'patch' }, '0.0.1'],
    [{ from: '1.10.0', bump: 'patch', releases: ['1.9.0', '1.10.0'] }, '1.10.1'],
  ])('%j → %s', async (fields, version) => {
    const result = await judge(RIGHT, fields);
    expect(result.message.en).toContain(version);
    expect(result.status).toBe('pass');
  });
});

describe('version-script: near misses', { timeout: 30_000 }, () => {
  it('a MINOR bump that keeps PATCH', async () => {
    const result = await judge(RIGHT.replace('MINOR=$((MINOR + 1)); PATCH=0', 'MINOR=$((MINOR + 1))'), { from: '1.9.9', bump: 'minor' });
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/1\.10\.9 instead of 1\.10\.0: a MINOR bump resets PATCH to 0/);
  });

  it('a MAJOR bump that keeps MINOR and PATCH', async () => {
    const result = await judge(RIGHT.replace('MAJOR=$((MAJOR + 1)); MINOR=0; PATCH=0', 'MAJOR=$((MAJOR + 1))'), { from: '1.9.9', bump: 'major' });
    expect(result.message.en).toMatch(/a MAJOR bump resets MINOR and PATCH to 0/);
  });

  it('the current version found by a text sort of the git tags (1.10.0 below 1.9.0)', async () => {
    const sorted = RIGHT.replace('if [ -f VERSION ]; then CURRENT=$(cat VERSION); else CURRENT=0.0.0; fi', 'CURRENT=$(git tag -l "v*" | sort | tail -1 | sed s/^v//)');
    const result = await judge(sorted, { from: '1.10.0', bump: 'patch', releases: ['1.9.0', '1.10.0'] });
    expect(result.message.en).toMatch(/1\.9\.1 instead of 1\.10\.1: the versions were sorted as text/);
  });

  it('latest left on the old version', async () => {
    const stale = RIGHT.replace('docker tag $IMAGE:$NEW $IMAGE:$tag; done', 'docker tag $IMAGE:$NEW $IMAGE:$tag; done; docker tag $IMAGE:$CURRENT $IMAGE:latest');
    const result = await judge(stale, { from: '1.9.9', bump: 'patch' });
    expect(result.message.en).toMatch(/latest was pushed from myapp:1\.9\.9, not from the image just built: latest was left on the old version/);
  });

  it('a lightweight git tag', async () => {
    const result = await judge(RIGHT.replace('git tag -a "v$NEW" -m "Release v$NEW"', 'git tag "v$NEW"'), { from: '1.9.9', bump: 'patch' });
    expect(result.message.en).toMatch(/git tag v1\.9\.10 is a lightweight tag: make an annotated one/);
  });

  it('a script that only knows 1.9.9 fails on the version chosen at check time', async () => {
    const fixed = RIGHT.replace('NEW=$MAJOR.$MINOR.$PATCH', 'NEW=1.10.0; MAJOR=1; MINOR=10; PATCH=0');
    const result = await judge(fixed, { from: '1.9.9', bump: 'minor' });
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/instead of/);
  });

  it('a missing push', async () => {
    const result = await judge(RIGHT.replace('for tag in $NEW $MAJOR.$MINOR $MAJOR latest', 'for tag in $NEW $MAJOR.$MINOR latest'), { from: '1.9.9', bump: 'patch' });
    expect(result.message.en).toMatch(/localhost:5000\/myapp:1 was not pushed/);
  });

  it('no VERSION file: a script that requires one fails', async () => {
    const result = await judge(RIGHT.replace('if [ -f VERSION ]; then CURRENT=$(cat VERSION); else CURRENT=0.0.0; fi', 'CURRENT=$(cat VERSION)'), { from: null, bump: 'patch' });
    expect(result.status).toBe('fail');
  });

  it('echoed docker commands are no build', async () => {
    const result = await judge(RIGHT.replaceAll('docker ', 'echo docker '), { from: '1.9.9', bump: 'patch' });
    expect(result.message.en).toMatch(/no docker build was run/);
  });
});
