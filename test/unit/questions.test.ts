import { describe, expect, it } from 'vitest';
import { evaluateQuestion, parseAnswer } from '../../src/questions/evaluate.js';
import { matchesFact, answerFormatProblem } from '../../src/questions/match.js';
import { normaliseText, parseDay, parseSize } from '../../src/questions/normalise.js';
import { QuestionSchema, type Question } from '../../src/questions/schema.js';
import { clients, fakeEngine, ID_A, ID_B } from './fake-engine.js';

const text = (fr: string) => ({ fr, en: fr });
const base = { prompt: text('?'), explanation: text('because') };
const q = (fields: object): Question => QuestionSchema.parse({ id: 'q', ...base, ...fields });

describe('normalisation', () => {
  it('ignores case, accents, quotes, brackets and spacing', () => {
    expect(normaliseText('  [nginx -g "daemon off;"] ')).toBe('nginx -g daemon off;');
    expect(normaliseText('Étiquette  Nommée.')).toBe('etiquette nommee');
  });
  it('reads sizes in bytes, decimal and binary units, with a French comma', () => {
    expect(parseSize('42456789')).toEqual([42456789]);
    expect(parseSize('42,5 Mo')).toEqual([42.5e6, 42.5 * 1024 ** 2]);
    expect(parseSize('40MiB')).toEqual([40 * 1024 ** 2]);
    expect(parseSize('big')).toEqual([]);
    // What the course's `docker inspect --format '{{.Size}} bytes'` prints.
    expect(parseSize('42456789 bytes')).toEqual([42456789]);
  });
  it('reads ISO and French dates as a calendar day', () => {
    expect(parseDay('2024-01-15T12:34:56.789Z')).toBe('2024-01-15');
    expect(parseDay('15/01/2024')).toBe('2024-01-15');
    expect(parseDay('yesterday')).toBeUndefined();
  });
});

describe('matchers', () => {
  it('compares commands however they are bracketed or quoted', () => {
    expect(matchesFact('text', "nginx -g 'daemon off;'", ['nginx', '-g', 'daemon off;'])).toBe(true);
    expect(matchesFact('text', '[nginx -g daemon off;]', ['nginx', '-g', 'daemon off;'])).toBe(true);
    expect(matchesFact('text', 'nginx', ['nginx', '-g', 'daemon off;'])).toBe(false);
  });
  it('accepts "none" for an empty value', () => {
    expect(matchesFact('text', 'aucun', '')).toBe(true);
    expect(matchesFact('text', '/usr/share', '')).toBe(false);
  });
  it('accepts a rounded size within 5 %', () => {
    expect(matchesFact('size', '42.5MB', 42_456_789)).toBe(true);
    expect(matchesFact('size', '60MB', 42_456_789)).toBe(false);
  });
  it('accepts ports with or without the protocol', () => {
    expect(matchesFact('ports', '80', ['80/tcp'])).toBe(true);
    expect(matchesFact('ports', '80/tcp', ['80/tcp'])).toBe(true);
    expect(matchesFact('ports', '443', ['80/tcp'])).toBe(false);
    // Pasted straight from `docker inspect --format '{{.Config.ExposedPorts}}'`.
    expect(matchesFact('ports', 'map[80/tcp:{}]', ['80/tcp'])).toBe(true);
    expect(matchesFact('ports', 'map[443/tcp:{} 80/tcp:{}]', ['443/tcp', '80/tcp'])).toBe(true);
  });
  it('accepts the short and the long image ID, not a too short prefix', () => {
    expect(matchesFact('image-id', ID_A.slice(7, 19), ID_A)).toBe(true);
    expect(matchesFact('image-id', ID_A, ID_A)).toBe(true);
    expect(matchesFact('image-id', 'aaaa', ID_A)).toBe(false);
    expect(matchesFact('image-id', ID_B.slice(7, 19), ID_A)).toBe(false);
  });
  it('reads yes and no in French and English', () => {
    expect(matchesFact('yes-no', 'Oui', true)).toBe(true);
    expect(matchesFact('yes-no', 'no', false)).toBe(true);
    expect(matchesFact('yes-no', 'peut-être', true)).toBe(false);
    expect(answerFormatProblem('yes-no', 'peut-être')?.en).toBe('answer yes or no');
  });
});

