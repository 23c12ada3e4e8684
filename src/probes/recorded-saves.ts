// Where a recorded run put its `docker save`s: each save writes a stand-in naming its images (see
// scripts/save-stand-in.ts), so the files the run left in the backup folder tell which image went where and
// how it was packed. A backup script is judged so on an image made at check time, which it cannot name in
// advance: it must find the images it saves.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EngineClient } from '../engine/types.js';
import { both, type Localized } from '../lab/text.js';
import type { DockerCommand } from '../scripts/docker-command.js';
import type { WrittenFile } from '../scripts/recorded-run.js';
import { packingOf, savedIn } from '../scripts/save-stand-in.js';

export const Saves = z
  .strictObject({
    dir: z.string().regex(/^[^/]/).describe('The folder (relative to the workdir) every save must land in, gzip-compressed'),
    unforeseen: z
      .string()
      .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?\/$/)
      .describe('A repository prefix such as localhost/: an image named under it, made at check time, must be saved too'),
  })
  .describe('What the run must do with the images it saves (docker save answers with a stand-in naming them)');
export type Saves = z.infer<typeof Saves>;

/** Makes the image the script cannot foresee, runs `judge` with its name, and removes it whatever happens. */
export async function withUnforeseenImage<T>(engine: EngineClient, saves: Saves, judge: (ref: string) => Promise<T>): Promise<T> {
  const ref = `${saves.unforeseen}tp7-check-${randomBytes(3).toString('hex')}:${randomBytes(2).toString('hex')}`;
  try {
    await engine.createProbeImage(ref, [512]);
    return await judge(ref);
  } finally {
    await engine.removeProbeImage(ref);
  }
}

/** What is wrong with the run's saves, or undefined when every saved image, the unforeseen one included, landed gzip-compressed in the folder. */
export function savesProblem(saves: Saves, unforeseen: string, recorded: DockerCommand[], written: WrittenFile[]): Localized | undefined {
  const saved = recorded.filter((call) => call.command === 'image save').flatMap((call) => call.args);
  if (!saved.includes(unforeseen)) {
    return both(
      `${unforeseen}, une image créée au moment de la vérification sous ${saves.unforeseen}, n'a pas été sauvegardée (sauvegardées : ${saved.join(', ') || 'aucune'}) : le script doit trouver les images à sauvegarder (docker images), pas les nommer d'avance`,
      `${unforeseen}, an image made at check time under ${saves.unforeseen}, was not saved (saved: ${saved.join(', ') || 'none'}): the script must find the images to save (docker images), not name them in advance`,
    );
  }
  for (const ref of saved) {
    const holders = written.filter((file) => savedIn(file.content).includes(ref));
    if (holders.some((file) => packingOf(file.content) === 'gzip')) continue;
    const raw = holders[0];
    if (raw) {
      return both(
        `la sauvegarde de ${ref} est arrivée dans ${raw.path} sans compression : compressez-la avec gzip`,
        `the save of ${ref} reached ${raw.path} uncompressed: compress it with gzip`,
      );
    }
    const other = written.find((file) => ['bzip2', 'xz'].includes(packingOf(file.content)));
    const note = other ? { fr: ` (${other.path} est compressé en ${packingOf(other.content)} : le dossier de sauvegarde attend gzip)`, en: ` (${other.path} is ${packingOf(other.content)}-compressed: the backup folder expects gzip)` } : { fr: '', en: '' };
    return both(
      `la sauvegarde de ${ref} n'est pas arrivée dans ${saves.dir}/ sous forme de fichier compressé en gzip${note.fr}`,
      `the save of ${ref} did not reach ${saves.dir}/ as a gzip-compressed file${note.en}`,
    );
  }
  return undefined;
}
