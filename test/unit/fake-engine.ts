import type { EngineClient, ImageInspect, ImageSummary } from '../../src/engine/types.js';
import type { ProbeClients } from '../../src/probes/types.js';
import type { RegistryClient } from '../../src/registry/types.js';

/** An in-memory engine for unit tests of pure probe logic (integration tests use the real one). */
export function fakeEngine(images: Record<string, Partial<ImageInspect>>): EngineClient {
  const full = (ref: string): ImageInspect => ({
    Id: 'sha256:' + '0'.repeat(64),
    Created: '2024-01-15T12:34:56Z',
    Size: 1000,
    Architecture: 'amd64',
    Os: 'linux',
    ...images[ref],
  });
  const summaries = (): ImageSummary[] => {
    const byId = new Map<string, ImageSummary>();
    for (const ref of Object.keys(images)) {
      const image = full(ref);
      const entry = byId.get(image.Id) ?? { Id: image.Id, RepoTags: [], RepoDigests: [], Created: 0, Size: image.Size, Labels: null };
      entry.RepoTags!.push(ref);
      byId.set(image.Id, entry);
    }
    return [...byId.values()];
  };
  return {
    host: 'unix:///fake.sock',
    version: async () => ({ version: '20.10.0', apiVersion: '1.41', os: 'linux', arch: 'amd64' }),
    inspectImage: async (ref) => (ref in images ? full(ref) : null),
    imageHistory: async () => null,
    listImages: async (filters) => {
      const wanted = filters?.reference?.[0];
      return summaries().filter((summary) => !wanted || summary.RepoTags!.some((tag) => tag.startsWith(`${wanted}:`)));
    },
    inspectContainer: async () => null,
    listContainers: async () => [],
    diskUsage: async () => ({ LayersSize: summaries().reduce((total, image) => total + image.Size, 0), Images: summaries().map((image) => ({ ...image, SharedSize: 0, Containers: 0 })) }),
    readImageFile: async () => ({ found: false, reason: 'no-image' }),
    readContainerFile: async () => ({ found: false, reason: 'no-container' }),
    saveImage: async () => null,
    onEvents: async () => () => undefined,
  };
}

export const noRegistry: RegistryClient = {
  address: 'localhost:5000',
  request: async () => {
    throw new Error('no registry in unit tests');
  },
};

function unused<T>(what: string): T {
  return new Proxy({}, { get: () => { throw new Error(`${what} are not used by this test`); } }) as T;
}

export function clients(engine: EngineClient): ProbeClients {
  return { engine, registry: noRegistry, workdir: '/nonexistent', files: unused('files'), processes: unused('processes') };
}

export const ID_A = `sha256:${'a'.repeat(64)}`;
export const ID_B = `sha256:${'b'.repeat(64)}`;
