import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_LABEL } from '../../src/engine/image-file.js';
import { docker, newWorkdir, ok, tp7, tp7Json } from './harness.js';

// `tp7 doctor` on the real test engine: the default network really runs a container and publishes a port,
// and the container it made for that is gone afterwards.
describe('tp7 doctor', () => {
  let busyboxWasThere = false;
  beforeAll(async () => {
    busyboxWasThere = (await docker('image', 'inspect', 'busybox')).exitCode === 0;
    if (!busyboxWasThere) await ok(docker('pull', 'busybox'));
  });
  afterAll(async () => {
    if (!busyboxWasThere) await docker('rmi', 'busybox');
  });

  it('runs a labelled container with a published port on the default network, then removes it', async () => {
    const { run, json } = await tp7Json(['doctor'], { workdir: newWorkdir() });
    const network = json.findings.find((finding: { id: string }) => finding.id === 'network');
    expect(network, run.stdout).toMatchObject({ status: 'pass' });
    expect(network.detail).toMatch(/publishes a port \(127\.0\.0\.1:\d+\)/);
    const leftovers = await docker('ps', '-a', '--filter', `label=${PROBE_LABEL}`, '--format', '{{.ID}}');
    expect(leftovers.stdout.trim()).toBe('');
  });

  it('says whether recorded runs can be kept from the engine here (they can, on this machine)', async () => {
    const { json } = await tp7Json(['doctor'], { workdir: newWorkdir() });
    expect(json.findings.find((finding: { id: string }) => finding.id === 'isolation')).toEqual({ id: 'isolation', status: 'pass', detail: 'recorded runs reach no engine (private namespaces)' });
  });

  it('speaks French in French mode', async () => {
    const run = await tp7(['doctor', '--lang', 'fr'], { workdir: newWorkdir() });
    expect(run.stdout).toMatch(/network\s+un conteneur de \S+ démarre sur le réseau bridge/);
    expect(run.stdout).not.toMatch(/\b(found|not on PATH|free in)\b/);
  });
});
