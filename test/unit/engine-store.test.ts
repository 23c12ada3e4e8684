import { describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/engine/dockerode-client.js';
import { apiPath, standInEngine } from '../stand-in-engine.js';

// What the engine client reads of the image store, against stand-in engines answering as each version does.
const CONTAINERD = { DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] };
const INDEX = `sha256:${'1'.repeat(64)}`;
const AMD64 = { ID: `sha256:${'2'.repeat(64)}`, Kind: 'image', Available: true, Descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'2'.repeat(64)}`, size: 500 }, ImageData: { Platform: { os: 'linux', architecture: 'amd64' } } };
const IMAGE = { Id: INDEX, Size: 1000, Architecture: 'amd64', Os: 'linux', RepoTags: ['nginx:alpine'], RootFS: { Type: 'layers', Layers: [] } };

describe('engine client: the containerd image store', () => {
  it('reads the store from /info, and the manifests of an image from inspect (API 1.48+)', async () => {
    const engine = await standInEngine((request, response) => {
      const path = apiPath(request);
      const body = path === '/images/nginx:alpine/json' && request.url?.includes('manifests=true') ? { ...IMAGE, Manifests: [AMD64] } : path === '/images/nginx:alpine/json' ? IMAGE : {};
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    }, { version: { Version: '28.5.2', ApiVersion: '1.51' }, info: CONTAINERD });
    try {
      const client = await connectEngine({ host: engine.host });
      expect((await client.version()).store).toBe('containerd');
      expect((await client.inspectImage('nginx:alpine'))?.Manifests).toEqual([AMD64]);
    } finally {
      engine.close();
    }
  });

  it('at API 1.47 (Engine 27, Docker Desktop 4.34 to 4.38), from the image list, asked once', async () => {
    const engine = await standInEngine((request, response) => {
      const path = apiPath(request);
      // Inspect has no manifests before 1.48; the list has them from 1.47 when asked.
      const body = path === '/images/nginx:alpine/json' ? IMAGE : path === '/images/json' && request.url?.includes('manifests=true') ? [{ Id: INDEX, Manifests: [AMD64] }] : [];
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    }, { version: { Version: '27.5.1', ApiVersion: '1.47' }, info: CONTAINERD });
    try {
      const client = await connectEngine({ host: engine.host });
      expect((await client.inspectImage('nginx:alpine'))?.Manifests).toEqual([AMD64]);
      expect(await client.inspectImage('nginx:alpine')).toMatchObject({ Id: INDEX });
      expect(engine.requests.filter((request) => request.includes('/images/json')).length).toBe(1);
    } finally {
      engine.close();
    }
  });

  it('asks nothing of the kind from a classic store', async () => {
    const engine = await standInEngine((request, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(apiPath(request) === '/images/nginx:alpine/json' ? IMAGE : [])));
    try {
      const client = await connectEngine({ host: engine.host });
      expect((await client.version()).store).toBe('classic');
      expect((await client.inspectImage('nginx:alpine'))?.Manifests ?? undefined).toBeUndefined();
      expect(engine.requests.some((request) => request.includes('manifests'))).toBe(false);
    } finally {
      engine.close();
    }
  });
});
