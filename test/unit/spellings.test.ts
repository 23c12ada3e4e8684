import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { factKind } from '../../src/facts/index.js';
import type { Fact } from '../../src/facts/types.js';
import type { ProbeClients } from '../../src/probes/types.js';
import { validateLab } from '../../src/lab/validate.js';
import { judgeAgainstFact } from '../../src/questions/evaluate.js';
import { answerFormatProblem } from '../../src/questions/match.js';
import type { Question } from '../../src/questions/schema.js';

// Every engine-derived question of the labs, with the spellings a student who is right would use (accepted), and
// the answers refused: wrong ones, and malformed ones whose message says which form is expected. A new
// engine-derived question without its table here fails the last test.
type EngineQuestion = Extract<Question, { kind: 'engine' }>;
interface Table {
  /** The value the fact reads from the engine in this case. */
  value: NonNullable<Fact['value']>;
  /** The other names the fact gives with its value (see Fact.synonyms). */
  synonyms?: string[];
  accepted: string[];
  wrong?: string[];
  /** Refused answers and the expected form their message names. */
  malformed?: Array<[string, RegExp]>;
}

const HEX = 'a3f1c2d4e5b6'.padEnd(64, '0123456789abcdef');
const CREATED = '2024-01-15T12:34:56.123456789Z';

