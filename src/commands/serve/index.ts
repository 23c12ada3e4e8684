import type { CommandContext } from '../../cli/context.js';
import { ExitCode, Tp7Error } from '../../errors.js';
import { both, pick } from '../../lab/lang.js';
import { loadLab } from '../../lab/loader.js';
import { serveSettings, type ServeSettings } from '../../serve/settings.js';
import { boardAddresses } from '../../serve/addresses.js';
import { settings } from '../../settings.js';
import { untilStopped } from '../../stop.js';
import { style } from '../../ui/style.js';

/** `tp7 serve`: the classroom board. Settings first (a bad port fails before anything opens), then the server. */
export async function run(context: CommandContext): Promise<number> {
  const serving = serveSettings(context.options);
  const say = (text: { fr: string; en: string }) => pick(text, context.lang);
  const [{ ClassStore }, { buildServer }, { courseOutline }] = await Promise.all([
    import('../../serve/store.js'),
    import('../../serve/app.js'),
    import('../../serve/outline.js'),
  ]);
  const outline = courseOutline(await loadLab());
  const store = await ClassStore.open(serving.dataDir);
  for (const warning of store.warnings) context.err(`tp7: ${warning.file}: ${say(warning.text)}`);
  const time = () => new Date().toLocaleTimeString(context.lang === 'fr' ? 'fr-FR' : 'en-GB', { hour12: false });
  const limits = settings();
  const app = await buildServer({
    store,
    outline,
    log: (line) => context.err(`${style.dim(time())} ${say(line)}`),
    maxStudents: serving.maxStudents,
    requestTimeoutMs: limits.TP7_SERVE_REQUEST_TIMEOUT_MS,
    connectionsPerAddress: limits.TP7_SERVE_CONNECTIONS_PER_ADDRESS,
    joinsPerMinute: limits.TP7_SERVE_JOINS_PER_MINUTE,
    // `--lang` given: the board page opens in it; otherwise in the browser's language, else in this one.
    pageLanguage: { lang: context.lang, asked: context.options.lang !== undefined },
  });
  try {
    await app.listen({ host: serving.host, port: serving.port });
  } catch (error) {
    await app.close();
    await store.close();
    throw listenError(serving.host, serving.port, error);
  }
  const port = (app.server.address() as { port: number }).port;
  const addresses = boardAddresses(serving.host, port);
  const board = `${addresses[0]}/board?key=${store.secrets.key}`;
  if (context.json) {
    // One line a script reads (the browser test, the load bench); the log goes on stderr as usual.
    context.out(JSON.stringify({ schema: 'tp7-serve/1', urls: addresses, code: store.secrets.code, board, data: serving.dataDir }));
  } else {
    printAddresses(context, addresses, board, store.secrets.code, serving);
  }
  const signal = await untilStopped();
  await app.close();
  await store.close();
  return signal === 'SIGINT' ? ExitCode.ok : 128 + 15;
}

function printAddresses(context: CommandContext, addresses: string[], board: string, code: string, serving: ServeSettings): void {
  const say = (text: { fr: string; en: string }) => pick(text, context.lang);
  const lines: Array<[{ fr: string; en: string }, string]> = [
    [both('Adresse des étudiants', "Students' address"), addresses.map((url) => style.bold(url)).join('  ')],
    [both('Code de la classe', 'Class code'), style.bold(code)],
    [both('Tableau (enseignant)', 'Board (instructor)'), board],
    [both('Données', 'Data'), `${serving.dataDir}  (\`tp7 class ${serving.dataDir}/reports\`)`],
  ];
  const width = Math.max(...lines.map(([label]) => say(label).length));
  context.out(say(both('Tableau de classe tp7', 'tp7 classroom board')));
  for (const [label, value] of lines) context.out(`  ${say(label).padEnd(width)}${context.lang === 'fr' ? ' : ' : ': '}${value}`);
  if (['127.0.0.1', 'localhost', '::1'].includes(serving.host)) {
    context.out(style.dim(say(both('  Seule cette machine peut joindre ce tableau : --host 0.0.0.0 pour le réseau de la salle.', '  Only this machine can reach this board: --host 0.0.0.0 for the classroom network.'))));
  }
  context.out(style.dim(say(both('  Les étudiants : `tp7 join ADRESSE`, puis `tp7 check --submit`. Ctrl+C pour arrêter.', '  Students: `tp7 join ADDRESS`, then `tp7 check --submit`. Ctrl+C to stop.'))));
}

function listenError(host: string, port: number, error: unknown): Tp7Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'EADDRINUSE') return new Tp7Error(both(`le port ${port} est déjà pris sur ${host} : choisissez-en un autre avec --port`, `port ${port} is already in use on ${host}: choose another with --port`), ExitCode.usage);
  if (code === 'EACCES') return new Tp7Error(both(`pas le droit d'écouter sur le port ${port} : prenez un port au-dessus de 1024`, `not allowed to listen on port ${port}: use a port above 1024`), ExitCode.usage);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new Tp7Error(both(`l'adresse ${host} n'est pas une adresse de cette machine`, `${host} is not an address of this machine`), ExitCode.usage);
  return new Tp7Error(both(`impossible d'écouter sur ${host}:${port} (${code || (error as Error).message})`, `cannot listen on ${host}:${port} (${code || (error as Error).message})`), ExitCode.usage);
}
