import { engineContract } from '../contract/engine.js';
import { describe } from 'vitest';
import { FAKE_PROFILES, FakeEngine, type FakeProfileName } from './fake-engine.js';

// The fake engine, as each engine it emulates, against the engine contract (the real engines run it in
// test/integration/contract.test.ts, one CI pass per engine).
describe.each(Object.keys(FAKE_PROFILES) as FakeProfileName[])('fake engine %s', (profile) => engineContract(`fake ${profile}`, () => {
  let engine = new FakeEngine({ profile });
  return {
    engine: async () => engine,
    pull: async (ref) => void engine.pull(ref),
    tag: async (source, target) => engine.tag(source, target),
    untag: async (ref) => engine.untag(ref),
    build: async (tag, base, path, content) => void engine.build(tag, base, { [path]: content }),
    create: async (name, image) => void engine.addContainer(name, { image, running: false, status: 'created' }),
    builder: profile === '20.10' ? 'classic' : 'buildkit',
    cleanup: async () => {
      engine = new FakeEngine({ profile });
    },
  };
}));
