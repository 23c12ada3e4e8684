import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { connectEngine } from '../engine/dockerode-client.js';
import type { ImageStore } from '../engine/types.js';
import { EngineUnreachableError, UsageError } from '../errors.js';
import { instructionsFor } from '../lab/engine-text.js';
import { both, pick, type Lang } from '../lab/text.js';
import { findExercise, loadLab, type Lab, type LoadedExercise } from '../lab/loader.js';
import type { ProbeClients } from '../probes/types.js';
import { loadProgress, updateProgress, type LoadResult, type Progress } from '../progress/store.js';
import { createRegistryClient } from '../registry/http-client.js';
import { workdirFiles } from '../files/workdir.js';
import { execaRunner } from '../processes/execa-runner.js';
import { createHttpClient } from '../http/client.js';

export function requireExercise(lab: Lab, id: string | undefined): LoadedExercise {
  const known = lab.exercises.map((loaded) => loaded.exercise.id).join(', ');
  if (!id) throw new UsageError(both(`nommez un exercice : ${known}`, `name an exercise: ${known}`));
  const found = findExercise(lab, id);
  if (!found) throw new UsageError(both(`pas d'exercice « ${id} » ; ceux qui existent : ${known}`, `no exercise "${id}"; known: ${known}`));
  return found;
}

export async function labAndExercise(context: CommandContext): Promise<{ lab: Lab; loaded: LoadedExercise }> {
  const lab = await loadLab();
  return { lab, loaded: requireExercise(lab, context.args[0]) };
}

export async function connectClients(context: CommandContext): Promise<ProbeClients> {
  return {
    engine: await connectEngine(),
    registry: createRegistryClient(context.registry),
    workdir: context.workdir,
    files: workdirFiles(context.workdir),
    processes: execaRunner(context.workdir),
    http: createHttpClient(),
  };
}

/**
 * The image store of the student's engine, for a text that has a form for it (src/lab/engine-text.ts): read from
 * the clients when the command has them, else from the engine if it answers; undefined when no engine does (an
 * instructions page then keeps every engine's block, each saying which engine it is for; a hint or an explanation
 * is given in its own form).
 */
export async function studentStore(clients?: Pick<ProbeClients, 'engine'>): Promise<ImageStore | undefined> {
  try {
    return (await (clients?.engine ?? (await connectEngine())).version()).store;
  } catch (error) {
    if (error instanceof EngineUnreachableError) return undefined;
    throw error;
  }
}

/** An exercise's instructions in `lang`, with the blocks written for the student's engine only (src/lab/engine-text.ts). */
export async function instructions(dir: string, lang: Lang): Promise<string> {
  const markdown = readFileSync(join(dir, `instructions.${lang}.md`), 'utf8');
  return instructionsFor(markdown, markdown.includes('<!-- engine:') ? await studentStore() : undefined);
}

function reportCorrupt(context: CommandContext, loaded: LoadResult): void {
  if (loaded.corrupt?.setAside) {
    const kept = loaded.corrupt.setAside;
    context.err(`tp7: ${pick(both(
      `votre fichier de progression était illisible ; il est gardé sous ${kept} et un nouveau commence`,
      `your progress file could not be read; it was kept as ${kept} and a new one started`,
    ), context.lang)}`);
  } else if (loaded.corrupt) {
    const { file } = loaded.corrupt;
    context.err(`tp7: ${pick(both(
      `votre fichier de progression ${file} est illisible ; il reste tel quel (la prochaine réponse le met de côté)`,
      `your progress file ${file} could not be read; it is left as it is (the next answer sets it aside)`,
    ), context.lang)}`);
  }
}

export function readProgress(context: CommandContext): Progress {
  const loaded = loadProgress(context.workdir);
  reportCorrupt(context, loaded);
  return loaded.progress;
}

export function writeProgress(context: CommandContext, change: (progress: Progress) => void): void {
  reportCorrupt(context, updateProgress(context.workdir, change));
}

export function printJson(context: CommandContext, value: unknown): void {
  context.out(JSON.stringify(value, null, 2));
}
