import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineHost } from '../../src/engine/host.js';
import { tempDir } from '../tmp.js';

function configWithContext(name: string, host: string): string {
  const dir = tempDir('docker-config-');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: name }));
  const meta = join(dir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(meta, { recursive: true });
  writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }));
  return dir;
}

describe('engine host', () => {
  it('takes DOCKER_HOST first', () => {
    expect(engineHost({ DOCKER_HOST: 'tcp://10.0.0.1:2375', DOCKER_CONFIG: configWithContext('x', 'unix:///x.sock') })).toBe('tcp://10.0.0.1:2375');
  });
  it('follows the current docker context, as the CLI does', () => {
    const dir = configWithContext('rootless', 'unix:///run/user/1000/docker.sock');
    expect(engineHost({ DOCKER_CONFIG: dir })).toBe('unix:///run/user/1000/docker.sock');
    expect(engineHost({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'default' })).toMatch(/^unix:\/\/.*docker\.sock$/);
  });
  it('falls back to the default socket', () => {
    expect(engineHost({ DOCKER_CONFIG: tempDir('empty-') })).toMatch(/^unix:\/\/.*docker\.sock$/);
  });
});
