import { accessSync, constants, statfsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CommandContext } from '../../cli/context.js';
import { connectEngine } from '../../engine/dockerode-client.js';
import { engineHost } from '../../engine/host.js';
import type { EngineClient } from '../../engine/types.js';
import { EngineUnreachableError, ExitCode, oneLine } from '../../errors.js';
import { both, pick, type LocalizedText } from '../../lab/lang.js';
import { createRegistryClient } from '../../registry/http-client.js';
import { showControls } from '../../ui/escape.js';
import { MARKS } from '../../ui/style.js';
import { printJson } from '../shared.js';
import { networkFinding } from './network.js';

/** fail: the lab cannot work; error: something the TP needs is missing; skip: not needed yet. */
type Level = 'pass' | 'fail' | 'error' | 'skip';
interface Finding {
  id: string;
  status: Level;
  detail: LocalizedText;
}

/** Below this, `docker save` of a few images and their compressed copies (exercise 3) will not fit. */
const MIN_FREE_BYTES = 2e9;
const TOOLS = ['docker', 'curl', 'jq', 'gzip', 'bzip2', 'xz', 'zstd', 'tar'];

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function engineFinding(): Promise<{ finding: Finding; engine?: EngineClient }> {
  try {
    const engine = await connectEngine();
    const { version, apiVersion, os, arch, store } = await engine.version();
    const where = `${engine.host}: Docker ${version}, API ${apiVersion} (${os}/${arch})`;
    const stores = { classic: { fr: 'stockage classique des images', en: 'classic image store' }, containerd: { fr: "stockage d'images containerd", en: 'containerd image store' } }[store];
    return { finding: { id: 'engine', status: 'pass', detail: both(`${where}, ${stores.fr}`, `${where}, ${stores.en}`) }, engine };
  } catch (error) {
    const detail = error instanceof EngineUnreachableError ? error.text : both(`${engineHost()} : ${oneLine(error)}`, `${engineHost()}: ${oneLine(error)}`);
    return { finding: { id: 'engine', status: 'fail', detail } };
  }
}

/** A container on the default network, with a published port: what exercises 4 and 5 need (see network.ts). */
async function defaultNetworkFinding(engine: EngineClient | undefined): Promise<Finding> {
  if (!engine) return { id: 'network', status: 'skip', detail: both('moteur injoignable', 'engine unreachable') };
  try {
    const { default: Docker } = await import('dockerode');
    // connectEngine has put the engine it found (DOCKER_HOST or the docker context) where dockerode reads it.
    const docker = new Docker({ version: `v${(await engine.version()).apiVersion}`, timeout: 30_000 });
    return { id: 'network', ...(await networkFinding(docker, engine.host.startsWith('unix://'))) };
  } catch (error) {
    const line = oneLine(error);
    return { id: 'network', status: 'fail', detail: both(`essai de conteneur impossible (« ${line} »)`, `could not try a container ("${line}")`) };
  }
}

async function registryFinding(address: string): Promise<Finding> {
  try {
    const response = await createRegistryClient(address).request('GET', '/v2/');
    const api = response.headers['docker-distribution-api-version'];
    if (response.status === 200 && api) return { id: 'registry', status: 'pass', detail: both(`${address} : ${api}`, `${address}: ${api}`) };
    return {
      id: 'registry',
      status: 'error',
      detail: both(`${address} a répondu HTTP ${response.status} sans en-tête d'API de registre`, `${address} answered HTTP ${response.status} without a registry API header`),
    };
  } catch (error) {
    // Not fatal: students start this registry themselves in exercise 4.
    const why = (error as { text?: LocalizedText }).text ?? both(oneLine(error), oneLine(error));
    return { id: 'registry', status: 'skip', detail: both(`${why.fr} (normal avant l'exercice 4.2)`, `${why.en} (normal before exercise 4.2)`) };
  }
}

function diskFinding(workdir: string): Finding {
  const stats = statfsSync(workdir);
  const free = stats.bavail * stats.bsize;
  const gb = (free / 1e9).toFixed(1);
  return { id: 'disk', status: free >= MIN_FREE_BYTES ? 'pass' : 'error', detail: both(`${gb} Go libres dans ${workdir}`, `${gb} GB free in ${workdir}`) };
}

/** Whether a recorded run's script can be kept from the engine here (src/scripts/sandbox.ts). */
async function isolationFinding(workdir: string): Promise<Finding> {
  const { execaRunner } = await import('../../processes/execa-runner.js');
  const { localScriptHost } = await import('../../scripts/local-host.js');
  const { isolationOf } = await import('../../scripts/recorded-run.js');
  const { notIsolatedNote, THIS_MACHINE } = await import('../../scripts/sandbox.js');
  try {
    const found = await isolationOf(localScriptHost(execaRunner(workdir)));
    if (found.isolated) {
      return { id: 'isolation', status: 'pass', detail: both("les scripts lancés en simulation n'atteignent aucun moteur (espaces de noms privés)", 'recorded runs reach no engine (private namespaces)') };
    }
    const note = notIsolatedNote(THIS_MACHINE.en, found.reason);
    return { id: 'isolation', status: 'error', detail: both(notIsolatedNote(THIS_MACHINE.fr, found.reason).fr, note.en) };
  } catch (error) {
    const line = oneLine(error);
    return { id: 'isolation', status: 'error', detail: both(`essai impossible (« ${line} »)`, `could not try ("${line}")`) };
  }
}

function toolFinding(tool: string): Finding {
  return onPath(tool)
    ? { id: `tool:${tool}`, status: 'pass', detail: both('trouvé', 'found') }
    : { id: `tool:${tool}`, status: 'error', detail: both('absent du PATH', 'not on PATH') };
}

export async function run(context: CommandContext): Promise<number> {
  const [{ finding: engine, engine: client }, registry, isolation] = await Promise.all([engineFinding(), registryFinding(context.registry), isolationFinding(context.workdir)]);
  const findings: Finding[] = [engine, await defaultNetworkFinding(client), registry, isolation, diskFinding(context.workdir), ...TOOLS.map(toolFinding)];
  const shown = findings.map((finding) => ({ ...finding, detail: pick(finding.detail, context.lang) }));
  if (context.json) printJson(context, { findings: shown });
  // Details quote the engine and the registry: shown, never obeyed by the terminal.
  else for (const finding of shown) context.out(`${MARKS[finding.status]()} ${finding.id.padEnd(12)} ${showControls(finding.detail)}`);
  if (engine.status === 'fail') return ExitCode.engineUnreachable;
  return findings.some((finding) => finding.status === 'error' || finding.status === 'fail') ? ExitCode.checkFailed : ExitCode.ok;
}
