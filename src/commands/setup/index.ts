import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { both, type Localized } from '../../lab/text.js';
import type { CommandContext } from '../../cli/context.js';
import { openDocker } from '../../engine/dockerode-client.js';
import { UsageError } from '../../errors.js';
import { pick } from '../../lab/text.js';
import { writeLedger } from '../../setup/ledger.js';
import { applySetup, ledgerPath, SETUP_LABEL, type SetupMade } from '../../setup/resources.js';
import { labAndExercise, printJson } from '../shared.js';

/** Makes what an exercise needs to work on (labelled images and containers); running it again changes nothing. */
export async function run(context: CommandContext): Promise<number> {
  const { loaded } = await labAndExercise(context);
  const { id, setup } = loaded.exercise;
  if (!setup) throw new UsageError(both(`${id} ne demande aucune préparation`, `${id} needs no setup`));
  const fr = context.lang === 'fr';
  const { docker } = await openDocker();
  const made: string[] = [];
  // A ledger in this workdir: setup ran here before, so what it makes now is what the student had removed.
  const again = existsSync(join(context.workdir, ledgerPath(id)));
  const { ledger, made: remade } = await applySetup(docker, id, setup, (line) => made.push(pick(line, context.lang)));
  writeLedger(context.workdir, ledger);
  const recreated = again ? recreatedLine(remade) : undefined;
  // The engine may hold more dangling images than setup left (the student's own): both figures, so that the
  // count `docker images -f dangling=true` shows is not a surprise.
  const onEngine = (ledger.danglingAtSetup ?? ledger.dangling).length;
  if (context.json) {
    printJson(context, { exercise: id, label: `${SETUP_LABEL}=${id}`, made, dangling: ledger.dangling.map((image) => image.id), danglingOnEngine: onEngine, ...(again ? { recreated: remade } : {}) });
    return 0;
  }
  context.out(fr ? `${id} : préparé (tout porte le label ${SETUP_LABEL}=${id}) :` : `${id}: set up (everything carries the label ${SETUP_LABEL}=${id}):`);
  for (const line of made) context.out(`  ${line}`);
  context.out(fr
    ? `  ${ledger.dangling.length} image(s) dangling laissée(s) par les reconstructions ; ${onEngine} en tout sur le moteur (docker images -f dangling=true).\nPour tout retirer : tp7 reset ${id} --resources`
    : `  ${ledger.dangling.length} dangling image(s) left by the rebuilds; ${onEngine} in all on the engine (docker images -f dangling=true).\nTo remove it all: tp7 reset ${id} --resources`);
  if (recreated) context.out(pick(recreated, context.lang));
  return 0;
}

/** Said when setup runs again in a workdir and had to make things again: the student's cleanup is undone. */
export function recreatedLine(made: SetupMade): Localized | undefined {
  const count = made.images.length + made.containers.length + made.dangling;
  if (!count) return undefined;
  const names = [...made.images, ...made.containers.map((name) => `container ${name}`), ...(made.dangling ? [`${made.dangling} dangling`] : [])].join(', ');
  return both(
    `Recréé : ${count} image(s)/conteneur(s) que vous aviez supprimé(s) (${names}) ; vos vérifications de nettoyage demandent un nouveau passage de vos scripts.`,
    `Recreated ${count} image(s)/container(s) you had removed (${names}); your cleanup checks will need a new run of your scripts.`,
  );
}
