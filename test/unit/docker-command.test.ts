import { describe, expect, it } from 'vitest';
import { describePattern, matches, readCalls, whyUnmatched, type CommandPattern } from '../../src/scripts/command-rules.js';
import { goDurationSeconds, isReadOnly, parseDockerCommand, showCommand } from '../../src/scripts/docker-command.js';

const pattern = (command: string, flags: Record<string, boolean> = {}, filters: Record<string, string | null> = {}): CommandPattern => ({ command, flags, filters });
const LIGHT = pattern('image prune', { all: false, force: true });
const MEDIUM = pattern('image prune', { all: true, force: true }, { until: '24h' });
const AGGRESSIVE = pattern('image prune', { all: true, force: true }, { until: null });
const NUCLEAR = pattern('system prune', { all: true, volumes: true, force: true });
const SMART_CACHE = pattern('builder prune', { force: true }, { until: '168h' });

const one = (argv: string[]) => readCalls([{ argv }])[0]!;

// Every usual spelling of a right command, and the near misses that must not pass for it.
const SPELLINGS: Array<[string, CommandPattern, string[], boolean]> = [
  ['light, course form', LIGHT, ['image', 'prune', '-f'], true],
  ['light, long flag', LIGHT, ['image', 'prune', '--force'], true],
  ['light, --force=true', LIGHT, ['image', 'prune', '--force=true'], true],
  ['light, --all=false is no -a', LIGHT, ['image', 'prune', '--all=false', '-f'], true],
  ['light, global -H before', LIGHT, ['-H', 'unix:///var/run/docker.sock', 'image', 'prune', '-f'], true],
  ['light, a dangling filter', LIGHT, ['image', 'prune', '-f', '--filter', 'dangling=true'], true],
  ['light with -a', LIGHT, ['image', 'prune', '-a', '-f'], false],
  ['light with -af', LIGHT, ['image', 'prune', '-af'], false],
  ['light without -f (would prompt)', LIGHT, ['image', 'prune'], false],
  ['light as system prune', LIGHT, ['system', 'prune', '-f'], false],
  ['medium, course form', MEDIUM, ['image', 'prune', '-a', '--filter', 'until=24h', '-f'], true],
  ['medium, --filter=', MEDIUM, ['image', 'prune', '-a', '--filter=until=24h', '-f'], true],
  ['medium, minutes', MEDIUM, ['image', 'prune', '--all', '--force', '--filter', 'until=1440m'], true],
  ['medium, seconds and bundle', MEDIUM, ['image', 'prune', '-fa', '--filter', 'until=86400s'], true],
  ['medium, mixed units', MEDIUM, ['image', 'prune', '-af', '--filter', 'until=23h60m'], true],
  ['medium, wrong age', MEDIUM, ['image', 'prune', '-af', '--filter', 'until=48h'], false],
  ['medium without -a', MEDIUM, ['image', 'prune', '-f', '--filter', 'until=24h'], false],
  ['medium without filter', MEDIUM, ['image', 'prune', '-af'], false],
  ['aggressive', AGGRESSIVE, ['image', 'prune', '-a', '-f'], true],
  ['aggressive with an age', AGGRESSIVE, ['image', 'prune', '-a', '-f', '--filter', 'until=24h'], false],
  ['nuclear, course form', NUCLEAR, ['system', 'prune', '-a', '--volumes', '-f'], true],
  ['nuclear, --volumes=true', NUCLEAR, ['system', 'prune', '-af', '--volumes=true'], true],
  ['nuclear without --volumes', NUCLEAR, ['system', 'prune', '-a', '-f'], false],
  ['smart cache', SMART_CACHE, ['builder', 'prune', '--filter', 'until=168h', '-f'], true],
  ['smart cache through buildx', SMART_CACHE, ['buildx', 'prune', '-f', '--filter=until=7h0m0s'], false],
  ['smart cache through buildx, 7 days', SMART_CACHE, ['buildx', 'prune', '-f', '--filter=until=10080m'], true],
];

