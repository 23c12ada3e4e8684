import type { z } from 'zod';
import { probeKindNames } from '../probes/index.js';
import { factKindNames } from '../facts/index.js';
import { formatPath } from './format-path.js';

export { formatPath };

/** Every zod issue as `file: path: message`, with the fix spelled out where zod's own words are vague. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${file}: ${formatPath(issue.path)}: ${explain(issue)}`);
}

function explain(issue: z.core.$ZodIssue): string {
  const last = issue.path.at(-1);
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}: remove it or fix its spelling`;
  }
  if (issue.code === 'invalid_union' && last === 'kind') {
    const known = issue.path.includes('derive') ? factKindNames() : probeKindNames();
    return `unknown kind: use one of ${known.join(', ')}`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return `missing required field (expected ${issue.expected})`;
  }
  return issue.message;
}
