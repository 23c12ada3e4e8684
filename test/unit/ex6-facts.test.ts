import { describe, expect, it } from 'vitest';
import { reclaimableImageBytes } from '../../src/engine/disk-usage.js';
import type { ContainerSummary, EngineClient } from '../../src/engine/types.js';
import { setupWasteFact } from '../../src/facts/setup-waste.js';
import { matchesFact } from '../../src/questions/match.js';
import { parseSize } from '../../src/questions/normalise.js';
import type { FileAccess } from '../../src/files/types.js';
import { clients, fakeEngine, ID_A, ID_B } from './fake-engine.js';

const ID_C = `sha256:${'c'.repeat(64)}`;

describe('exercise 6 facts and matchers', () => {
  it('computes RECLAIMABLE as the docker CLI does: layers minus what images in use hold alone', () => {
    const df = {
      LayersSize: 1000,
      Images: [
        { Id: ID_A, RepoTags: ['web:1'], Size: 600, SharedSize: 100, Containers: 1 },
        { Id: ID_B, RepoTags: ['batch:1'], Size: 300, SharedSize: 100, Containers: 0 },
      ],
    };
    expect(reclaimableImageBytes(df)).toBe(500);
  });

  it('reads "12.5MB (45%)" as docker system df prints it, and image lists in any order', () => {
    expect(parseSize('12.5MB (45%)')).toEqual(parseSize('12.5MB'));
    expect(matchesFact('size', '1.05MB (40%)', 1_048_576)).toBe(true);
    expect(matchesFact('image-list', 'tp7-b:1.0, tp7-a:1.0', ['tp7-a:1.0', 'tp7-b:1.0'])).toBe(true);
    expect(matchesFact('image-list', 'app', ['app:latest'])).toBe(true);
    expect(matchesFact('image-list', 'tp7-a:1.0', ['tp7-a:1.0', 'tp7-b:1.0'])).toBe(false);
    expect(matchesFact('image-list', 'aucune', [])).toBe(true);
  });

  it('counts the dangling images setup left even once the student cleaned them', async () => {
    const engine: EngineClient = {
      ...fakeEngine({ [ID_C]: { Id: ID_C } }),
      listImages: async () => [{ Id: ID_C, RepoTags: [], RepoDigests: [], Created: 0, Size: 10, Labels: null }],
      diskUsage: async () => ({ LayersSize: 100, Images: [] }),
    };
    const ledger = { exercise: 'ex6', at: '', dangling: [{ id: ID_A, size: 40 }, { id: ID_C, size: 10 }] };
    const files = { readText: async () => JSON.stringify(ledger) } as unknown as FileAccess;
    const withLedger = { ...clients(engine), files };
    expect((await setupWasteFact.read({ kind: 'setup-waste', exercise: 'ex6', answer: 'dangling-count', refs: [] }, withLedger)).value).toBe(2);
    expect((await setupWasteFact.read({ kind: 'setup-waste', exercise: 'ex6', answer: 'reclaimable', refs: [] }, withLedger)).value).toBe(140);
    // Without setup, "0 dangling images" would be right for doing nothing: the question waits for the setup.
    const noLedger = { ...clients(engine), files: { readText: async () => { throw new Error('ENOENT'); } } as unknown as FileAccess };
    const waiting = await setupWasteFact.read({ kind: 'setup-waste', exercise: 'ex6', answer: 'dangling-count', refs: [] }, noLedger);
    expect(waiting).toEqual({ value: null, missing: { fr: "tp7 setup ex6 n'a pas été lancé dans ce dossier de travail", en: 'tp7 setup ex6 has not been run in this working directory' } });
  });

  it('counts the dangling images that were there before setup too, once a cleanup removed them (older ledger)', async () => {
    const engine: EngineClient = { ...fakeEngine({}), listImages: async () => [], diskUsage: async () => ({ LayersSize: 0, Images: [] }) };
    // The student had one dangling image of their own; setup left two; `light` removed all three.
    const ledger = { exercise: 'ex6', at: '', dangling: [{ id: ID_A, size: 40 }, { id: ID_B, size: 10 }], danglingAtSetup: [{ id: ID_A, size: 40 }, { id: ID_B, size: 10 }, { id: ID_C, size: 5 }] };
    const files = { readText: async () => JSON.stringify(ledger) } as unknown as FileAccess;
    const withLedger = { ...clients(engine), files };
    expect((await setupWasteFact.read({ kind: 'setup-waste', exercise: 'ex6', answer: 'dangling-count', refs: [] }, withLedger)).value).toBe(3);
    expect((await setupWasteFact.read({ kind: 'setup-waste', exercise: 'ex6', answer: 'reclaimable', refs: [] }, withLedger)).value).toBe(55);
  });

  it('answers with the figures as they stood when setup ended, whatever the engine holds now', async () => {
    // After setup: one more dangling image of the student's, and a cleanup whose removed images shared layers
    // (their full sizes added back would give 40 + 35 + 100 = 175, the SIZE column rather than RECLAIMABLE).
    const engine: EngineClient = {
      ...fakeEngine({}),
      listImages: async () => [{ Id: ID_C, RepoTags: [], RepoDigests: [], Created: 0, Size: 10, Labels: null }],
      diskUsage: async () => ({ LayersSize: 100, Images: [] }),
    };
    const ledger = { exercise: 'ex6', at: '', dangling: [{ id: ID_A, size: 40 }, { id: ID_B, size: 35 }], danglingAtSetup: [{ id: ID_A, size: 40 }, { id: ID_B, size: 35 }], reclaimableAtSetup: 90 };
    const files = { readText: async () => JSON.stringify(ledger) } as unknown as FileAccess;
    const withLedger = { ...clients(engine), files };
    const count = await setupWasteFact.read({ kind: 'setup-waste', exercise: 'ex6', answer: 'dangling-count', refs: [] }, withLedger);
    expect(count).toEqual({ value: 2 });
    const reclaimable = await setupWasteFact.read({ kind: 'setup-waste', exercise: 'ex6', answer: 'reclaimable', refs: [] }, withLedger);
    expect(reclaimable).toEqual({ value: 90 });
    expect(matchesFact('size', '175B', reclaimable.value)).toBe(false);
  });

  it('calls an image used by a stopped container used, as --filter ancestor does', async () => {
    const stopped: ContainerSummary = { Id: 'c1', Names: ['/web'], Image: 'web:1', ImageID: ID_A, State: 'exited', Labels: null };
    const engine: EngineClient = {
      ...fakeEngine({ 'web:1': { Id: ID_A }, 'batch:1': { Id: ID_B } }),
      listContainers: async (filters) => (filters?.ancestor?.[0] === ID_A ? [stopped] : []),
    };
    const fact = await setupWasteFact.read({ kind: 'setup-waste', exercise: 'ex6', answer: 'unused-images', refs: ['web:1', 'batch:1'] }, clients(engine));
    expect(fact.value).toEqual(['batch:1']);
    const missing = await setupWasteFact.read({ kind: 'setup-waste', exercise: 'ex6', answer: 'unused-images', refs: ['gone:1'] }, clients(engine));
    expect(missing.missing?.en).toContain('run tp7 setup first');
  });
});
