// Every client of one student's machine reached over SSH, sharing one ssh master: the engine (dial-stdio),
// the workdir (SFTP, or the remote's shell without it), scripts (commands over ssh), and localhost services (ssh -W). close() ends the master.
import { connectEngine } from '../engine/dockerode-client.js';
import { EngineUnreachableError } from '../errors.js';
import { createHttpClient } from '../http/client.js';
import { createRegistryClient } from '../registry/http-client.js';
import { settings } from '../settings.js';
import type { ProbeClients } from '../probes/types.js';
import type { EngineAddress } from '../engine/address.js';
import { sshConnection, type SshConnection } from './connection.js';
import { explainSsh, SshError } from './errors.js';
import { forwardedSend } from './forward.js';
import { sshRunner } from './processes.js';
import { openFileSession, type FileSession } from './file-session.js';
import { remoteFacts } from './remote-facts.js';
import { remoteWorkdirFiles } from './remote-files.js';
import { sshScriptHost } from './script-host.js';

export interface SshTargetSession {
  clients: Omit<ProbeClients, 'signal'>;
  close(): Promise<void>;
}

/**
 * Sessions open on each connection: two students of one roster on one ssh address (two workdirs of one account)
 * share its master, which the first to finish must not end under the other.
 */
const users = new WeakMap<SshConnection, number>();

export async function openSshTarget(engine: EngineAddress, workdir: string, registry: string): Promise<SshTargetSession> {
  const connection = sshConnection(engine.host);
  users.set(connection, (users.get(connection) ?? 0) + 1);
  const release = async () => {
    const left = (users.get(connection) ?? 1) - 1;
    users.set(connection, left);
    if (left === 0) await connection.close();
  };
  try {
    return await openOn(connection, engine, workdir, registry, release);
  } catch (error) {
    await release();
    throw error;
  }
}

async function openOn(connection: SshConnection, engine: EngineAddress, workdir: string, registry: string, release: () => Promise<void>): Promise<SshTargetSession> {
  await connection.ready(settings().TP7_ENGINE_TIMEOUT_MS).catch((error: unknown) => {
    throw error instanceof SshError ? new EngineUnreachableError(engine.host, explainSsh(error, engine.host)) : error;
  });
  let session: Promise<FileSession> | undefined;
  // One SFTP session (the remote's shell where its sshd offers no SFTP), opened on first use, shared by the file
  // probes and the recorded runs.
  const sftp = () => (session ??= openFileSession(connection));
  const processes = sshRunner(connection, workdir);
  // Asked now, once: the engine forward below and the script host use the same answer.
  const facts = await remoteFacts(connection, settings().TP7_ENGINE_TIMEOUT_MS).catch(() => undefined);
  const send = forwardedSend(connection);
  return {
    clients: {
      engine: await connectEngine(engine),
      registry: createRegistryClient(registry, { send }),
      workdir,
      files: remoteWorkdirFiles(sftp, workdir),
      processes,
      scripts: sshScriptHost(connection, processes, sftp, facts?.engine),
      http: createHttpClient(send),
    },
    async close() {
      if (session) (await session.catch(() => undefined))?.end();
      await release();
    },
  };
}
