import { afterAll, beforeAll } from 'vitest';
import { connectEngine } from '../../src/engine/dockerode-client.js';
import { createRegistryClient } from '../../src/registry/http-client.js';
import type { RegistryClient } from '../../src/registry/types.js';
import { engineContract } from '../contract/engine.js';
import { registryContract, type RegistryWorld } from '../contract/registry.js';
import { buildImage, docker, freePort, ok } from './harness.js';

// The real engine and a real registry:2 (distribution 2.8) against the contracts the unit fakes pass too
// (test/unit/engine-contract.test.ts, test/unit/registry-contract.test.ts).

/** Images this file pulled: removed at the end, unless they were there before. */
const pulledHere = new Set<string>();

async function pullOnce(ref: string): Promise<void> {
  if ((await docker('image', 'inspect', ref)).exitCode !== 0) pulledHere.add(ref);
  await ok(docker('pull', '-q', ref));
}

engineContract('real engine', () => ({
  engine: () => connectEngine(),
  pull: pullOnce,
  tag: async (source, target) => void (await ok(docker('tag', source, target))),
  untag: async (ref) => void (await ok(docker('rmi', ref))),
  build: (tag, base, path, content) => buildImage(tag, `FROM ${base}\nCOPY contract.txt ${path}\n`, { 'contract.txt': content }),
  create: async (name, image) => void (await ok(docker('create', '--name', name, image))),
  // The 28.5 engines' CLI has buildx (scripts/test-engine.sh): docker build is BuildKit's there.
  builder: process.env.TP7_TEST_BUILDX ? 'buildkit' : 'classic',
  cleanup: async () => {
    await docker('rm', '-fv', 'tp7-contract-box', 'tp7-contract-built-box');
    const tags = (await docker('images', '--format', '{{.Repository}}:{{.Tag}}', 'tp7-contract/*')).stdout.split('\n').filter(Boolean);
    if (tags.length) await docker('rmi', ...tags);
  },
}));

async function waitFor(address: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      if ((await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`registry ${address} did not start`);
}

async function expectStatus(response: Promise<Response>, status: number, what: string): Promise<void> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`${what}: HTTP ${answer.status} ${await answer.text()}`);
}

/** A registry:2 container of this file on a port of its own (deletion enabled or not), reached over HTTP. */
async function realRegistry(name: string, deleteEnabled: boolean): Promise<RegistryWorld> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const env = deleteEnabled ? ['-e', 'REGISTRY_STORAGE_DELETE_ENABLED=true'] : [];
  await ok(docker('run', '-d', '--name', name, '-p', `${address}:5000`, ...env, 'registry:2'));
  await waitFor(address);
  const client: RegistryClient = createRegistryClient(address);
  const base = `http://${address}/v2`;
  return {
    client,
    async pushBlob(repository, bytes) {
      const { createHash } = await import('node:crypto');
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      // What docker push does: open an upload session, then send the bytes with their digest (2.8 has no one-step POST).
      const session = await fetch(`${base}/${repository}/blobs/uploads/`, { method: 'POST' });
      if (session.status !== 202) throw new Error(`blob upload to ${repository}: HTTP ${session.status} ${await session.text()}`);
      const target = new URL(session.headers.get('location')!, `http://${address}`);
      target.searchParams.set('digest', digest);
      await expectStatus(fetch(target, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } }), 201, `blob upload to ${repository}`);
    },
    async pushManifest(repository, reference, mediaType, bytes) {
      await expectStatus(fetch(`${base}/${repository}/manifests/${reference}`, { method: 'PUT', body: bytes, headers: { 'Content-Type': mediaType } }), 201, `manifest ${repository}:${reference}`);
    },
    async garbageCollect() {
      await ok(docker('exec', name, '/bin/registry', 'garbage-collect', '/etc/docker/registry/config.yml'));
    },
    async restart() {
      await ok(docker('restart', name));
      await waitFor(address);
    },
  };
}

const REGISTRIES = ['tp7-contract-registry', 'tp7-contract-registry-nodelete'];
let worlds: { enabled: RegistryWorld; disabled: RegistryWorld };

beforeAll(async () => {
  await docker('rm', '-fv', ...REGISTRIES);
  if ((await docker('image', 'inspect', 'registry:2')).exitCode !== 0) pulledHere.add('registry:2');
  worlds = { enabled: await realRegistry(REGISTRIES[0]!, true), disabled: await realRegistry(REGISTRIES[1]!, false) };
});

afterAll(async () => {
  await docker('rm', '-fv', ...REGISTRIES);
  if (pulledHere.size) await docker('rmi', ...pulledHere);
});

registryContract('real registry:2', () => worlds);
