import { describe, expect, it } from 'vitest';
import { savesProblem } from '../../src/probes/recorded-saves.js';
import { pick } from '../../src/lab/text.js';
import { readCalls } from '../../src/scripts/command-rules.js';
import { parseDockerCommand } from '../../src/scripts/docker-command.js';
import { packingOf, savedIn, saveStandIn } from '../../src/scripts/save-stand-in.js';
import { compress } from '../fixtures/archives/build.js';

const SAVES = { dir: 'docker-backups', unforeseen: 'localhost/' };
const CHECK_TIME = 'localhost/tp7-check-abc123:9f9f';
const stand = (...refs: string[]) => Buffer.from(saveStandIn(refs));
const saves = (...refs: string[]) => readCalls(refs.map((ref) => ({ argv: ['save', ref] })));
const problem = (recorded: ReturnType<typeof saves>, written: Array<{ path: string; content: Buffer }>) => {
  const found = savesProblem(SAVES, CHECK_TIME, recorded, written);
  return found && pick(found, 'en');
};

// The stand-in a recorded `docker save` writes, read back where the script put it (as is or gzip-compressed).
describe('recorded saves', () => {
  it('reads docker save in every spelling, -o included', () => {
    expect(parseDockerCommand(['save', '-o', 'out.tar', 'a:1', 'b:2'])).toMatchObject({ command: 'image save', flags: { output: 'out.tar' }, args: ['a:1', 'b:2'], readOnly: false });
    expect(parseDockerCommand(['image', 'save', 'a:1', '--output=x.tar'])).toMatchObject({ command: 'image save', flags: { output: 'x.tar' }, args: ['a:1'] });
  });

  it('finds the saved images as written and gzip-compressed, and names the packing', () => {
    expect(savedIn(stand('a:1', 'b:2'))).toEqual(['a:1', 'b:2']);
    expect(savedIn(compress(stand('a:1'), 'gzip'))).toEqual(['a:1']);
    expect(savedIn(Buffer.from('anything else'))).toEqual([]);
    expect(savedIn(compress(stand('a:1'), 'gzip').subarray(0, 12))).toEqual([]);
    expect(['gzip', 'bzip2', 'xz'].map((format) => packingOf(compress(stand('a:1'), format as 'gzip')))).toEqual(['gzip', 'bzip2', 'xz']);
    expect(packingOf(stand('a:1'))).toBe('none');
  });

  it('passes when every saved image, the one made at check time included, reached the folder compressed', () => {
    const written = [CHECK_TIME, 'localhost/site:1'].map((ref, i) => ({ path: `docker-backups/${i}.tar.gz`, content: compress(stand(ref), 'gzip') }));
    expect(problem(saves(CHECK_TIME, 'localhost/site:1'), written)).toBeUndefined();
  });

  it('says which near miss it is: nothing unforeseen saved, uncompressed, elsewhere, another compressor', () => {
    expect(problem(saves('localhost/site:1'), [])).toContain(`${CHECK_TIME}, an image made at check time under localhost/, was not saved (saved: localhost/site:1)`);
    expect(problem(saves(CHECK_TIME), [{ path: 'docker-backups/x.tar', content: stand(CHECK_TIME) }])).toBe(`the save of ${CHECK_TIME} reached docker-backups/x.tar uncompressed: compress it with gzip`);
    expect(problem(saves(CHECK_TIME), [])).toBe(`the save of ${CHECK_TIME} did not reach docker-backups/ as a gzip-compressed file`);
    expect(problem(saves(CHECK_TIME), [{ path: 'docker-backups/x.tar.xz', content: compress(stand(CHECK_TIME), 'xz') }]))
      .toContain('(docker-backups/x.tar.xz is xz-compressed: the backup folder expects gzip)');
  });
});
