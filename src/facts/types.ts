import type { z } from 'zod';
import type { ProbeClients, ProbeInputs } from '../probes/types.js';
import type { Localized } from '../lab/text.js';

/** A value read from the student's own engine or registry at check time: the answer to an engine-derived question. */
export interface Fact {
  /** Null when the fact cannot be read (e.g. the image is not there yet); `missing` says why. */
  value: string | number | boolean | string[] | null;
  missing?: Localized;
  /** Other names of the same value a student may answer with (e.g. the file name for "xz"). */
  synonyms?: string[];
  /**
   * Another answer that is right on this student's engine by another reading of the question, with the reason the
   * student reads (e.g. the course's answer where the containerd image store shows something else).
   */
  alsoRight?: Array<{ value: string; because: Localized }>;
}

export interface FactKind<Spec extends { kind: string }> {
  kind: Spec['kind'];
  schema: z.ZodType<Spec>;
  read(spec: Spec, clients: ProbeClients): Promise<Fact>;
  /** What it reads, as for a probe kind (ProbeInputs); absent: anything. */
  inputs?: ProbeInputs;
}
