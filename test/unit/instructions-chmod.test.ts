import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// A script written with an editor is not executable: instructions that run `./name.sh` must first say
// `chmod +x name.sh`, or the student's first run ends on "Permission denied".
const LABS = join(import.meta.dirname, '../../labs');

function instructionFiles(): string[] {
  return readdirSync(LABS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) => readdirSync(join(LABS, dir.name)).filter((name) => /^instructions\.\w+\.md$/.test(name)).map((name) => join(dir.name, name)));
}

describe('instructions', () => {
  it('say chmod +x before running a script as ./name.sh', () => {
    const files = instructionFiles();
    expect(files).toContain('ex6/instructions.fr.md');
    const missing: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(LABS, file), 'utf8');
      for (const match of text.matchAll(/\.\/([\w.-]+\.sh)\b/g)) {
        const chmod = text.indexOf(`chmod +x ${match[1]}`);
        if (chmod < 0 || chmod > match.index) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });
});
