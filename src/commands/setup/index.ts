import { both } from '../../lab/text.js';
import type { CommandContext } from '../../cli/context.js';
import { openDocker } from '../../engine/dockerode-client.js';
import { UsageError } from '../../errors.js';
import { pick } from '../../lab/text.js';
import { writeLedger } from '../../setup/ledger.js';
import { applySetup, SETUP_LABEL } from '../../setup/resources.js';
import { labAndExercise, printJson } from '../shared.js';

/** Makes what an exercise needs to work on (labelled images and containers); running it again changes nothing. */
export async function run(context: CommandContext): Promise<number> {
  const { loaded } = await labAndExercise(context);
  const { id, setup } = loaded.exercise;
  if (!setup) throw new UsageError(both(`${id} ne demande aucune préparation`, `${id} needs no setup`));
  const fr = context.lang === 'fr';
  const { docker } = await openDocker();
  const made: string[] = [];
  const ledger = await applySetup(docker, id, setup, (line) => made.push(pick(line, context.lang)));
  writeLedger(context.workdir, ledger);
  // The engine may hold more dangling images than setup left (the student's own): both figures, so that the
  // count `docker images -f dangling=true` shows is not a surprise.
  const onEngine = (ledger.danglingAtSetup ?? ledger.dangling).length;
  if (context.json) {
    printJson(context, { exercise: id, label: `${SETUP_LABEL}=${id}`, made, dangling: ledger.dangling.map((image) => image.id), danglingOnEngine: onEngine });
    return 0;
  }
  context.out(fr ? `${id} : préparé (tout porte le label ${SETUP_LABEL}=${id}) :` : `${id}: set up (everything carries the label ${SETUP_LABEL}=${id}):`);
  for (const line of made) context.out(`  ${line}`);
  context.out(fr
    ? `  ${ledger.dangling.length} image(s) dangling laissée(s) par les reconstructions ; ${onEngine} en tout sur le moteur (docker images -f dangling=true).\nPour tout retirer : tp7 reset ${id} --resources`
    : `  ${ledger.dangling.length} dangling image(s) left by the rebuilds; ${onEngine} in all on the engine (docker images -f dangling=true).\nTo remove it all: tp7 reset ${id} --resources`);
  return 0;
}
