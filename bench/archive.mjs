#!/usr/bin/env node
// bench/archive.mjs - how close verifying a docker save archive comes to just hashing it.
// Builds a ~200 MB save-like archive (legacy layout, 4 layers of mixed files) in a temporary folder, then times
// `sha256sum` of the file against readImageArchive (which hashes every layer, checks the config's diff_ids and
// keeps metadata only), plain, with layer listing, and gzip-compressed against `gzip -dc | sha256sum`.
// Usage: npm run build && node bench/archive.mjs [MEGABYTES]     (default 200)
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { readImageArchive } from '../dist/archive/index.js';

const megabytes = Number(process.argv[2] ?? 200);
const LAYERS = 4;
const dir = mkdtempSync(join(tmpdir(), 'tp7-bench-archive-'));

/** Writes a tar of files (half random, half repetitive text) to path; returns its sha256 and size. */
async function writeLayer(path, bytes, seed) {
  const packer = pack();
  const hash = createHash('sha256');
  packer.on('data', (chunk) => hash.update(chunk));
  const done = pipeline(packer, createWriteStream(path));
  const text = Buffer.from(`line ${seed} of a configuration file that compresses well\n`.repeat(20_000));
  for (let written = 0, i = 0; written < bytes; i++) {
    const content = i % 2 ? text : randomBytes(1 << 20);
    packer.entry({ name: `usr/lib/layer${seed}/file${i}.bin`, size: content.length }, content);
    written += content.length;
    if (packer.readableLength > 8 << 20) await once(packer, 'drain').catch(() => undefined);
  }
  packer.finalize();
  await done;
  return { diffId: `sha256:${hash.digest('hex')}`, size: statSync(path).size };
}

async function writeSave(path) {
  const layers = [];
  for (let i = 0; i < LAYERS; i++) layers.push({ file: join(dir, `layer${i}.tar`), ...(await writeLayer(join(dir, `layer${i}.tar`), (megabytes << 20) / LAYERS, i)) });
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }));
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const packer = pack();
  const done = pipeline(packer, createWriteStream(path));
  for (const [i, layer] of layers.entries()) {
    const entry = packer.entry({ name: `v1-${i}/layer.tar`, size: layer.size });
    await pipeline(createReadStream(layer.file), entry);
  }
  packer.entry({ name: configName }, config);
  packer.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: configName, RepoTags: ['bench:1'], Layers: layers.map((_, i) => `v1-${i}/layer.tar`) }]));
  packer.finalize();
  await done;
  for (const layer of layers) rmSync(layer.file);
  return config;
}

function best(times) {
  return Math.min(...times);
}

async function timeIt(run, rounds = 3) {
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    times.push((performance.now() - started) / 1000);
  }
  return best(times);
}

/** The floor for any reader in this process: Node's own sha256 (OpenSSL) of the same bytes. */
async function nodeHash(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

function shell(command) {
  const result = spawnSync('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} failed`);
}

try {
  const save = join(dir, 'save.tar');
  const gz = join(dir, 'save.tar.gz');
  await writeSave(save);
  shell(`gzip -1 -c '${save}' > '${gz}'`);
  const size = statSync(save).size;
  console.log(`archive: ${(size / 1e6).toFixed(0)} MB uncompressed, ${(statSync(gz).size / 1e6).toFixed(0)} MB gzip -1, ${LAYERS} layers`);

  const rows = [
    ['plain tar', await timeIt(() => shell(`sha256sum '${save}' >/dev/null`)), await timeIt(() => readImageArchive(createReadStream(save)))],
    ['plain tar, listing layer files', null, await timeIt(() => readImageArchive(createReadStream(save), { listEntries: true }))],
    ['gzip', await timeIt(() => shell(`gzip -dc '${gz}' | sha256sum >/dev/null`)), await timeIt(() => readImageArchive(createReadStream(gz)))],
  ];
  rows[1][1] = rows[0][1];
  for (const [name, hashing, reading] of rows) {
    console.log(`${name.padEnd(32)} sha256sum ${hashing.toFixed(2)} s   readImageArchive ${reading.toFixed(2)} s   ratio ${(reading / hashing).toFixed(2)}`);
  }
  const floor = await timeIt(() => nodeHash(save));
  console.log(`${'plain tar vs Node sha256 alone'.padEnd(32)} node hash ${floor.toFixed(2)} s   readImageArchive ${rows[0][2].toFixed(2)} s   ratio ${(rows[0][2] / floor).toFixed(2)}`);
  console.log(`peak memory (RSS) of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
