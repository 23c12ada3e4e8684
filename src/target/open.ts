// The clients of one target. A local engine (unix://, or tcp:// reached from here) has its files, scripts and
// services on this machine; an ssh:// engine has them on the remote, reached through src/ssh/.
import { engineEnv } from '../engine/address.js';
import { connectEngine } from '../engine/dockerode-client.js';
import { workdirFiles } from '../files/workdir.js';
import { createHttpClient } from '../http/client.js';
import { execaRunner } from '../processes/execa-runner.js';
import { createRegistryClient } from '../registry/http-client.js';
import type { Target, TargetSession } from './types.js';

/** The lab's registry, where the course runs it (exercise 4). */
export const DEFAULT_LAB_REGISTRY = 'localhost:5000';

export async function openTarget(target: Target): Promise<TargetSession> {
  if (target.engine.host.startsWith('ssh://')) {
    // Engine, files (SFTP), scripts and localhost services all on the student's machine, over one ssh master.
    const { openSshTarget } = await import('../ssh/target.js');
    return openSshTarget(target.engine, target.workdir, target.registry ?? DEFAULT_LAB_REGISTRY);
  }
  const engine = await connectEngine(target.engine);
  return {
    clients: {
      engine,
      registry: createRegistryClient(target.registry ?? DEFAULT_LAB_REGISTRY),
      workdir: target.workdir,
      files: workdirFiles(target.workdir),
      // A script that calls docker reaches this target's engine, whatever the grader's own DOCKER_HOST says.
      processes: execaRunner(target.workdir, engineEnv(target.engine)),
      http: createHttpClient(),
    },
    // dockerode opens a connection per request (no keep-alive): nothing stays open to let go of.
    close: async () => undefined,
  };
}
