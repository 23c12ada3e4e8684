import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/cli/context.js';
import { buildAnalysisReport, renderAnalysis } from '../../src/commands/analyze/report.js';
import { defaultRules, evaluateRules, rulesPass } from '../../src/analysis/rules.js';
import type { ImageAnalysis } from '../../src/analysis/image.js';
import { buildReport } from '../../src/report/json.js';
import { gradebook, renderCsv } from '../../src/report/gradebook.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderText } from '../../src/report/text.js';
import { scoreSkills } from '../../src/runner/score.js';
import type { CheckResult, ExerciseResult } from '../../src/runner/types.js';
import { csvCell, guardTerminal, showControls, showControlsInline, xmlText } from '../../src/ui/escape.js';
import { tempDir } from '../tmp.js';

// What an image's history, a registry's error or a student's script can hold to act on a terminal.
const HOSTILE = {
  clear: '\u001b[2J\u001b[H',
  title: '\u001b]0;pwned\u0007',
  csi8bit: '\u009b31m',
  bidi: 'evil\u202egnp.exe',
  isolate: '\u2066hidden\u2069',
  del: 'a\u007fb',
  cr: 'ok\rFAKE',
  nul: 'a\u0000b',
  dcs: '\u001bP+q\u001b\\',
} as const;
const ALL = Object.values(HOSTILE).join(' ');
/** A raw control character, other than tab and newline, or a bidi control. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('the escaping module', () => {
  it('shows every control character, keeping tab and newline for multi-line text', () => {
    expect(showControls(HOSTILE.clear)).toBe('\\u001b[2J\\u001b[H');
    expect(showControls(HOSTILE.title)).toBe('\\u001b]0;pwned\\u0007');
    expect(showControls(HOSTILE.bidi)).toBe('evil\\u202egnp.exe');
    expect(showControls('line 1\n\tline 2')).toBe('line 1\n\tline 2');
    expect(showControls(ALL)).not.toMatch(RAW);
    expect(showControlsInline('a\nb\tc')).toBe('a\\u000ab\\u0009c');
    expect(showControls('café, 日本, emoji 🐳')).toBe('café, 日本, emoji 🐳');
  });
  it('lets the program\'s own colours through the terminal guard, nothing else', () => {
    expect(guardTerminal('\u001b[32m✔\u001b[39m ok')).toBe('\u001b[32m✔\u001b[39m ok');
    expect(guardTerminal(`\u001b[1mtitle\u001b[22m ${ALL}`)).not.toMatch(/\u001b(?!\[[0-9;]*m)/);
    expect(guardTerminal(ALL)).not.toMatch(RAW);
  });
  it('keeps a guarded JSON document parseable to the same text', () => {
    const value = { createdBy: `RUN echo ${ALL}`, c1: '\u0085\u009b' };
    expect(JSON.parse(guardTerminal(JSON.stringify(value)))).toEqual(value);
    expect(guardTerminal(JSON.stringify(value))).not.toMatch(RAW);
  });
  it('makes XML text valid: markup as entities, forbidden characters shown', () => {
    const text = xmlText(`<a & "b"> ${ALL} \ufffe lone\ud800 pair🐳`);
    expect(text).not.toMatch(/[<>"]|&(?!#\d+;)/);
    expect(text).not.toMatch(RAW);
    expect(text).not.toMatch(/[\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(text).toContain('pair🐳');
  });
  it('neutralises CSV cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    for (const start of ['+', '-', '@', '\t', '\r']) expect(csvCell(`${start}1+1`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('2/3')).toBe('2/3');
    expect(csvCell('a\nb')).toBe('a\\u000ab');
    // Quoted where the cell holds the delimiter in use, and only there.
    expect([csvCell('a;b', ';'), csvCell('a;b'), csvCell('a,b', ';'), csvCell('a\tb', '\t')]).toEqual(['"a;b"', 'a;b', 'a,b', 'a\\u0009b']);
    expect([csvCell('=1;2', ';'), csvCell(-5, ';'), csvCell(33.3, ';'), csvCell(33.3, '\t')]).toEqual([`"'=1;2"`, '-5', '33,3', '33.3']);
    expect(csvCell(`x${HOSTILE.clear}`)).not.toMatch(RAW);
  });
});

const hostileCheck = (status: CheckResult['status']): CheckResult => ({
  id: `id${HOSTILE.nul}`, title: `title ${HOSTILE.title}`, kind: 'image-file-content', status, points: 1, earned: 0,
  expected: `expected ${HOSTILE.bidi}`, actual: `actual ${ALL}`, message: `the file holds ${ALL}`, durationMs: 1,
});
const hostileExercise: ExerciseResult = {
  id: 'ex1', title: `ex ${HOSTILE.cr}`, earned: 0, possible: 2, checks: [hostileCheck('fail'), hostileCheck('error'), hostileCheck('skip')],
};
const report = buildReport('unix:///x.sock', { version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64', store: 'classic' }, [hostileExercise], scoreSkills([], [hostileExercise], 'en'), `=cmd|' /C calc'!A0 ${HOSTILE.clear}`);

describe('hostile text at every output boundary', () => {
  it('the text checklist shows control characters', () => {
    expect(renderText(report, 'en')).not.toMatch(RAW);
    expect(renderText(report, 'en')).toContain('\\u001b[2J');
  });
  it('JUnit holds no XML-invalid or raw control character', () => {
    const xml = renderJunit(report);
    expect(xml).not.toMatch(RAW);
    expect(xml).toContain('\\u001b]0;pwned\\u0007');
  });
  it('the gradebook CSV neither runs formulas nor carries control bytes', () => {
    const csv = renderCsv(gradebook([{ student: report.student, report }]));
    expect(csv).not.toMatch(RAW);
    expect(csv.split('\n')[1]).toMatch(/^'=cmd/);
  });
  it('tp7 analyze shows the escape sequences of a history entry', () => {
    const analysis = {
      ref: `evil${HOSTILE.title}`, id: 'sha256:'.padEnd(71, 'a'), os: 'linux', architecture: `amd64${HOSTILE.csi8bit}`,
      steps: [{ instruction: 'RUN', createdBy: `/bin/sh -c echo ${HOSTILE.clear}${HOSTILE.title}` }, { createdBy: '', instruction: 'IMPORT', comment: HOSTILE.bidi }],
      layers: [
        { index: 0, size: 10, changes: { added: { count: 1, bytes: 10 }, changed: { count: 0, bytes: 0 }, removed: { count: 0, bytes: 0 } } },
        { index: 1, size: 10, changes: { added: { count: 1, bytes: 10 }, changed: { count: 0, bytes: 0 }, removed: { count: 0, bytes: 0 } } },
      ],
      wastedPaths: [{ path: `/etc/${HOSTILE.clear}`, count: 2, cumulativeSize: 20 }],
      imageSize: 20, userSize: 20, efficiency: 0.5, wastedBytes: 10, userWastedPercent: 0.5, bytesRead: 100, durationMs: 1,
    } as unknown as ImageAnalysis;
    const rules = { ...defaultRules(), source: `rules${HOSTILE.cr}.yml`, form: 'dive' as const };
    const results = evaluateRules(rules, analysis);
    const text = renderAnalysis(buildAnalysisReport(analysis, rules, results, rulesPass(results), 'en'), 'en');
    expect(text).not.toMatch(RAW);
    expect(text).toContain('echo \\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007');
  });
  it('tp7 class shows student names from handed-in reports without obeying them', async () => {
    const dir = tempDir('class-');
    writeFileSync(join(dir, 'a.json'), JSON.stringify(report));
    const out: string[] = [];
    const context = { args: [dir], options: {}, lang: 'en', workdir: dir, registry: 'x', json: false, interactive: false, out: (t: string) => out.push(t), err: (t: string) => out.push(t) } as CommandContext;
    const { run } = await import('../../src/commands/class/index.js');
    await run(context);
    await run({ ...context, options: { csv: true } });
    expect(out.join('\n')).toContain('\\u001b[2J');
    expect(out.join('\n')).not.toMatch(RAW);
  });
});