const TABLES: Record<string, Table[]> = {
  // ex6's questions (from the ex6-scripts branch merged here), minimal tables so the coverage test holds.
  'ex6/dangling-count': [{ value: 3, accepted: ['3', ' 3 '], wrong: ['4', '0'] }],
  'ex6/unused-images': [
    { value: ['tp7-ex6-batch:1.0', 'tp7-ex6-tools:1.0'], accepted: ['tp7-ex6-batch:1.0 tp7-ex6-tools:1.0', 'tp7-ex6-tools:1.0, tp7-ex6-batch:1.0', 'docker.io/library/tp7-ex6-batch:1.0;tp7-ex6-tools:1.0'], wrong: ['tp7-ex6-batch:1.0', 'tp7-ex6-web:1.0 tp7-ex6-batch:1.0 tp7-ex6-tools:1.0'] },
    { value: [], accepted: ['none', 'aucune'], wrong: ['tp7-ex6-web:1.0'] },
  ],
  'ex6/reclaimable-space': [{ value: 43_421_337, accepted: ['43.4MB', '43.4MB (100%)', '43,4 Mo'], wrong: ['4.3MB'] }],
  'ex9/webapp-registry': [
    { value: 'registry.company.com', accepted: ['registry.company.com', 'Registry.Company.com', 'registry.company.com/', 'https://registry.company.com', '"registry.company.com"'], wrong: ['registry', 'company.com', 'docker.io', 'registry.company.com/team'] },
  ],
  'ex9/webapp-namespace': [
    { value: 'team', accepted: ['team', 'team/', '/team/', 'TEAM', '`team`'], wrong: ['registry.company.com/team', 'webapp', 'library'] },
    // A reference without a namespace (localhost:5000/myapp): "none" in its usual words.
    { value: '', accepted: ['aucun', 'none', '-', '(vide)', 'rien'], wrong: ['myapp', 'localhost:5000'] },
  ],
  'ex9/webapp-name': [{ value: 'webapp', accepted: ['webapp', 'WebApp', 'webapp:', '/webapp'], wrong: ['team/webapp', 'webapp:2.1.0', 'app'] }],
  'ex9/webapp-version': [
    { value: '2.1.0', accepted: ['2.1.0', 'v2.1.0', ':2.1.0', '2.1.0-', ' 2.1.0. '], wrong: ['2.1', '2.1.0-production', '2', '1.2.0'] },
    { value: 'v1.0.0', accepted: ['v1.0.0', '1.0.0', 'V1.0.0'], wrong: ['1.0', 'v1.0.0-debug'] },
  ],
  'ex9/webapp-variant': [
    { value: 'production', accepted: ['production', '-production', 'Production', '"production"'], wrong: ['prod', '2.1.0-production', 'aucune'] },
    { value: '', accepted: ['aucune', 'none', '-'], wrong: ['production'] },
  ],
  'ex9/official-registry': [
    { value: 'docker.io', synonyms: ['index.docker.io', 'registry-1.docker.io', 'hub.docker.com', 'docker hub'], accepted: ['docker.io', 'Docker Hub', 'index.docker.io', 'registry-1.docker.io', 'docker.io/', 'https://index.docker.io', 'hub.docker.com'], wrong: ['localhost:5000', 'nginx', 'library', 'docker'] },
  ],
  'ex9/official-namespace': [{ value: 'library', accepted: ['library', 'library/', 'Library'], wrong: ['nginx', 'docker.io', 'aucun', 'official'] }],
  'ex1/shared-id': [
    { value: true, accepted: ['oui', 'Oui.', 'OUI', 'o', 'yes', 'Y', 'Yes!', 'yep', 'ouais', 'vrai', 'true', 'oui, 1.25 et latest', 'Oui (1.25 et latest)'], wrong: ['non', 'no'], malformed: [['peut-être', /answer yes or no/]] },
    { value: false, accepted: ['non', 'No', 'n', 'faux', 'non, aucun'], wrong: ['oui'] },
  ],
  'ex1/architecture': [
    { value: 'amd64', accepted: ['amd64', 'AMD64', ' amd64 ', 'x86_64', 'X86_64', 'x86-64', 'x64', 'linux/amd64', '"amd64"'], wrong: ['arm64', 'aarch64'], malformed: [['intel', /architecture name such as amd64/], ['64 bits', /architecture name/]] },
    { value: 'arm64', accepted: ['arm64', 'aarch64', 'ARM64', 'arm64/v8', 'linux/arm64/v8', 'arm64v8'], wrong: ['amd64', 'x86_64', 'arm'] },
    { value: 'arm', accepted: ['arm', 'armv7', 'armv7l', 'arm/v7', 'linux/arm/v7', 'armhf'], wrong: ['arm64'] },
  ],
  'ex1/os': [{ value: 'linux', accepted: ['linux', 'Linux', 'LINUX', '"linux"', 'linux.'], wrong: ['windows', 'alpine'] }],
  'ex1/created': [
    {
      value: CREATED,
      accepted: [
        '2024-01-15', CREATED, '2024-01-15T12:34:56Z', '2024-01-15 12:34:56 +0000 UTC', '2024/01/15', '15/01/2024', '15-01-2024', '15.01.2024',
        '15/1/2024', '15/01/24', '15 janvier 2024', '15 janv. 2024', 'lundi 15 janvier 2024', 'le 15 janvier 2024', 'January 15, 2024',
        'Jan 15 2024', '15 Jan 2024', 'Mon Jan 15 2024', '01/15/2024',
      ],
      wrong: ['2024-01-16', '16/01/2024', '15 février 2024', '2023-01-15'],
      malformed: [['2 weeks ago', /a date such as 2024-01-15, 15\/01\/2024 or 15 January 2024 \(not an age/], ['hier', /a date such as/], ['32/01/2024', /a date such as/]],
    },
    // The dates of the issue: the day first, with dashes or slashes, and French month names.
    { value: '2026-11-28T09:00:00Z', accepted: ['28-11-2026', '28/11/2026', '2026-11-28', '28 novembre 2026', '28 nov. 2026', 'samedi 28 novembre 2026', 'November 28, 2026', '11/28/2026'], wrong: ['27-11-2026'] },
    // A day both ways round (01/02): the day-first reading, the French one, is the one read.
    { value: '2024-02-01T00:00:00Z', accepted: ['01/02/2024', '1er février 2024', '1 févr. 2024', '2024-02-01'], wrong: ['2024-01-02', '02/01/2024'] },
  ],
  'ex1/size': [
    {
      value: 43_421_337,
      accepted: [
        '43421337', '43 421 337', '43\u00a0421\u00a0337', '43,421,337', '43421337 bytes', '43421337 octets', '43421337 B', '43.4MB', '43.4 MB', '43,4 Mo',
        '43 Mo', '43.42 mb', '41.4 MiB', '41,4 Mio', '43421 kB', '42404 KiB', '43421 ko', '0.043 GB', '0,04 Go', 'Size: 43421337', 'SIZE 43.4MB',
        '~43 MB', '≈ 43 Mo', 'environ 43 Mo', '43 mégaoctets', '43.4 megabytes',
      ],
      wrong: ['60 MB', '4.3 MB', '434 MB', '173.7 MB'],
      malformed: [['43', /a number without a unit is read as bytes: add the unit/], ['big', /a size such as 42456789, 42.5 MB, 42,5 Mo or 40 MiB/], ['43 parsecs', /a size such as/]],
    },
  ],
  'ex1/nginx-version': [
    { value: '1.25.4', accepted: ['1.25.4', 'NGINX_VERSION=1.25.4', 'nginx/1.25.4', 'v1.25.4', 'nginx version: nginx/1.25.4', '1.25.4.', ' 1.25.4 '], wrong: ['1.25', '1.25.3', '1.24.0', '11.25.4'], malformed: [['latest', /a version number such as 1\.2\.3/]] },
  ],
  'ex1/exposed-port': [
    { value: ['80/tcp'], accepted: ['80', '80/tcp', '80/TCP', 'map[80/tcp:{}]', '{"80/tcp":{}}', 'port 80', 'EXPOSE 80', '[80/tcp]', '80.'], wrong: ['8080', '80/udp', '80 443', '443'] },
    { value: ['443/tcp', '80/tcp'], accepted: ['80 443', '443, 80', '80 et 443', 'map[443/tcp:{} 80/tcp:{}]', 'ports : 80 and 443'], wrong: ['80'] },
  ],
  'ex1/default-command': [
    {
      value: ['nginx', '-g', 'daemon off;'],
      accepted: ['nginx -g daemon off;', 'nginx -g "daemon off;"', "nginx -g 'daemon off;'", '[nginx -g daemon off;]', '["nginx","-g","daemon off;"]', '["nginx", "-g", "daemon off;"]', 'NGINX -G DAEMON OFF;'],
      wrong: ['nginx', 'nginx -g', 'daemon off;', 'sh'],
    },
  ],
  'ex1/working-dir': [
    { value: '', accepted: ['none', 'aucun', 'aucune', '(empty)', 'vide', '""', '-', 'rien', 'nothing', 'None.'], wrong: ['/app', '/usr/share/nginx/html'] },
    { value: '/app', accepted: ['/app', '"/app"', '/APP'], wrong: ['none', '/', 'app/src'] },
  ],
  'ex2/four-tags-disk': [
    // The size of the one image the four tags name; or 0, the bytes the tags add (accepted with its reasoning).
    { value: 43_421_337, accepted: ['43.4MB', '43421337', '41.4 MiB', '43,4 Mo', '0', '0 B', '0 octet', '0 MB'], wrong: ['173.7 MB', '173685348', '86.8 MB'], malformed: [['4 fois rien', /a size such as/]] },
  ],
  'ex2/shared-id': [
    {
      value: `sha256:${HEX}`,
      accepted: [HEX.slice(0, 12), HEX, `sha256:${HEX}`, `sha256:${HEX.slice(0, 12)}`, HEX.slice(0, 12).toUpperCase(), `"${HEX.slice(0, 12)}"`, ` ${HEX.slice(0, 12)} `, HEX.slice(0, 20)],
      wrong: ['b'.repeat(12), `${HEX.slice(0, 11)}f`],
      malformed: [[HEX.slice(0, 6), /an image ID \(12 hex digits or more\)/], ['nginx:alpine', /an image ID/]],
    },
  ],
  'ex3/smallest-compression': [
    {
      value: 'xz',
      synonyms: ['lzma', 'lzma2', 'nginx-alpine.tar.xz', 'tar.xz', '.tar.xz', 'xz', '.xz'],
      accepted: ['xz', 'XZ', ' xz ', 'xz.', '"xz"', 'nginx-alpine.tar.xz', '.xz', 'tar.xz', 'LZMA'],
      wrong: ['gzip', 'bzip2', 'nginx-alpine.tar.gz', 'gz'],
    },
  ],
  'ex4/nginx-alpine-digest': [
    {
      value: `sha256:${HEX}`,
      accepted: [`sha256:${HEX}`, HEX, `SHA256:${HEX.toUpperCase()}`, `"sha256:${HEX}"`, `localhost:5000/nginx@sha256:${HEX}`, `alpine: digest: sha256:${HEX} size: 1568`],
      wrong: [`sha256:${'f'.repeat(64)}`],
      malformed: [[`sha256:${HEX.slice(0, 12)}`, /the whole digest: sha256: followed by 64 hex digits/], ['latest', /the whole digest/]],
    },
  ],
  'ex5/filesystem-layers': [{ value: 3, accepted: ['3', ' 3 ', '3 layers', '3 couches', '3.'], wrong: ['4', '30'], malformed: [['three', /a number, such as 7/]] }],
  'ex5/metadata-steps': [{ value: 9, accepted: ['9', '9 steps', '9 étapes'], wrong: ['8'], malformed: [['neuf', /a number/]] }],
  'ex5/largest-layer-instruction': [
    { value: 'RUN', accepted: ['RUN', 'run', 'Run', 'RUN apk add --no-cache nginx', '/bin/sh -c apk add nginx', 'RUN.'], wrong: ['COPY', 'ADD', 'IMPORT'], malformed: [['apk add nginx', /a Dockerfile keyword, such as COPY/]] },
    { value: 'IMPORT', accepted: ['IMPORT', 'import'], wrong: ['ADD', 'RUN'] },
  ],
  'ex6/dangling-count': [{ value: 2, accepted: ['2', ' 2 ', '2 images', '2 images pendantes', '2 dangling', '2.'], wrong: ['3', '0'], malformed: [['deux', /a number/]] }],
  'ex6/unused-images': [
    {
      value: ['tp7-ex6-batch:1.0', 'tp7-ex6-tools:1.0'],
      accepted: ['tp7-ex6-batch:1.0, tp7-ex6-tools:1.0', 'tp7-ex6-tools:1.0 tp7-ex6-batch:1.0', 'TP7-EX6-BATCH:1.0;tp7-ex6-tools:1.0', 'docker.io/library/tp7-ex6-batch:1.0, tp7-ex6-tools:1.0'],
      wrong: ['tp7-ex6-batch:1.0', 'tp7-ex6-batch:1.0, tp7-ex6-tools:1.0, tp7-ex6-web:1.0'],
      // Names without their tags read as :latest: the message names the form NAME:TAG.
      malformed: [['tp7-ex6-batch, tp7-ex6-tools', /write each image with its tag, NAME:TAG/], ['"tp7-ex6-batch" tp7-ex6-tools', /NAME:TAG/]],
    },
  ],
  'ex6/reclaimable-space': [{ value: 12_500_000, accepted: ['12.5MB', '12,5 Mo', '12.5MB (45%)', '12500000', '11.9MiB', '12.5 MB'], wrong: ['25MB', '1.25MB'], malformed: [['beaucoup', /.+/]] }],
  'ex7/platforms': [
    {
      value: ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'],
      accepted: ['linux/amd64, linux/arm64/v8, linux/arm/v7', 'linux/arm/v7 linux/amd64 linux/arm64', 'amd64, arm64, arm/v7', 'x86_64, aarch64 et armv7l', 'linux/amd64; linux/arm64; linux/arm/v7', 'amd64 and arm64 and armhf'],
      wrong: ['linux/amd64, linux/arm64', 'linux/amd64, linux/arm64/v8, linux/arm/v6', 'linux/amd64, linux/arm64, linux/arm/v7, linux/s390x'],
      malformed: [['amd64, arm64, autres', /platforms separated by commas/]],
    },
  ],
  'ex7/arm64-digest': [
    { value: `sha256:${HEX}`, accepted: [`sha256:${HEX}`, HEX, ` "sha256:${HEX}" `, `SHA256:${HEX.toUpperCase()}`], wrong: [`sha256:${HEX.slice(0, 63)}1`], malformed: [[HEX.slice(0, 12), /the whole digest/]] },
  ],
  'ex7/local-architecture': [
    { value: 'arm64', accepted: ['arm64', 'aarch64', 'linux/arm64', 'arm64/v8', 'linux/arm64/v8', 'ARM64'], wrong: ['amd64', 'x86_64', 'arm/v7'], malformed: [['arm 64 bits', /architecture name such as amd64/]] },
  ],
  'ex8/shared-digest': [
    {
      value: `sha256:${HEX}`,
      accepted: [`sha256:${HEX}`, HEX, `1.0.0: digest: sha256:${HEX} size: 1568`, `localhost:5000/myapp@sha256:${HEX}`, `Docker-Content-Digest: sha256:${HEX}`],
      wrong: [`sha256:${'f'.repeat(64)}`],
      malformed: [[`sha256:${HEX.slice(0, 12)}`, /the whole digest/]],
    },
  ],
};

const lab = validateLab(join(import.meta.dirname, '../../labs'));
const engineQuestions = lab.exercises.flatMap(({ exercise }) =>
  exercise.questions.filter((question): question is EngineQuestion => question.kind === 'engine').map((question) => [`${exercise.id}/${question.id}`, question] as const),
);
const byKey = new Map(engineQuestions);

describe.each(Object.entries(TABLES))('%s', (key, tables) => {
  const question = byKey.get(key)!;
  it('is an engine-derived question of the labs', () => expect(question).toBeDefined());
  for (const [index, table] of tables.entries()) {
    describe(`value ${JSON.stringify(table.value)} (#${index + 1})`, () => {
      it.each(table.accepted)('accepts %j', (answer) => {
        expect(judgeAgainstFact(question, answer, table)).not.toBe(false);
      });
      it.each(table.wrong ?? [])('refuses %j as wrong', (answer) => {
        expect(judgeAgainstFact(question, answer, table)).toBe(false);
      });
      it.each(table.malformed ?? [])('refuses %j and names the expected form', (answer, form) => {
        expect(judgeAgainstFact(question, answer, { value: table.value })).toBe(false);
        const problem = answerFormatProblem(question.match, answer);
        expect(problem?.en).toMatch(form);
        expect(problem?.fr).toBeTruthy();
      });
    });
  }
});

describe('coverage', () => {
  it('every engine-derived question of the labs has its table of spellings', () => {
    expect(engineQuestions.map(([key]) => key).filter((key) => !(key in TABLES))).toEqual([]);
  });
  it('the smallest file is named by its answer, aliases, file name and extension', async () => {
    const question = byKey.get('ex3/smallest-compression')!;
    const sizes: Record<string, number> = { 'nginx-alpine.tar.gz': 30, 'nginx-alpine.tar.bz2': 25, 'nginx-alpine.tar.xz': 20 };
    const files = { stat: async (path: string) => ({ isFile: true, size: sizes[path]! }) } as unknown as ProbeClients['files'];
    const fact = await factKind(question.derive.kind).read(question.derive, { files } as ProbeClients);
    expect(fact).toEqual({ value: 'xz', synonyms: TABLES['ex3/smallest-compression']![0]!.synonyms });
  });
  it('the defensible 0 of ex2 comes with its reasoning', () => {
    const verdict = judgeAgainstFact(byKey.get('ex2/four-tags-disk')!, '0', { value: 43_421_337 });
    expect(verdict).toMatchObject({ en: expect.stringContaining('the tags themselves add nothing') });
  });
});
