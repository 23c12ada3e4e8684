import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StandInBoard } from '../stand-in-board.js';
import { tempDir } from '../tmp.js';
import { runTp7 } from './run-tp7.js';

// `tp7 join` and the usage errors of `--submit`, run in this process (no terminal: every answer is an option)
// against the stand-in board on 127.0.0.1.

const tp7 = (argv: string[]) => runTp7([...argv, '--lang', 'en']);

describe('tp7 join', { timeout: 20_000 }, () => {
  let board: StandInBoard;
  afterEach(() => board?.stop());

  it('asks the board first, joins with any usual spelling of the code, and keeps the token private', async () => {
    board = await new StandInBoard().start();
    const workdir = tempDir();
    const run = await tp7(['join', board.url.replace('http://', ''), '--name', 'Ana', '--code', 'k7p q2m', '--workdir', workdir]);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain(`Joined the board at ${board.url} as "Ana"`);
    expect(board.requests).toEqual(['GET /api/health', 'POST /api/join']);
    const file = join(workdir, '.tp7', 'board.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ url: board.url, name: 'Ana', code: 'K7P-Q2M', token: expect.any(String) });
    // Joining again from the same folder: the board still holds the name for this folder's token.
    expect((await tp7(['join', board.url, '--name', 'ana', '--code', 'K7P-Q2M', '--workdir', workdir])).code).toBe(0);
  });

  it('says in one line when the code is wrong or the name taken (and who can release it)', async () => {
    board = await new StandInBoard().start();
    const bad = await tp7(['join', board.url, '--name', 'Ana', '--code', 'AAA-BBB', '--workdir', tempDir()]);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toEqual(['tp7: the board refused the class code: check it with your instructor']);
    await tp7(['join', board.url, '--name', 'Bob', '--code', board.code, '--workdir', tempDir()]);
    const taken = await tp7(['join', board.url, '--name', 'BOB', '--code', board.code, '--workdir', tempDir()]);
    expect(taken.code).toBe(2);
    expect(taken.err.trim().split('\n')).toHaveLength(1);
    expect(taken.err).toContain('"BOB" is already taken on this board: choose another (--name), or ask your instructor to release it');
  });

  it('tells a board that is down from an address that is no board', async () => {
    board = await new StandInBoard().start();
    const url = board.url;
    await board.stop();
    const down = await tp7(['join', url, '--name', 'Ana', '--code', 'K7P-Q2M', '--workdir', tempDir()]);
    expect(down.code).toBe(69);
    expect(down.err.trim()).toBe(`tp7: board unreachable at ${url} (connection refused: is the server running?)`);
    const other = createServer((_, response) => response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not here</h1>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const address = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const wrong = await tp7(['join', address, '--name', 'Ana', '--code', 'K7P-Q2M', '--workdir', tempDir()]);
      expect(wrong.code).toBe(2);
      expect(wrong.err).toContain(`tp7: ${address} is not a tp7 board (HTTP 404)`);
    } finally {
      other.close();
    }
  });

  it('refuses a name that is no name before asking the board', async () => {
    board = await new StandInBoard().start();
    const run = await tp7(['join', board.url, '--name', 'a\u001b[2Jb', '--code', board.code, '--workdir', tempDir()]);
    expect(run.code).toBe(2);
    expect(run.err.trim()).toBe('tp7: the name holds a control character (U+001B, character 2): type it on one line, without tabs');
    const invisible = await tp7(['join', board.url, '--name', 'Marc\u034f', '--code', board.code, '--workdir', tempDir(), '--lang', 'fr']);
    expect(invisible.code).toBe(2);
    expect(invisible.err.trim()).toMatch(/^tp7: le nom contient un caractère invisible \(U\+034F, caractère n° 5\)/);
    expect(board.requests).toEqual(['GET /api/health', 'GET /api/health']);
  });
});

describe('--submit before joining', { timeout: 20_000 }, () => {
  it('is a one-line usage error naming tp7 join, before any check runs', async () => {
    const workdir = tempDir();
    const plain = await tp7(['check', 'ex1', '--submit', '--workdir', workdir]);
    expect(plain.code).toBe(2);
    expect(plain.err.trim()).toBe('tp7: this folder has not joined a class board: run `tp7 join URL` first');
    const named = await tp7(['check', '--submit', '10.0.0.5:7070', 'ex1', '--workdir', workdir]);
    expect(named.err.trim()).toBe('tp7: this folder has not joined http://10.0.0.5:7070: run `tp7 join http://10.0.0.5:7070` first');
  });

  it('tp7 submit --status says there is no board and nothing queued', async () => {
    const run = await tp7(['submit', '--status', '--json', '--workdir', tempDir()]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({ board: null, queued: [], lastSent: null, lastError: null, sender: { running: false }, refused: 0 });
  });
});
