import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workdirFiles } from '../../src/files/workdir.js';
import { releaseVersion } from '../../src/probes/release-version.js';
import type { ProbeClients } from '../../src/probes/types.js';
import { releaseTags } from '../../src/versions.js';
import { parseDockerCommand } from '../../src/scripts/docker-command.js';
import { releaseModel } from '../../src/scripts/release-model.js';
import { tempDir } from '../tmp.js';

const model = (...lines: string[]) => releaseModel(lines.map((line) => parseDockerCommand(line.split(' '))));

describe('releaseModel: build, tag and push read as a release', () => {
  it('follows names from the build through tags to pushes, whatever the spelling', () => {
    const release = model(
      'build -t myapp:1.2.3 -t myapp:latest .',
      'image tag myapp:1.2.3 localhost:5000/myapp:1.2.3',
      'tag docker.io/library/myapp:latest localhost:5000/myapp:latest',
      'push localhost:5000/myapp:1.2.3',
      'image push localhost:5000/myapp:latest',
    );
    expect(release.built).toBe(true);
    expect([...release.pushed.entries()]).toEqual([
      ['localhost:5000/myapp:1.2.3', { built: true }],
      ['localhost:5000/myapp:latest', { built: true }],
    ]);
  });

  it('a tag copied from an image the run did not build says where it came from', () => {
    const release = model('build -t myapp:2.0.0 .', 'tag myapp:1.9.9 localhost:5000/myapp:latest', 'push localhost:5000/myapp:latest');
    expect(release.pushed.get('localhost:5000/myapp:latest')).toEqual({ built: false, from: 'myapp:1.9.9' });
  });

  it('push --all-tags sends every tag of the repository', () => {
    const release = model('buildx build -t localhost:5000/myapp:1.0.0 -t localhost:5000/myapp:1 .', 'push -a localhost:5000/myapp');
    expect([...release.pushed.keys()].sort()).toEqual(['localhost:5000/myapp:1', 'localhost:5000/myapp:1.0.0']);
  });

  it('no build, no push', () => {
    expect(model('images')).toMatchObject({ built: false });
    expect(model('images').pushed.size).toBe(0);
  });

  it('the four tags of a release', () => {
    expect(releaseTags('1.10.0')).toEqual(['1.10.0', '1.10', '1', 'latest']);
  });
});

describe('release-version: VERSION holds a semantic version', () => {
  const check = async (content: string | null) => {
    const workdir = tempDir('version-');
    if (content !== null) writeFileSync(join(workdir, 'VERSION'), content);
    return releaseVersion.run(releaseVersion.schema.parse({ kind: 'release-version' }), { files: workdirFiles(workdir) } as ProbeClients);
  };

  it.each(['1.2.3\n', '0.0.1', ' 10.20.30 \n', '1.0.0-rc.1'])('accepts %j', async (content) => {
    expect((await check(content)).status).toBe('pass');
  });

  it.each([
    [null, /VERSION is not in your working directory/],
    ['v1.2.3\n', /write the bare version, 1\.2\.3/],
    ['1.2\n', /not a MAJOR\.MINOR\.PATCH version/],
    ['latest', /not a MAJOR\.MINOR\.PATCH version/],
    ['01.2.3', /not a MAJOR\.MINOR\.PATCH version/],
  ])('refuses %j', async (content, message) => {
    const result = await check(content);
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(message);
  });
});
