import { describe, expect, it } from 'vitest';
import { parseDockerCommand } from '../../src/scripts/docker-command.js';
import { replayRemovals, type EngineSnapshot } from '../../src/scripts/removals.js';

const MYAPP = `sha256:${'a'.repeat(64)}`;
const NGINX = `sha256:${'b'.repeat(64)}`;
const SNAPSHOT: EngineSnapshot = {
  images: [
    { id: MYAPP, tags: ['myapp:1.0.0', 'myapp:latest', 'localhost:5000/myapp:1.0.0', 'localhost:5000/myapp:prod'] },
    { id: NGINX, tags: ['nginx:alpine'] },
  ],
  containers: [
    { id: 'c'.repeat(64), name: 'myapp-test', image: MYAPP },
    { id: 'd'.repeat(64), name: 'registry', image: `sha256:${'e'.repeat(64)}` },
  ],
};
const replay = (...lines: string[][]) => replayRemovals(lines.map(parseDockerCommand), SNAPSHOT);

describe('replaying removals on a snapshot', () => {
  it('removes by names one tag at a time, the image with its last one', () => {
    const result = replay(['rm', '-f', 'myapp-test', 'registry'], ['rmi', 'myapp:1.0.0', 'myapp', 'localhost:5000/myapp:1.0.0', 'localhost:5000/myapp:prod']);
    expect(result.containers).toEqual(['myapp-test', 'registry']);
    expect(result.images).toEqual([MYAPP]);
    expect(result.refused).toEqual([]);
  });
  it('refuses an ID named in several repositories without -f, as the daemon does', () => {
    const result = replay(['rm', '-f', 'myapp-test'], ['rmi', 'aaaaaaaaaaaa']);
    expect(result.refused.map((entry) => entry.reason)).toEqual(['several-repositories']);
    expect(replay(['rm', '-f', 'myapp-test'], ['rmi', '-f', 'aaaaaaaaaaaa']).images).toEqual([MYAPP]);
  });
  it('refuses an image a container still uses, and takes only its names with -f', () => {
    expect(replay(['rmi', 'myapp:1.0.0', 'myapp:latest', 'localhost:5000/myapp:1.0.0', 'localhost:5000/myapp:prod']).refused.map((entry) => entry.reason)).toEqual(['in-use']);
    const forced = replay(['image', 'rm', '--force', 'aaaaaaaaaaaa']);
    expect(forced.images).toEqual([]);
    expect(forced.untagged).toHaveLength(4);
  });
  it('reads container IDs and volume names', () => {
    const result = replay(['container', 'rm', 'cccccccccccc'], ['volume', 'rm', 'registry-data']);
    expect(result).toMatchObject({ containers: ['myapp-test'], volumes: ['registry-data'] });
  });
  it('an image already gone is no refusal worth a fault', () => {
    expect(replay(['rm', '-f', 'myapp-test'], ['rmi', '-f', 'aaaaaaaaaaaa'], ['rmi', '-f', 'aaaaaaaaaaaa']).refused.map((entry) => entry.reason)).toEqual(['no-such-image']);
  });
});
