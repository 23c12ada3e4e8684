import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Start-up stays small: what `tp7 --version` and `tp7 check` load is the static import graph of the entry point
// and of the check command (commands are loaded by a dynamic import, src/cli/commands.ts). That graph must not
// reach the board server's libraries, loaded only by `tp7 serve`.

const ROOT = resolve(import.meta.dirname, '../..');

/** Every package a module reaches through static imports (type-only imports leave no trace at run time). */
function staticPackages(entry: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(entry)) return packages;
  seen.add(entry);
  const source = ts.createSourceFile(entry, readFileSync(entry, 'utf8'), ts.ScriptTarget.Latest);
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    if (ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly : statement.isTypeOnly) continue;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    const target = specifier.text;
    if (target.startsWith('.')) {
      const file = join(dirname(entry), target).replace(/\.js$/, '.ts');
      if (existsSync(file)) staticPackages(file, seen, packages);
    } else if (!target.startsWith('node:')) {
      packages.add(target);
    }
  }
  return packages;
}

describe('lazy imports', () => {
  it('tp7 --version and tp7 check never load fastify', () => {
    for (const entry of ['src/cli/main.ts', 'src/commands/check/index.ts', 'src/commands/serve/index.ts']) {
      const packages = [...staticPackages(join(ROOT, entry))];
      expect(packages.filter((name) => /^(@fastify\/|fastify$)/.test(name)), entry).toEqual([]);
    }
    expect([...staticPackages(join(ROOT, 'src/serve/app.ts'))]).toContain('fastify');
  });

  it('tp7 check loads the YAML parser and the tar reader only when a check reads YAML or a tar (src/yaml.ts, src/archive/tar.ts), and never the CSV parser', () => {
    const packages = [...staticPackages(join(ROOT, 'src/commands/check/index.ts'))];
    expect(packages.filter((name) => name === 'yaml' || name === 'tar-stream')).toEqual([]);
    // Nor the CSV parser, which only `tp7 grade` uses, and only for a CSV roster (src/grade/csv.ts).
    for (const entry of ['src/cli/main.ts', 'src/commands/check/index.ts', 'src/commands/grade/index.ts']) {
      expect([...staticPackages(join(ROOT, entry))].filter((name) => name.startsWith('csv-parse')), entry).toEqual([]);
    }
    // The check command does reach the probes, which read both: the graph is the real one.
    expect(packages).toContain('zod');
  });
});
