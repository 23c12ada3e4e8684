// scripts/bundle.mjs - the second half of `npm run build`: bundles src/cli/main.ts and what it imports into
// dist/bundle/ (one file per lazily loaded command, shared chunks beside them), which bin/tp7.js runs.
// Why: a cold `tp7 check` spent most of its time resolving and reading some 400 module files (our ~150, zod's
// ~100, dockerode's CommonJS tree); one bundle halves its CPU time. tsc's dist/ tree stays for the tests, the
// benches and the docker shim of recorded runs, which import single modules.
// Usage: node scripts/bundle.mjs [OUTDIR]      (default dist/bundle)
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const outdir = process.argv[2] ?? join(ROOT, 'dist/bundle');

/**
 * CommonJS packages our code imports dynamically by name (`const { extract } = await import('tar-stream')`): a
 * bundled chunk would only have their default export, node's own loader gives the named ones.
 */
const NAMED_DYNAMIC = ['tar-stream', 'yaml'];

/**
 * Left to node_modules at run time, loaded only when used: ssh2 (an ssh:// engine; it has a native binding),
 * cpu-features (native), and dockerode's BuildKit session and progress modules, which read their .proto files
 * from their own __dirname (with gRPC and protobufjs behind them).
 */
const EXTERNAL = ['ssh2', 'cpu-features', 'dockerode/lib/session', 'dockerode/lib/buildkit', '*.node', ...NAMED_DYNAMIC];

/**
 * dockerode and docker-modem require the ssh transport and the BuildKit session at load time although most
 * runs use neither: about half of dockerode's import time. Each becomes a function that requires its module on
 * its first call, which behaves the same for every caller. A dependency update that changes these lines only
 * loses the saving: the build says so.
 */
const LAZY = [
  {
    file: /dockerode[\\/]lib[\\/]docker\.js$/,
    edits: [
      { from: "withSession = require('./session'),", to: "withSession = function () { return require('dockerode/lib/session').apply(this, arguments); }," },
      { from: "require('./buildkit')", to: "require('dockerode/lib/buildkit')" },
    ],
  },
  {
    file: /docker-modem[\\/]lib[\\/]modem\.js$/,
    edits: [{ from: "ssh = require('./ssh'),", to: "ssh = function () { return require('./ssh').apply(this, arguments); }," }],
  },
];

/**
 * zod bundles its messages in 64 languages (`z.locales`); tp7 speaks French and English only (src/lab/problems.ts
 * asks for `z.locales.fr`, English is zod's default). The other 62 were a third of the bundle's zod code, parsed
 * by every command at start-up. Their index keeps only its `en` and `fr` lines.
 */
const KEPT_LOCALES = ['en', 'fr'];

const zodLocales = {
  name: 'zod-locales',
  setup(context) {
    context.onLoad({ filter: /zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, async (args) => {
      const lines = (await readFile(args.path, 'utf8')).split('\n');
      const kept = lines.filter((line) => KEPT_LOCALES.some((locale) => new RegExp(`\\bas ${locale}\\b`).test(line)));
      if (kept.length === KEPT_LOCALES.length) return { contents: kept.join('\n'), loader: 'js' };
      return { contents: lines.join('\n'), loader: 'js', warnings: [{ text: `${args.path}: no "as en" or "as fr" line, every locale kept (slower start-up)` }] };
    });
  },
};

const lazyRequires = {
  name: 'lazy-requires',
  setup(context) {
    for (const { file, edits } of LAZY) {
      context.onLoad({ filter: file }, async (args) => {
        let contents = await readFile(args.path, 'utf8');
        const warnings = [];
        for (const { from, to } of edits) {
          if (contents.includes(from)) contents = contents.replace(from, to);
          else warnings.push({ text: `${args.path}: "${from}" not found, left as it was (slower start-up)` });
        }
        return { contents, loader: 'js', warnings };
      });
    }
  },
};

// Chunk names change with their content: last build's would pile up.
await rm(outdir, { recursive: true, force: true });
await build({
  // The background sender of --submit is a process of its own (src/submit/queue.ts starts it beside this code).
  entryPoints: { main: join(ROOT, 'src/cli/main.ts'), 'sender-main': join(ROOT, 'src/submit/sender-main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  plugins: [lazyRequires, zodLocales],
  // CommonJS dependencies inside an ES module bundle still call require(): give them node's, rooted here.
  banner: { js: "import { createRequire as tp7CreateRequire } from 'node:module'; const require = tp7CreateRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
