import type { ImageStore } from '../engine/types.js';
import { both, type EngineText, type Localized } from './text.js';

// Where a command of the course behaves otherwise on the student's engine, the lab says so for that engine only.
// In YAML, a hint or an explanation has a `containerd` form beside its `fr` and `en` (src/lab/text.ts, EngineText).
// In the instructions, a block is written for one image store between two HTML comments, invisible in any
// Markdown viewer:
//
//   <!-- engine: containerd -->
//   > On an engine with the containerd image store (Docker 29, Docker Desktop) ...
//   <!-- /engine -->
//
// With the store known, the blocks of the other store are left out; unknown (no engine reached), every block is
// kept: each says which engine it is for.

const BLOCK = /<!--\s*engine:\s*(classic|containerd)\s*-->\n?([\s\S]*?)<!--\s*\/engine\s*-->\n?/g;

/** The instructions as the student's engine needs them. */
export function instructionsFor(markdown: string, store: ImageStore | undefined): string {
  return markdown.replace(BLOCK, (_whole, wanted: string, body: string) => (store === undefined || store === wanted ? body : ''));
}

/** The form of a text for the student's engine: its containerd form on that store, else the text itself. */
export function textFor(text: EngineText, store: ImageStore | undefined): Localized {
  return store === 'containerd' && text.containerd ? text.containerd : { fr: text.fr, en: text.en };
}

/** What is wrong with the engine blocks of an instructions page, for the lab linter (unclosed, misspelt, nested). */
export function engineBlockProblems(markdown: string): Localized[] {
  const opened = (markdown.match(/<!--\s*engine:[^>]*-->/g) ?? []).length;
  const closed = (markdown.match(/<!--\s*\/engine\s*-->/g) ?? []).length;
  const known = [...markdown.matchAll(BLOCK)].length;
  const problems: Localized[] = [];
  if (opened !== closed) problems.push(both(`${opened} <!-- engine: ... --> pour ${closed} <!-- /engine -->`, `${opened} <!-- engine: ... --> for ${closed} <!-- /engine -->`));
  if (known !== opened) problems.push(both('un bloc engine ne nomme ni classic ni containerd, ou en contient un autre', 'an engine block names neither classic nor containerd, or holds another'));
  return problems;
}
