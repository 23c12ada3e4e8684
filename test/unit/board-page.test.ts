import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGES, chooseLanguage, classLanguage, translate } from '../../board/messages.js';
import { cellStatus, checkStatus, filterRows, readBelow, relativeTime, sortRows, stuckWeight } from '../../board/view.js';

// The board page's pure logic and its rules as files (the browser itself is tested in
// test/integration/board-browser.test.ts).

const BOARD = join(import.meta.dirname, '../../board');
const files = readdirSync(BOARD).filter((file) => /\.(js|html|css)$/.test(file));
const read = (file: string) => readFileSync(join(BOARD, file), 'utf8');

function row(name: string, percent: number, lastSeen: string, statuses: string[] = [], flags: unknown[] = []) {
  return {
    name,
    percent,
    earned: percent,
    possible: 100,
    lastSeen,
    submissions: 1,
    flags,
    skills: {},
    exercises: Object.fromEntries(statuses.map((status, index) => [`ex${index + 1}`, { earned: 0, possible: 1, status }])),
  };
}

describe('board messages', () => {
  it('has every key in both languages, with the same placeholders', () => {
    expect(Object.keys(MESSAGES.fr).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const key of Object.keys(MESSAGES.en)) {
      expect(MESSAGES.fr[key as keyof typeof MESSAGES.fr], key).not.toBe('');
      expect(placeholders(MESSAGES.fr[key as keyof typeof MESSAGES.fr]), key).toEqual(placeholders(MESSAGES.en[key as keyof typeof MESSAGES.en]));
    }
  });

  it('defines every key the page and its scripts use', () => {
    const used = new Set<string>();
    for (const file of files) {
      const text = read(file);
      for (const match of text.matchAll(/data-i18n(?:-[\w-]+)?="([\w.-]+)"/g)) used.add(match[1]!);
      for (const match of text.matchAll(/\bt\('([\w.-]+)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(30);
    expect([...used].filter((key) => !(key in MESSAGES.en))).toEqual([]);
  });

  it('fills placeholders as plain strings and picks the language from ?lang=, a saved choice, then the browser', () => {
    expect(translate('fr', 'stuckItem', { failing: 3, of: 12 })).toBe('3 sur 12 en échec');
    expect(translate('en', 'announceOne', { name: '<b>x</b>', percent: 50 })).toBe('<b>x</b>: 50%');
    expect(chooseLanguage('?lang=en', 'fr', ['fr-FR'])).toBe('en');
    expect(chooseLanguage('?lang=de', 'fr', ['en-US'])).toBe('fr');
    expect(chooseLanguage('', null, ['fr-CA', 'en'])).toBe('fr');
    expect(chooseLanguage('', null, ['de-DE', 'en-GB'])).toBe('en');
    // No language the board speaks, nothing from the server: French first, as everywhere in tp7.
    expect(chooseLanguage('', null, ['de-DE'])).toBe('fr');
  });

  it("opens in the class's language: `tp7 serve --lang` wins over the browser, the browser over the server's default", () => {
    const asked = { lang: 'fr', asked: true };
    const fallback = { lang: 'en', asked: false };
    expect(chooseLanguage('', null, ['en-GB', 'en'], asked)).toBe('fr');
    expect(chooseLanguage('', null, ['en-GB'], { lang: 'en', asked: true })).toBe('en');
    expect(chooseLanguage('', null, ['fr-FR'], fallback)).toBe('fr');
    expect(chooseLanguage('', null, ['de-DE'], fallback)).toBe('en');
    expect(chooseLanguage('', null, [], { lang: 'fr', asked: false })).toBe('fr');
    // What the person at this browser chose (the page's own switch, ?lang=) still wins.
    expect(chooseLanguage('', 'en', ['fr-FR'], asked)).toBe('en');
    expect(chooseLanguage('?lang=en', null, ['fr-FR'], asked)).toBe('en');
    expect(chooseLanguage('', null, ['en'], { lang: 'de', asked: true })).toBe('en');
    expect(classLanguage({ classLang: 'fr', classLangAsked: 'true' })).toEqual({ lang: 'fr', asked: true });
    expect(classLanguage({ classLang: 'en', classLangAsked: 'false' })).toEqual({ lang: 'en', asked: false });
    expect(classLanguage({})).toEqual({ lang: undefined, asked: false });
  });

});

describe('board files', () => {
  it('never parse API text as HTML', () => {
    for (const file of files.filter((name) => name.endsWith('.js'))) {
      expect(read(file), file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    }
  });

  it('load nothing from another origin and run no inline script or style (the CSP is default-src \'self\')', () => {
    for (const file of files) expect(read(file), file).not.toMatch(/\bhttps?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const html = read('index.html');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son\w+=/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/<style/);
  });
});

describe('board view logic', () => {
  const rows = [
    row('bruno', 80, '2026-01-01T10:00:00Z', ['pass', 'partial']),
    row('Alice', 20, '2026-01-01T10:05:00Z', ['fail', 'fail'], [{ kind: 'stale' }]),
    row('Élodie', 50, '2026-01-01T09:00:00Z', ['pass', 'fail']),
    row('chloé', 50, '', ['none', 'none']),
  ];
  const names = (list: Array<{ name: string }>) => list.map((entry) => entry.name);

  it('sorts by name (case and accents ignored), best score, latest seen and most stuck', () => {
    expect(names(sortRows(rows, 'name', false, 'fr'))).toEqual(['Alice', 'bruno', 'chloé', 'Élodie']);
    expect(names(sortRows(rows, 'score', false, 'fr'))).toEqual(['bruno', 'chloé', 'Élodie', 'Alice']);
    expect(names(sortRows(rows, 'lastSeen', false, 'fr'))).toEqual(['Alice', 'bruno', 'Élodie', 'chloé']);
    expect(names(sortRows(rows, 'stuck', false, 'fr'))).toEqual(['Alice', 'Élodie', 'bruno', 'chloé']);
    expect(names(sortRows(rows, 'name', true, 'fr'))).toEqual(['Élodie', 'chloé', 'bruno', 'Alice']);
    expect(stuckWeight(rows[0]!)).toBe(0.5);
  });

  it('filters by name without accents, flags and a score ceiling', () => {
    expect(names(filterRows(rows, { query: 'elo' }))).toEqual(['Élodie']);
    expect(names(filterRows(rows, { query: 'CHLOE' }))).toEqual(['chloé']);
    expect(names(filterRows(rows, { onlyFlagged: true }))).toEqual(['Alice']);
    expect(names(filterRows(rows, { below: 50 }))).toEqual(['Alice']);
    expect(readBelow('')).toBeNull();
    expect(readBelow('abc')).toBeNull();
    expect(readBelow('62,5')).toBe(62.5);
    expect(readBelow('150')).toBe(100);
  });

  it('reads unknown statuses as "nothing yet" in the grid and as an error in a check, never as a pass', () => {
    expect(cellStatus('pending')).toBe('none');
    expect(cellStatus('<script>')).toBe('none');
    expect(checkStatus('weird')).toBe('error');
    expect(checkStatus('pass')).toBe('pass');
  });

  it('says how long ago in the board language', () => {
    const now = Date.parse('2026-01-01T10:10:00Z');
    const words = { justNow: 'now', never: 'never' };
    expect(relativeTime('2026-01-01T10:09:55Z', now, 'en', words)).toBe('now');
    expect(relativeTime('2026-01-01T10:07:00Z', now, 'en', words)).toBe('3 minutes ago');
    expect(relativeTime('2026-01-01T08:00:00Z', now, 'fr', words)).toBe('il y a 2 heures');
    expect(relativeTime('', now, 'en', words)).toBe('never');
  });
});
