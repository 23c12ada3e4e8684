import type { EngineAddress } from '../engine/address.js';
import type { ProbeClients } from '../probes/types.js';

/** One student's machine as a grader reaches it. */
export interface Target {
  /** The student's engine. */
  engine: EngineAddress;
  /** The student's working directory, on the machine the engine runs on (for ssh://, a path on the remote). */
  workdir: string;
  /** The lab registry as the student's machine reaches it (host:port); default: the lab's usual localhost:5000. */
  registry?: string;
}

/** Every client a probe may use, all pointed at one target, and the way to let them go. */
export interface TargetSession {
  clients: Omit<ProbeClients, 'signal'>;
  close(): Promise<void>;
}