describe('parsing answers', () => {
  const choice = q({ kind: 'single-choice', choices: [{ id: 'a', text: text('A') }, { id: 'b', text: text('B') }], answer: 'b' });
  const multiple = q({ kind: 'multiple-choice', choices: [{ id: 'a', text: text('A') }, { id: 'b', text: text('B') }, { id: 'c', text: text('C') }], answers: ['a', 'b'] });
  it('takes a choice named by its text, in either language', () => {
    const modes = q({ kind: 'single-choice', choices: [{ id: 'a', text: { fr: 'léger', en: 'light' } }, { id: 'b', text: { fr: 'moyen', en: 'medium' } }], answer: 'a' });
    expect(parseAnswer(modes, 'light')).toEqual({ answer: 'a' });
    expect(parseAnswer(modes, ' Léger. ')).toEqual({ answer: 'a' });
    expect(parseAnswer(modes, '"medium"')).toEqual({ answer: 'b' });
    expect(parseAnswer(modes, 'heavy')).toEqual({ problem: { fr: 'choisissez parmi : a, b', en: 'choose among: a, b' } });
  });
  it('takes choice ids or 1-based numbers', () => {
    expect(parseAnswer(choice, 'B')).toEqual({ answer: 'b' });
    expect(parseAnswer(choice, '2')).toEqual({ answer: 'b' });
    expect(parseAnswer(choice, 'z')).toEqual({ problem: { fr: 'choisissez parmi : a, b', en: 'choose among: a, b' } });
    expect(parseAnswer(choice, 'a,b')).toEqual({ problem: { fr: 'choisissez-en exactement une', en: 'choose exactly one' } });
    expect(parseAnswer(multiple, 'b, a')).toEqual({ answer: 'a,b' });
  });
  it('judges choices and sets', async () => {
    const none = clients(fakeEngine({}));
    expect((await evaluateQuestion(choice, 'b', none, 'ex1')).status).toBe('pass');
    expect((await evaluateQuestion(choice, 'a', none, 'ex1')).status).toBe('fail');
    expect((await evaluateQuestion(multiple, 'a,b', none, 'ex1')).status).toBe('pass');
    expect((await evaluateQuestion(multiple, 'a', none, 'ex1')).status).toBe('fail');
    expect((await evaluateQuestion(multiple, 'a,b,c', none, 'ex1')).status).toBe('fail');
  });
  it('says when a question is unanswered', async () => {
    const result = await evaluateQuestion(choice, undefined, clients(fakeEngine({})), 'ex1');
    expect(result).toMatchObject({ status: 'fail', actual: 'unanswered' });
    expect(result.message.en).toBe('Not answered yet: tp7 quiz ex1 or tp7 answer ex1 q <answer>.');
  });
  it('accepts free text by list or pattern', async () => {
    const free = q({ kind: 'text', accept: ['une référence nommée'], patterns: ['^(un )?pointeur'] });
    const none = clients(fakeEngine({}));
    expect((await evaluateQuestion(free, 'Une  REFERENCE nommée.', none, 'ex1')).status).toBe('pass');
    expect((await evaluateQuestion(free, 'pointeur vers une image', none, 'ex1')).status).toBe('pass');
    expect((await evaluateQuestion(free, 'une copie', none, 'ex1')).status).toBe('fail');
  });
});

describe('engine-derived questions', () => {
  const engine = fakeEngine({
    'nginx:latest': { Id: ID_A },
    'nginx:stable': { Id: ID_A },
    'nginx:alpine': { Id: ID_B, Architecture: 'arm64', Config: { Env: ['PATH=/bin', 'NGINX_VERSION=1.25.3'] } },
  });
  const arch = q({ kind: 'engine', derive: { kind: 'image-attribute', ref: 'nginx:alpine', attribute: 'architecture' }, match: 'text' });
  it('reads the expected answer from the engine at check time', async () => {
    expect((await evaluateQuestion(arch, 'arm64', clients(engine), 'ex1')).status).toBe('pass');
    expect((await evaluateQuestion(arch, 'amd64', clients(engine), 'ex1')).status).toBe('fail');
  });
  it('reads one environment variable', async () => {
    const version = q({ kind: 'engine', derive: { kind: 'image-attribute', ref: 'nginx:alpine', attribute: 'env', envVar: 'NGINX_VERSION' }, match: 'text' });
    expect((await evaluateQuestion(version, '1.25.3', clients(engine), 'ex1')).status).toBe('pass');
  });
  it('answers whether tags share an ID, and which one', async () => {
    const any = q({ kind: 'engine', derive: { kind: 'shared-image-id', refs: ['nginx:latest', 'nginx:stable', 'nginx:alpine'], answer: 'any-shared' }, match: 'yes-no' });
    expect((await evaluateQuestion(any, 'oui', clients(engine), 'ex1')).status).toBe('pass');
    const common = q({ kind: 'engine', derive: { kind: 'shared-image-id', refs: ['nginx:latest', 'nginx:stable'], answer: 'common-id' }, match: 'image-id' });
    expect((await evaluateQuestion(common, ID_A.slice(7, 19), clients(engine), 'ex1')).status).toBe('pass');
  });
  it('cannot be judged before the image exists, and says so', async () => {
    const result = await evaluateQuestion(arch, 'amd64', clients(fakeEngine({})), 'ex1');
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('nginx:alpine is not on the engine');
  });
  it('tells a malformed answer from a wrong one', async () => {
    const size = q({ kind: 'engine', derive: { kind: 'image-attribute', ref: 'nginx:alpine', attribute: 'size' }, match: 'size' });
    const result = await evaluateQuestion(size, 'very big', clients(engine), 'ex1');
    expect(result.message.en).toContain('answer with a size');
  });
});
