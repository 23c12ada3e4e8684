import { accessSync, constants, statfsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CommandContext } from '../../cli/context.js';
import { connectEngine } from '../../engine/dockerode-client.js';
import { engineHost } from '../../engine/host.js';
import { EngineUnreachableError, ExitCode, oneLine } from '../../errors.js';
import { createRegistryClient } from '../../registry/http-client.js';
import { MARKS } from '../../ui/style.js';
import { printJson } from '../shared.js';

/** fail: the lab cannot work; error: something the TP needs is missing; skip: not needed yet. */
type Level = 'pass' | 'fail' | 'error' | 'skip';
interface Finding {
  id: string;
  status: Level;
  detail: string;
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

async function engineFinding(): Promise<Finding> {
  try {
    const engine = await connectEngine();
    const version = await engine.version();
    return { id: 'engine', status: 'pass', detail: `${engine.host}: Docker ${version.version}, API ${version.apiVersion} (${version.os}/${version.arch})` };
  } catch (error) {
    return { id: 'engine', status: 'fail', detail: error instanceof EngineUnreachableError ? error.message : `${engineHost()}: ${oneLine(error)}` };
  }
}

async function registryFinding(address: string): Promise<Finding> {
  try {
    const response = await createRegistryClient(address).request('GET', '/v2/');
    const api = response.headers['docker-distribution-api-version'];
    if (response.status === 200 && api) return { id: 'registry', status: 'pass', detail: `${address}: ${api}` };
    return { id: 'registry', status: 'error', detail: `${address} answered HTTP ${response.status} without a registry API header` };
  } catch (error) {
    // Not fatal: students start this registry themselves in exercise 4.
    return { id: 'registry', status: 'skip', detail: `${oneLine(error)} (normal before exercise 4.2)` };
  }
}

function diskFinding(workdir: string): Finding {
  const stats = statfsSync(workdir);
  const free = stats.bavail * stats.bsize;
  const gb = (free / 1e9).toFixed(1);
  return { id: 'disk', status: free >= MIN_FREE_BYTES ? 'pass' : 'error', detail: `${gb} GB free in ${workdir}` };
}

export async function run(context: CommandContext): Promise<number> {
  const findings: Finding[] = [
    ...(await Promise.all([engineFinding(), registryFinding(context.registry)])),
    diskFinding(context.workdir),
    ...TOOLS.map((tool): Finding => (onPath(tool) ? { id: `tool:${tool}`, status: 'pass', detail: 'found' } : { id: `tool:${tool}`, status: 'error', detail: 'not on PATH' })),
  ];
  if (context.json) printJson(context, { findings });
  else for (const finding of findings) context.out(`${MARKS[finding.status]()} ${finding.id.padEnd(12)} ${finding.detail}`);
  if (findings[0]!.status === 'fail') return ExitCode.engineUnreachable;
  return findings.some((finding) => finding.status === 'error') ? ExitCode.checkFailed : ExitCode.ok;
}
