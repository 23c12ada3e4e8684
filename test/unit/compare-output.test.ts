import { describe, expect, it } from 'vitest';
import { judgeFigure, readComparison, type EngineFigures } from '../../src/analysis/compare-output.js';

const REFS = ['nginx:alpine', 'nginx:latest'] as const;

// What the course's compare-images.sh prints (docker's human sizes, history rows as layers).
const COURSE = `=== Comparaison: nginx:alpine vs nginx:latest ===

Taille:
  nginx:alpine: 2.06MB
  nginx:latest: 23.1MB

Layers:
  nginx:alpine: 12
  nginx:latest: 13

Architecture:
  nginx:alpine: amd64
  nginx:latest: amd64

OS:
  nginx:alpine: linux
  nginx:latest: linux

Créé:
  nginx:alpine: 2024-05-02T10:11:12.123456789Z
  nginx:latest: 2024-05-02T10:11:14.5Z
`;

describe('reading a comparison script output', () => {
  it("reads the course's sectioned form", () => {
    const printed = readComparison(COURSE, REFS);
    expect(printed.get('nginx:alpine')).toEqual({ size: '2.06MB', layers: '12', architecture: 'amd64', os: 'linux', created: '2024-05-02T10:11:12.123456789Z' });
    expect(printed.get('nginx:latest')!.size).toBe('23.1MB');
  });

  it('reads one line per figure, the label before or after the name', () => {
    const printed = readComparison('Size nginx:alpine = 2060000\nnginx:latest size: 23.1 MB\nnginx:alpine layers: 6\n[nginx:latest] Couches : 7\n', REFS);
    expect(printed.get('nginx:alpine')).toEqual({ size: '2060000', layers: '6' });
    expect(printed.get('nginx:latest')).toEqual({ size: '23.1 MB', layers: '7' });
  });

  it('reads a table whose header names both images', () => {
    const table = 'FIELD          nginx:latest     nginx:alpine\nSize           23.1MB           2.06MB\nLayers | 7 | 6\nCreated        2024-05-02       2024-05-02\n';
    const printed = readComparison(table, REFS);
    expect(printed.get('nginx:alpine')).toEqual({ size: '2.06MB', layers: '6', created: '2024-05-02' });
    expect(printed.get('nginx:latest')).toEqual({ size: '23.1MB', layers: '7', created: '2024-05-02' });
  });

  it('does not mistake a longer name for the image, and ignores colours', () => {
    const printed = readComparison('\u001b[1mTaille:\u001b[0m\n  nginx:alpine3: 9MB\n  nginx:alpine: 2MB\n', REFS);
    expect(printed.get('nginx:alpine')).toEqual({ size: '2MB' });
  });
});

describe('judging a printed figure against the engine', () => {
  const engine: EngineFigures = { sizes: [2_061_234], layerCounts: [6, 12], architecture: 'amd64', os: 'linux', created: '2024-05-02T10:11:12.987654321Z' };
  const ok = { ok: true };
  it('accepts sizes in bytes or rounded, decimal or binary, within 1 %', () => {
    for (const text of ['2061234', '2.06MB', '2.06 MB', '2,06 Mo', '1.97MiB', '2061 kB']) expect(judgeFigure('size', text, engine)).toEqual(ok);
    expect(judgeFigure('size', '23.1MB', engine)).toEqual({ ok: false, reason: 'wrong' });
    expect(judgeFigure('size', '2.2MB', engine)).toEqual({ ok: false, reason: 'wrong' });
  });
  it('accepts either layer count (filesystem layers or history rows)', () => {
    expect(judgeFigure('layers', '6', engine)).toEqual(ok);
    expect(judgeFigure('layers', '12 layers', engine)).toEqual(ok);
    expect(judgeFigure('layers', '7', engine)).toEqual({ ok: false, reason: 'wrong' });
  });
  it('matches architecture and OS as words, also as os/arch', () => {
    expect(judgeFigure('architecture', 'AMD64', engine)).toEqual(ok);
    expect(judgeFigure('architecture', 'linux/amd64', engine)).toEqual(ok);
    expect(judgeFigure('architecture', 'arm64', engine)).toEqual({ ok: false, reason: 'wrong' });
    expect(judgeFigure('os', 'linux', engine)).toEqual(ok);
    expect(judgeFigure('os', 'windows', engine)).toEqual({ ok: false, reason: 'wrong' });
  });
  it('matches the creation date to the second, or to the day when no time is printed', () => {
    for (const text of ['2024-05-02T10:11:12.987654321Z', '2024-05-02 10:11:12 +0000 UTC', '2024-05-02T12:11:12+02:00', '2024-05-02', '1714644672']) {
      expect(judgeFigure('created', text, engine), text).toEqual(ok);
    }
    expect(judgeFigure('created', '2024-05-02T10:11:14Z', engine)).toEqual({ ok: false, reason: 'wrong' });
    expect(judgeFigure('created', '2024-05-03', engine)).toEqual({ ok: false, reason: 'wrong' });
    expect(judgeFigure('created', '3 weeks ago', engine)).toEqual({ ok: false, reason: 'relative-date' });
    expect(judgeFigure('created', undefined, engine)).toEqual({ ok: false, reason: 'missing' });
  });
});
