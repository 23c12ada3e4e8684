import type { Lang } from '../lab/text.js';
import { showControls } from '../ui/escape.js';
import { MARKS, style } from '../ui/style.js';
import type { Report } from './json.js';

const WORDS = {
  fr: { checklist: 'Checklist de validation', score: 'Score', points: 'pts', expected: 'attendu', found: 'trouvé', engine: 'Moteur' },
  en: { checklist: 'Validation checklist', score: 'Score', points: 'pts', expected: 'expected', found: 'found', engine: 'Engine' },
};

/**
 * The human checklist: one line per check, the message under each one that is not green. A message may quote an
 * image, a registry or a student's script, and a report may come from anyone: every text is shown, never obeyed.
 */
export function renderText(report: Report, lang: Lang): string {
  const words = WORDS[lang];
  const lines: string[] = [];
  for (const exercise of report.exercises) {
    lines.push(style.bold(showControls(`${exercise.id.toUpperCase()} · ${exercise.title}  ${exercise.earned}/${exercise.possible} ${words.points}`)));
    for (const check of exercise.checks) {
      const task = check.task ? style.dim(showControls(`[${check.task}] `)) : '';
      lines.push(`  ${MARKS[check.status]()} ${task}${showControls(check.title)}`);
      if (check.status !== 'pass') lines.push(`      ${style.dim(showControls(check.message))}`);
    }
    lines.push('');
  }
  const evaluated = report.checklist.filter((skill) => skill.status !== 'pending');
  if (evaluated.length) {
    lines.push(style.bold(words.checklist));
    for (const skill of report.checklist) {
      const figures = skill.status === 'pending' ? '' : style.dim(` ${skill.earned}/${skill.possible}`);
      lines.push(`  ${MARKS[skill.status]()} ${showControls(skill.label)}${figures}`);
    }
    lines.push('');
  }
  const { earned, possible, percent } = report.score;
  lines.push(style.bold(`${words.score}: ${earned}/${possible} (${percent} %)`));
  return lines.join('\n');
}
