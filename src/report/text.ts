import type { Lang } from '../lab/text.js';
import { showControls } from '../ui/escape.js';
import { MARKS, style } from '../ui/style.js';
import type { Report } from './json.js';

const WORDS = {
  fr: {
    checklist: 'Checklist de validation', note: 'Note', score: 'Score', points: 'pts', expected: 'attendu', found: 'trouvé', engine: 'Moteur',
    skip: 'sautée, non comptée', missing: (ids: string) => `reste à vérifier : ${ids}`, skipped: (n: number) => `${n} vérification(s) sautée(s), comptée(s) nulle part`,
    strict: (n: number) => `--strict : ${n} vérification(s) non faite(s) comptée(s) comme échouée(s)`,
  },
  en: {
    checklist: 'Validation checklist', note: 'Note', score: 'Score', points: 'pts', expected: 'expected', found: 'found', engine: 'Engine',
    skip: 'skipped, not counted', missing: (ids: string) => `still to check: ${ids}`, skipped: (n: number) => `${n} check(s) skipped, counted nowhere`,
    strict: (n: number) => `--strict: ${n} check(s) not run counted as failed`,
  },
};

/**
 * The human checklist: one line per check, the message under each one that is not green; with `reveal`
 * (instructors), the expected answer under each question. A message may quote an image, a registry or a
 * student's script, and a report may come from anyone: every text is shown, never obeyed.
 */
export function renderText(report: Report, lang: Lang, options: { reveal?: boolean } = {}): string {
  const words = WORDS[lang];
  const lines: string[] = [];
  for (const exercise of report.exercises) {
    lines.push(style.bold(showControls(`${exercise.id.toUpperCase()} · ${exercise.title}  ${exercise.earned}/${exercise.possible} ${words.points}`)));
    for (const check of exercise.checks) {
      const task = check.task ? style.dim(showControls(`[${check.task}] `)) : '';
      const skipped = check.status === 'skip' ? style.dim(` (${words.skip})`) : '';
      lines.push(`  ${MARKS[check.status]()} ${task}${showControls(check.title)}${skipped}`);
      if (check.status !== 'pass') lines.push(`      ${style.dim(showControls(check.message))}`);
      if (options.reveal && check.kind === 'question') lines.push(`      ${style.dim(showControls(`${words.expected}: ${check.expected}`))}`);
    }
    lines.push('');
  }
  const evaluated = report.checklist.filter((skill) => skill.status !== 'pending');
  if (evaluated.length) {
    lines.push(style.bold(words.checklist));
    for (const skill of report.checklist) {
      const figures = skill.status === 'pending' ? '' : style.dim(` ${skill.earned}/${skill.possible}`);
      const missing = skill.missing?.length ? style.dim(` (${words.missing(skill.missing.join(', '))})`) : '';
      lines.push(`  ${MARKS[skill.status]()} ${showControls(skill.label)}${figures}${missing}`);
    }
    lines.push('');
  }
  const { earned, possible, percent, skipped } = report.score;
  const strictCount = report.exercises.reduce((sum, exercise) => sum + exercise.checks.filter((check) => check.skipped).length, 0);
  const notRun = report.strict ? (strictCount ? words.strict(strictCount) : '') : skipped ? words.skipped(skipped) : '';
  lines.push(style.bold(`${words.score}: ${earned}/${possible} (${percent} %)`) + (notRun ? ` · ${notRun}` : ''));
  for (const note of report.notes ?? []) lines.push(style.yellow(`${words.note}: ${showControls(note.message)}`));
  return lines.join('\n');
}