describe('docker command lines are judged by meaning', () => {
  it.each(SPELLINGS)('%s', (_name, wanted, argv, expected) => {
    expect(matches(one(argv), wanted)).toBe(expected);
  });

  it('reads rmi and image rm as one command, and the -f of images as a filter', () => {
    expect(parseDockerCommand(['rmi', 'abc']).command).toBe('image rm');
    expect(parseDockerCommand(['image', 'remove', 'abc']).command).toBe('image rm');
    const listing = parseDockerCommand(['images', '-f', 'dangling=1', '-q']);
    expect(listing).toMatchObject({ command: 'image ls', filters: [{ key: 'dangling', value: 'true' }], flags: { quiet: true } });
    expect(parseDockerCommand(['images', '-fdangling=true']).filters).toEqual([{ key: 'dangling', value: 'true' }]);
  });

  it('reads `docker rmi $(docker images -f dangling=true -q)` as the dangling prune', () => {
    const calls = readCalls([
      { argv: ['images', '-f', 'dangling=true', '-q'], stdout: 'aaaaaaaaaaaa\nbbbbbbbbbbbb\n' },
      { argv: ['rmi', 'aaaaaaaaaaaa', 'bbbbbbbbbbbb'] },
    ]);
    expect(matches(calls[1]!, LIGHT)).toBe(true);
    // Removing images the listing did not give is not that prune.
    const other = readCalls([
      { argv: ['images', '-f', 'dangling=true', '-q'], stdout: 'aaaaaaaaaaaa\n' },
      { argv: ['rmi', 'cccccccccccc'] },
    ]);
    expect(matches(other[1]!, LIGHT)).toBe(false);
  });

  it('reads the four prunes together as docker system prune -a --volumes', () => {
    const argvs = [['container', 'prune', '-f'], ['image', 'prune', '-af'], ['volume', 'prune', '-f'], ['network', 'prune', '--force']];
    const calls = readCalls(argvs.map((argv) => ({ argv })));
    expect(calls.every((call) => matches(call, NUCLEAR))).toBe(true);
    expect(readCalls(argvs.slice(0, 3).map((argv) => ({ argv }))).some((call) => matches(call, NUCLEAR))).toBe(false);
    // Without -a the image prune leaves tagged images: not the same.
    const noAll = readCalls([['container', 'prune', '-f'], ['image', 'prune', '-f'], ['volume', 'prune', '-f'], ['network', 'prune', '-f']].map((argv) => ({ argv })));
    expect(noAll.some((call) => matches(call, NUCLEAR))).toBe(false);
  });

  it('forwards only commands that read', () => {
    for (const argv of [['images'], ['image', 'ls', '-q'], ['ps', '-a'], ['system', 'df', '-v'], ['inspect', 'x'], ['--context', 'default', 'images']]) {
      expect(isReadOnly(argv), argv.join(' ')).toBe(true);
    }
    for (const argv of [['image', 'prune', '-f'], ['rmi', 'x'], ['rm', 'x'], ['tag', 'a', 'b'], ['push', 'a'], ['run', 'a'], ['build', '.'], ['system', 'prune'], ['volume', 'rm', 'v'], ['pull', 'a'], ['exec', 'a', 'sh'], ['images-prune']]) {
      expect(isReadOnly(argv), argv.join(' ')).toBe(false);
    }
  });

  it('says what the closest command lacks, one message per near miss', () => {
    expect(whyUnmatched(readCalls([{ argv: ['image', 'prune', '-a', '-f'] }]), LIGHT).en).toBe('docker image prune -a -f: -a/--all must not be there');
    expect(whyUnmatched(readCalls([{ argv: ['system', 'prune', '-a', '-f'] }]), NUCLEAR).en).toBe('docker system prune -a -f: --volumes is missing');
    expect(whyUnmatched(readCalls([{ argv: ['image', 'prune', '-a', '-f', '--filter', 'until=48h'] }]), MEDIUM).en).toContain('the filter until=24h is missing (found: until=172800s)');
    expect(whyUnmatched([], LIGHT).en).toBe('no docker image prune with -f/--force, without -a/--all was run');
    expect(describePattern(MEDIUM).fr).toBe('docker image prune avec -a/--all, -f/--force, --filter until=24h');
  });

  it('reads Go durations and shows command lines quoted', () => {
    expect(goDurationSeconds('1h30m')).toBe(5400);
    expect(goDurationSeconds('24')).toBeUndefined();
    expect(goDurationSeconds('2024-01-01')).toBeUndefined();
    expect(showCommand(['image', 'prune', '--filter', 'until=24 h'])).toBe("docker image prune --filter 'until=24 h'");
  });
});
