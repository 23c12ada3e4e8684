// Checks with side effects (they run a student's script) run once per state of what they read: the same script
// file, the same images, the same registry content give the verdict of the last run, without running it again.
import { createHash } from 'node:crypto';
import { PROBE_LABEL } from '../engine/probe-owner.js';
import type { Outcome, ProbeClients } from '../probes/types.js';
import type { Inputs } from './inputs.js';
import { cachedVerdict, keepVerdict, type VerdictScope } from './verdict-cache.js';

/** A state that never matches: inputs that cannot be summed up (any container...) always count as changed. */
const UNKNOWN = () => `unknown:${Math.random()}`;

/** Most repositories summed up for the registry's state; a bigger registry always counts as changed. */
const MAX_REPOSITORIES = 100;

async function imagesState(inputs: Inputs, { engine }: ProbeClients): Promise<unknown> {
  if (inputs.images === 'any') {
    // Every image but tp7's own probe images: a check that makes some at check time (unused-images-script) ran
    // alongside, and with them in the state every re-check missed and ran every script again.
    const all = await engine.listImages();
    return all.filter((image) => image.Labels?.[PROBE_LABEL] === undefined).map((image) => [image.Id, image.RepoTags]).sort();
  }
  return Promise.all(inputs.images.map(async (ref) => [ref, (await engine.inspectImage(ref))?.Id ?? null]));
}

async function containersState(inputs: Inputs, { engine }: ProbeClients): Promise<unknown> {
  if (inputs.containers === 'any') {
    // Every container but tp7's own probe containers (other checks come and go with theirs meanwhile).
    const all = await engine.listContainers();
    return all.filter((container) => container.Labels?.[PROBE_LABEL] === undefined).map((container) => [container.Id, container.Names, container.ImageID, container.State]).sort();
  }
  return Promise.all(inputs.containers.map(async (name) => {
    const container = await engine.inspectContainer(name);
    return [name, container ? [container.Id, container.State.Status] : null];
  }));
}

/** Each file as (size, mtime, device, inode); a folder as the same for each of its entries. */
async function filesState(inputs: Inputs, { files }: ProbeClients): Promise<unknown> {
  if (inputs.files === 'any') return UNKNOWN();
  return Promise.all(inputs.files.map(async (path) => {
    const info = await files.stat(path);
    const entries = info?.isDirectory ? await files.list(path) : [];
    return [path, info, entries];
  }));
}

/** Repositories and tags, and each tag's digest would cost a request each: a push also ends in an engine event. */
async function registryState(inputs: Inputs, { registry }: ProbeClients): Promise<unknown> {
  if (!inputs.registry) return null;
  try {
    const catalog = await registry.request('GET', '/v2/_catalog');
    const repositories = ((catalog.json as { repositories?: string[] } | undefined)?.repositories ?? []).slice(0, MAX_REPOSITORIES + 1);
    if (repositories.length > MAX_REPOSITORIES) return UNKNOWN();
    const tags = await Promise.all(repositories.map(async (name) => (await registry.request('GET', `/v2/${name}/tags/list`)).text));
    return [catalog.status, repositories, tags];
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  }
}

/** A digest of the state of everything `inputs` names, as seen now. */
export async function inputState(inputs: Inputs, clients: ProbeClients): Promise<string> {
  const parts = await Promise.all([imagesState(inputs, clients), containersState(inputs, clients), filesState(inputs, clients), registryState(inputs, clients)]);
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

type Entry = { state: string; outcome: Outcome };

const memo = new Map<string, Entry>();

function scopeOf(clients: ProbeClients): VerdictScope {
  return { workdir: clients.workdir, engine: clients.engine.host, registry: clients.registry.address };
}

/**
 * The outcome of a check with side effects: the last one when its inputs are in the same state as then,
 * otherwise a new run. Errors are not kept (a time-out or a lost engine is worth trying again). With
 * `trustStored`, an outcome another tp7 process kept in the user's verdict cache counts too (see
 * verdict-cache.ts: watch, hint and a plain `tp7 check`, never `--strict`).
 */
export async function runOncePerState(key: string, inputs: Inputs, clients: ProbeClients, run: () => Promise<Outcome>, trustStored = false, spec: unknown = null): Promise<Outcome> {
  const state = await inputState(inputs, clients);
  const last = memo.get(key);
  if (last?.state === state) return last.outcome;
  const stored = trustStored ? cachedVerdict(scopeOf(clients), key, spec, state) : undefined;
  if (stored) return stored;
  const outcome = await run();
  if (outcome.status !== 'error') {
    memo.set(key, { state, outcome });
    keepVerdict(scopeOf(clients), key, spec, state, outcome);
  }
  return outcome;
}
