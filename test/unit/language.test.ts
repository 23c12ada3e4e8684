import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeFailure } from '../../src/archive/decode.js';
import { ArchiveError, type ArchiveVerdict } from '../../src/archive/types.js';
import { verdictMessage } from '../../src/probes/archive-file.js';
import { imageAttribute } from '../../src/probes/image-attribute.js';
import { networkFinding } from '../../src/commands/doctor/network.js';
import { helpText, main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { EngineUnreachableError, LabDefinitionError, oneLineText } from '../../src/errors.js';
import { buildAnalysisReport, renderAnalysis } from '../../src/commands/analyze/report.js';
import { defaultRules, evaluateRules, parseCiRules, rulesPass } from '../../src/analysis/rules.js';
import type { ImageAnalysis } from '../../src/analysis/image.js';
import { buildReport } from '../../src/report/json.js';
import { renderText } from '../../src/report/text.js';
import { scoreSkills } from '../../src/runner/score.js';
import { LANGS, pick, type Lang } from '../../src/lab/lang.js';
import { checkTimeLimitError, withTimeout } from '../../src/runner/pool.js';
import { roundFailure } from '../../src/commands/watch/round-error.js';
import type { CommandContext } from '../../src/cli/context.js';
import { fakeEngine } from './fake-engine.js';
import { tempDir } from '../tmp.js';

// One language at a time: a French run never prints an English sentence, nor the reverse. Every message kind
// is rendered in both languages (and every both(fr, en) pair of the code is read), then searched for words
// of the other language. Names, commands, code and quotations are left out first: they are no one's language.

/** Words that only English sentences use (French text keeps `docker`, `tp7 check`, `--yes`... as code). */
const ENGLISH = ['the', 'is', 'are', 'was', 'not', 'found', 'missing', 'cannot', 'expected', 'with', 'and', 'of', 'to', 'for', 'from', 'your', 'you', 'this', 'that', 'which', 'has', 'have', 'no', 'unknown', 'invalid', 'must', 'should', 'only', 'none', 'its', 'it', 'an', 'in', 'file', 'files', 'layer', 'layers', 'registry', 'error', 'warning', 'answer', 'empty', 'damaged', 'reset', 'run', 'could', 'too', 'outside', 'without', 'took', 'longer', 'than', 'failed', 'still'];
/** Words that only French sentences use. */
const FRENCH = ['le', 'la', 'les', 'des', 'du', 'est', 'sont', 'une', 'un', 'pas', 'dans', 'pour', 'avec', 'sans', 'vous', 'votre', 'vos', 'fichier', 'attendu', 'trouvé', 'introuvable', 'aucun', 'aucune', 'sur', 'aux', 'au', 'ne', 'et', 'ce', 'cette', 'qui', 'que', 'par', 'ni', 'doit', 'moteur', 'registre', 'couche', 'couches', 'réponse', 'indice', 'données', 'taille', 'erreur', 'vide', 'oui', 'non'];
const WORDS: Record<Lang, RegExp> = {
  fr: new RegExp(`(?<![\\p{L}'’-])(${ENGLISH.join('|')})(?![\\p{L}'’-])`, 'iu'),
  en: new RegExp(`(?<![\\p{L}'’-])(${FRENCH.join('|')})(?![\\p{L}'’-])|[éèêàùçôîœ]|\\b[ldn]['’][aeiouyhéè]`, 'iu'),
};

/** What is no one's language: code spans, quotations, options, command lines, placeholders, paths and refs. */
function prose(text: string): string {
  return text
    .replace(/`[^`]*`/g, ' ')
    .replace(/«[^»]*»/g, ' ')
    .replace(/"[^"]*"/g, ' ')
    .replace(/\$\{[^}]*\}/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\S*[/:.@=_]\S*[\w)]/g, ' ')
    .replace(/(?<![\w-])tp7(?: [a-z-]+)?/g, ' ')
    .replace(/(?<![\w-])docker(?: [a-z-]+)*/g, ' ')
    .replace(/(?<!\S)--?[a-zA-Z][\w-]*(?:[= ](?:fr\|en|[A-Z:]+))?/g, ' ')
    .replace(/\b[A-Z][A-Z0-9_]{2,}\b/g, ' ');
}

/** The words of the other language found in a text meant to be in `lang`, or [] when it reads right. */
function strangers(text: string, lang: Lang): string[] {
  const found: string[] = [];
  const pattern = new RegExp(WORDS[lang].source, 'giu');
  for (const match of prose(text).matchAll(pattern)) found.push(match[0]);
  return found;
}

function expectOneLanguage(texts: Record<Lang, string>, where: string): void {
  for (const lang of LANGS) expect(strangers(texts[lang], lang), `${where} (${lang}): ${texts[lang]}`).toEqual([]);
}

describe('the word check itself', () => {
  it('catches the mistakes seen in the wild', () => {
    expect(strangers('ex2 : attendu size < 0.5 × size of app:v1, trouvé 80', 'fr')).toEqual(['of']);
    expect(strangers('archive.tar est tronqué (gzip data ends too early: the file was cut short)', 'fr')).toContain('the');
    expect(strangers('Vérification impossible : registry localhost:5000 unreachable', 'fr')).toEqual(['registry']);
    expect(strangers('Could not check: le registre est en erreur', 'en')).toEqual(['le', 'registre', 'est', 'erreur']);
    expect(strangers('ex1 is missing (trouvé)', 'en')).not.toEqual([]);
  });
  it('leaves names, commands and quotations alone', () => {
    expect(strangers('Lancez `docker image ls` puis tp7 check ex1 --lang en ; « no such image » dit le moteur.', 'fr')).toEqual([]);
    expect(strangers('Run tp7 hint ex1: the engine said « aucune image » about nginx:1.25.', 'en')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Every pair written in the code: both(fr, en), { fr, en } literals, and `fr ? '…' : '…'` choices.

const SRC = join(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** A string or template literal as text, `${…}` parts as a neutral X; undefined for anything computed. */
function literal(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isParenthesizedExpression(node)) return literal(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((span) => ` X ${span.literal.text}`).join('');
  return undefined;
}

function isFrenchTest(node: ts.Expression): boolean {
  const text = node.getText();
  return text === 'fr' || /lang === 'fr'$/.test(text);
}

interface Pair {
  where: string;
  fr: string;
  en: string;
}

function pairsIn(file: string): Pair[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const pairs: Pair[] = [];
  const add = (node: ts.Node, fr: string | undefined, en: string | undefined) => {
    if (fr === undefined || en === undefined) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    pairs.push({ where: `${relative(SRC, file)}:${line}`, fr, en });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.getText() === 'both' && node.arguments.length === 2) {
      add(node, literal(node.arguments[0]), literal(node.arguments[1]));
    } else if (ts.isObjectLiteralExpression(node)) {
      const value = (name: string) => {
        const property = node.properties.find((candidate) => candidate.name?.getText() === name);
        return property && ts.isPropertyAssignment(property) ? literal(property.initializer) : undefined;
      };
      add(node, value('fr'), value('en'));
    } else if (ts.isConditionalExpression(node) && isFrenchTest(node.condition)) {
      add(node, literal(node.whenTrue), literal(node.whenFalse));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return pairs;
}

describe('every message pair in the code', () => {
  const pairs = sourceFiles(SRC).flatMap(pairsIn);
  it('finds the pairs (the scan itself works)', () => {
    expect(pairs.length).toBeGreaterThan(300);
    expect(pairs.some((pair) => pair.where.startsWith('archive/decode.ts') && pair.en.includes('ends too early'))).toBe(true);
  });
  it('writes each side in its own language', () => {
    const wrong = pairs.flatMap((pair) =>
      LANGS.flatMap((lang) => {
        const words = strangers(pair[lang], lang);
        return words.length ? [`${pair.where} (${lang}) ${words.join(', ')}: ${pair[lang]}`] : [];
      }),
    );
    expect(wrong).toEqual([]);
  });
  it('never throws a user-facing error with a one-language message', () => {
    // Which argument holds the message: a literal there is one language only (both(fr, en) is the way).
    const messageArgument: Record<string, number> = { CheckError: 0, Tp7Error: 0, UsageError: 0, CiConfigError: 0, RegistryError: 0, RegistryUnreachableError: 0, ArchiveError: 1 };
    const found = sourceFiles(SRC).flatMap((file) => {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const hits: string[] = [];
      const visit = (node: ts.Node): void => {
        if (ts.isNewExpression(node) && node.expression.getText() in messageArgument) {
          const argument = node.arguments?.[messageArgument[node.expression.getText()]!];
          if (literal(argument) !== undefined) hits.push(`${relative(SRC, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText()}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      return hits;
    });
    expect(found).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Every message kind, rendered in each language.

const render = <T,>(make: (lang: Lang) => T, text: (value: T, lang: Lang) => string): Record<Lang, string> =>
  ({ fr: text(make('fr'), 'fr'), en: text(make('en'), 'en') });

describe('every message kind in both languages', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('help, for the tool and for each command', () => {
    expectOneLanguage(render(() => undefined, (_, lang) => helpText(undefined, lang)), 'tp7 --help');
    for (const command of COMMANDS) expectOneLanguage(render(() => command, helpText), `tp7 ${command.name} --help`);
  });

  it('usage errors of the command line', async () => {
    const errors = async (lang: Lang, argv: string[]): Promise<string> => {
      const written: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
      await main([...argv, '--lang', lang]);
      vi.restoreAllMocks();
      return written.join('');
    };
    for (const argv of [['frob'], ['check', '--bogus'], ['check', '--junit'], ['list', '--json=1'], ['list', 'extra'], ['show', 'ex99'], ['show'], ['answer', 'ex1', 'q'], ['join'], ['join', 'ftp://x']]) {
      const texts = { fr: await errors('fr', argv), en: await errors('en', argv) };
      expect(texts.en, argv.join(' ')).toMatch(/^tp7: /);
      expectOneLanguage(texts, `tp7 ${argv.join(' ')}`);
    }
  });

  it('errors of the one error module', () => {
    expectOneLanguage(render(() => new EngineUnreachableError('unix:///x.sock', 'ECONNREFUSED'), (error, lang) => error.text[lang]), 'engine unreachable');
    expectOneLanguage(render(() => new LabDefinitionError(['a', 'b']), (error, lang) => error.text[lang]), 'invalid labs');
  });

  it("a check's time limit, and the line tp7 watch prints when a round fails", async () => {
    const limit = await withTimeout(new Promise(() => undefined), 5, () => checkTimeLimitError('slow-check', 500)).catch((error: unknown) => error);
    expect(limit).toMatchObject({ name: 'TimeoutError' });
    expectOneLanguage(render(() => oneLineText(limit), (text, lang) => pick(text, lang)), 'check time limit');
    expect(pick(oneLineText(limit), 'fr')).toBe('la vérification slow-check a pris plus de 0,5 s');
    for (const error of [new Error('connect ECONNREFUSED /var/run/docker.sock'), new EngineUnreachableError('unix:///x.sock', 'ECONNREFUSED'), limit]) {
      expectOneLanguage(render(() => roundFailure(error), (text, lang) => pick(text, lang)), `tp7 watch round error: ${String(error)}`);
    }
  });

  it('archive diagnostics, each verdict', () => {
    const verdicts: ArchiveVerdict[] = ['not-a-tar', 'truncated', 'corrupt', 'unsafe-path', 'too-large', 'too-many-entries', 'not-a-save', 'export-not-save', 'unsupported-compression'];
    const errors = [
      decodeFailure('gzip', 'unexpected end'),
      decodeFailure('xz', 'xz: (stdin): Compressed data is corrupt'),
      decodeFailure('zstd', 'zstd: error 11 : Allocation error : not enough memory'),
      ...verdicts.map((verdict) => new ArchiveError(verdict, { fr: 'le fichier a été coupé', en: 'the file was cut short' })),
    ];
    for (const error of errors) {
      expectOneLanguage(render(() => verdictMessage('save.tar.gz', error), (text, lang) => text[lang]), `archive ${error.verdict}`);
    }
  });

  it('a failed image attribute (the "attendu … size of" mix)', async () => {
    const engine = fakeEngine({ 'app:v2': { Size: 9_000_000 }, 'app:v1': { Size: 10_000_000 } });
    const spec = imageAttribute.schema.parse({ kind: 'image-attribute', ref: 'app:v2', attribute: 'size', lessThanImage: 'app:v1', factor: 0.5, matches: '^1' });
    const result = await imageAttribute.run(spec, { engine } as never);
    expect(result.status).toBe('fail');
    expectOneLanguage(result.message, 'image-attribute');
  });

  it('the checklist and tp7 analyze', () => {
    const exercise = { id: 'ex1', title: 'Tags', earned: 0, possible: 1, checks: [{ id: 'c', title: 'c', kind: 'image-exists', status: 'fail' as const, points: 1, earned: 0, expected: '', actual: '', message: 'm', durationMs: 1 }] };
    const skills = [{ id: 'tags', label: { fr: 'Tags', en: 'Tags' }, exercises: ['ex1'] }];
    expectOneLanguage(render((lang) => buildReport('unix:///x', { version: '1', apiVersion: '1', os: 'linux', arch: 'amd64' }, [exercise], scoreSkills(skills, [exercise], lang)), renderText), 'checklist');
    const analysis = {
      ref: 'app:v1', id: `sha256:${'a'.repeat(64)}`, os: 'linux', architecture: 'amd64',
      steps: [{ instruction: 'RUN', createdBy: '/bin/sh -c apk add curl' }],
      layers: [{ index: 0, size: 10, changes: { added: { count: 1, bytes: 10 }, changed: { count: 0, bytes: 0 }, removed: { count: 1, bytes: 5 } } }],
      wastedPaths: [{ path: '/big.bin', count: 2, cumulativeSize: 20 }],
      imageSize: 20, userSize: 20, efficiency: 0.5, wastedBytes: 10, userWastedPercent: 0.5, bytesRead: 100, durationMs: 1,
    } as unknown as ImageAnalysis;
    for (const rules of [defaultRules(), parseCiRules('rules:\n  - name: efficiency\n    value: 0.95\n    fatal: false\n', 'ci.yml'), parseCiRules('nothing: here\n', 'ci.yml')]) {
      const results = evaluateRules(rules, analysis);
      expectOneLanguage(render((lang) => buildAnalysisReport(analysis, rules, results, rulesPass(results), lang), renderAnalysis), 'tp7 analyze');
    }
  });

  it('doctor\'s default-network finding', async () => {
    const failing = {
      listImages: async () => [{ RepoTags: ['a:1'], Size: 1 }],
      getNetwork: () => ({ inspect: async () => ({ Options: {} }) }),
      createContainer: async () => ({ start: async () => Promise.reject(Object.assign(new Error('x'), { json: { message: 'could not find bridge docker0' } })), remove: async () => undefined }),
    };
    expectOneLanguage((await networkFinding(failing as never, false)).detail, 'doctor network');
  });

  it('tp7 class: its table and the reports it cannot read', async () => {
    const dir = tempDir('class-');
    writeFileSync(join(dir, 'broken.json'), '{');
    writeFileSync(join(dir, 'other.json'), '{"schema": "x"}');
    const out = async (lang: Lang): Promise<string> => {
      const lines: string[] = [];
      const context = { args: [dir], options: {}, lang, workdir: dir, registry: 'x', json: false, interactive: false, out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) } as CommandContext;
      const { run } = await import('../../src/commands/class/index.js');
      await run(context);
      return lines.join('\n');
    };
    expectOneLanguage({ fr: await out('fr'), en: await out('en') }, 'tp7 class');
  });
});
