import { engineContract } from '../contract/engine.js';
import { FakeEngine } from './fake-engine.js';

// The fake engine against the engine contract (the real engine runs it in test/integration/contract.test.ts).
engineContract('fake engine', () => {
  let engine = new FakeEngine();
  return {
    engine: async () => engine,
    pull: async (ref) => void engine.pull(ref),
    tag: async (source, target) => engine.tag(source, target),
    untag: async (ref) => engine.untag(ref),
    build: async (tag, base, path, content) => void engine.build(tag, base, { [path]: content }),
    create: async (name, image) => void engine.addContainer(name, { image, running: false, status: 'created' }),
    cleanup: async () => {
      engine = new FakeEngine();
    },
  };
});
