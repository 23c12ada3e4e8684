import { registryContract } from '../contract/registry.js';
import { FakeRegistry } from './fake-registry.js';

// The fake registry against the registry contract (a real registry:2 runs it in test/integration/contract.test.ts).
function world(registry: FakeRegistry) {
  return {
    client: registry,
    pushBlob: async (repository: string, bytes: Buffer) => void registry.pushBlob(repository, bytes),
    pushManifest: async (repository: string, reference: string, mediaType: string, bytes: Buffer) => void registry.pushManifest(repository, reference, mediaType, bytes),
    garbageCollect: async () => registry.garbageCollect(),
    restart: async () => registry.restart(),
  };
}

registryContract('fake registry', () => ({ enabled: world(new FakeRegistry({ deleteEnabled: true })), disabled: world(new FakeRegistry()) }));
