import type { CommandContext } from '../../cli/context.js';
import { openDocker } from '../../engine/dockerode-client.js';
import { UsageError } from '../../errors.js';
import type { Exercise } from '../../lab/schema.js';
import { removeLedger } from '../../setup/ledger.js';
import { removeSetup, SETUP_LABEL } from '../../setup/resources.js';
import { confirm } from '../../ui/prompt.js';
import { printJson } from '../shared.js';

/** `tp7 reset <ex> --resources`: removes what `tp7 setup <ex>` made, by its label; answers stay. */
export async function removeResources(context: CommandContext, exercise: Exercise): Promise<number> {
  const id = exercise.id;
  const fr = context.lang === 'fr';
  const label = `${SETUP_LABEL}=${id}`;
  if (!context.options.yes) {
    if (!context.interactive) throw new UsageError(`add --yes to remove the resources of ${id} without a prompt`);
    if (!(await confirm(fr ? `Supprimer les images et conteneurs portant le label ${label} ?` : `Remove the images and containers labelled ${label}?`))) return 0;
  }
  const { docker } = await openDocker();
  const { removed, kept } = await removeSetup(docker, id, exercise.setup);
  removeLedger(context.workdir, id);
  if (context.json) {
    printJson(context, { exercise: id, label, removed, kept });
    return 0;
  }
  context.out(fr ? `${id} : ${removed.length} ressource(s) de tp7 setup supprimée(s) (label ${label}).` : `${id}: removed ${removed.length} resource(s) made by tp7 setup (label ${label}).`);
  for (const line of kept) context.out(fr ? `  conservée : ${line}` : `  kept: ${line}`);
  return 0;
}
