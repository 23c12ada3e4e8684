// The background sender's process, started detached by `tp7 check --submit` and `tp7 watch --submit`
// (src/submit/queue.ts): `node sender-main.js WORKDIR`. Its output goes nowhere: what it did is written to
// `.tp7/submit-status.json` for `tp7 submit --status`.
import { oneLine } from '../errors.js';
import { both } from '../lab/lang.js';
import { runSender } from './sender.js';
import { updateStatus } from './status.js';

const workdir = process.argv[2];
if (workdir) {
  try {
    await runSender(workdir);
  } catch (error) {
    const why = oneLine(error);
    try {
      updateStatus(workdir, { lastError: { at: new Date().toISOString(), url: '', what: both(`l'envoi en arrière-plan s'est arrêté : ${why}`, `the background sender stopped: ${why}`), next: 'hold' } });
    } catch {
      // the workdir itself is gone: nothing to tell anyone
    }
  }
}
