import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/json.js';
import type { CheckResult } from '../../src/runner/types.js';
import { tempDir } from '../tmp.js';
import { runTp7 } from './run-tp7.js';

// The gradebooks open in columns in the instructor's spreadsheet: `;` in French mode (Excel and LibreOffice in a
// French locale split on `;`, the comma being their decimal mark), `,` in English mode, or what --delimiter says.

const check = (id: string, status: CheckResult['status']): CheckResult => ({ id, title: id, kind: 'image-exists', status, points: 1, earned: status === 'pass' ? 1 : 0, expected: 'x', actual: 'y', message: 'm', durationMs: 1 });

/** A folder of reports as `tp7 check --json --student NAME` writes them: 1 of 3 checks passed (33.3 %). */
function reports(): string {
  const dir = tempDir('class-');
  for (const student of ['Lefèvre; Élodie', 'Bo']) {
    const results = [{ id: 'ex1', title: 'ex1', checks: [check('a', 'pass'), check('b', 'fail'), check('c', 'fail')], earned: 1, possible: 3 }];
    const report = buildReport('unix:///var/run/docker.sock', { version: '27.0', apiVersion: '1.47', os: 'linux', arch: 'amd64' }, results, [], student, { environment: {} });
    writeFileSync(join(dir, `${student.length}.json`), JSON.stringify(report));
  }
  return dir;
}

const tp7 = runTp7;

afterEach(() => {
  process.exitCode = undefined;
});

describe('gradebook delimiter (tp7 class --csv, tp7 grade --csv)', () => {
  it('is `;` in French mode (with decimal commas), `,` in English mode, whichever way the language is chosen', async () => {
    const dir = reports();
    const french = await tp7(['class', dir, '--csv', '--lang', 'fr']);
    expect(french.code).toBe(0);
    expect(french.out.split('\n').slice(0, 3)).toEqual([
      'student;percent;earned;possible;skipped;strict;ex1;checked_at',
      expect.stringMatching(/^Bo;33,3;1;3;0;no;1\/3;/),
      expect.stringMatching(/^"Lefèvre; Élodie";33,3;1;3;0;no;1\/3;/),
    ]);
    expect((await tp7(['class', dir, '--csv'], { TP7_LANG: 'fr' })).out).toBe(french.out);
    const english = await tp7(['class', dir, '--csv', '--lang', 'en']);
    expect(english.out.split('\n')[2]).toMatch(/^Lefèvre; Élodie,33\.3,1,3,0,no,1\/3,/);
  });

  it('--delimiter chooses: `,` `;` or `tab`, in the usual spellings', async () => {
    const dir = reports();
    const english = (await tp7(['class', dir, '--csv', '--lang', 'en'])).out;
    for (const spelling of [',', 'comma', 'virgule']) expect((await tp7(['class', dir, '--csv', '--lang', 'fr', '--delimiter', spelling])).out).toBe(english);
    const semicolon = (await tp7(['class', dir, '--csv', '--lang', 'fr'])).out;
    for (const spelling of [';', 'semicolon', 'point-virgule']) expect((await tp7(['class', dir, '--csv', '--lang', 'en', `--delimiter=${spelling}`])).out).toBe(semicolon);
    const tabs = await tp7(['class', dir, '--csv', '--delimiter', 'tab']);
    expect(tabs.out.split('\n')[0]).toBe('student\tpercent\tearned\tpossible\tskipped\tstrict\tex1\tchecked_at');
    expect((await tp7(['class', dir, '--csv', '--delimiter', '\t'])).out).toBe(tabs.out);
  });

  it('refuses any other delimiter, or one without --csv, as a usage error before any work (exit 2)', async () => {
    const dir = reports();
    const bad = await tp7(['class', dir, '--csv', '--delimiter', '|', '--lang', 'en']);
    expect([bad.code, bad.out, bad.err]).toEqual([2, '', 'tp7: --delimiter takes `,`, `;` or `tab`, not "|"\n']);
    expect((await tp7(['class', dir, '--csv', '--delimiter', '|', '--lang', 'fr'])).err).toBe('tp7: --delimiter vaut `,`, `;` ou `tab`, pas « | »\n');
    const alone = await tp7(['class', dir, '--delimiter', ';', '--lang', 'en']);
    expect([alone.code, alone.err]).toEqual([2, 'tp7: --delimiter goes with --csv\n']);
    // tp7 grade says so before it reads the roster or reaches any machine.
    const grade = await tp7(['grade', join(dir, 'no-such-roster.csv'), '--csv', '--delimiter', 'pipe', '--lang', 'en']);
    expect([grade.code, grade.err]).toEqual([2, 'tp7: --delimiter takes `,`, `;` or `tab`, not "pipe"\n']);
  });
});
