import { z } from 'zod';
import { HttpUnreachableError, type HttpAnswer } from '../http/client.js';
import { both } from '../lab/text.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('http'),
    url: z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, { error: 'an http:// or https:// URL, e.g. http://localhost:8080/' }).describe('The URL fetched with one GET (redirects are not followed)'),
    status: z.number().int().min(100).max(599).default(200).describe('The HTTP status the answer must have'),
    contains: z.array(z.string().min(1)).default([]).describe('Texts the body must show (case and runs of spaces ignored)'),
    header: z
      .strictObject({
        name: z.string().regex(/^[A-Za-z0-9-]+$/).describe('Header name, any case'),
        contains: z.string().default('').describe('Text its value must contain (case ignored); empty: present is enough'),
      })
      .optional()
      .describe('A header the answer must carry'),
    timeoutSeconds: z.number().positive().max(30).default(5).describe('Time limit of the whole exchange'),
    maxBytes: z.number().int().positive().max(1_048_576).default(65_536).describe('At most this many bytes of the body are read'),
  })
  .describe("An HTTP GET of a service the student runs answers with a status, a body showing texts and a header (bounded in time and size)");
type Spec = z.infer<typeof schema>;

/** Lowercase, one space for any run of whitespace: "Version:   1.0.0" in the HTML reads as it renders. */
const flat = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * A short, printable glimpse of untrusted text (a page, a header) for a message: tags and control characters
 * dropped, spaces collapsed, cut at 80 characters. It is still escaped where it is printed.
 */
export function glimpse(text: string, max = 80): string {
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/[\p{C}]/gu, ' ').replace(/\s+/g, ' ').trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

function unreachable(spec: Spec, expected: string, error: HttpUnreachableError): Outcome {
  const target = new URL(spec.url).host;
  if (error.reason === 'timeout') {
    return outcome('fail', expected, `no answer within ${spec.timeoutSeconds} s`, both(
      `${spec.url} n'a pas répondu en ${spec.timeoutSeconds} s : le service accepte la connexion mais ne répond pas.`,
      `${spec.url} did not answer within ${spec.timeoutSeconds} s: the service takes the connection but does not answer.`,
    ));
  }
  return outcome('fail', expected, `no answer (${error.message})`, both(
    `Rien ne répond sur ${target} (${error.message}) : le conteneur tourne-t-il, et publie-t-il ce port ?`,
    `Nothing answers on ${target} (${error.message}): is the container running, and does it publish this port?`,
  ));
}

function judge(spec: Spec, expected: string, answer: HttpAnswer): Outcome {
  const actual = `HTTP ${answer.status}, ${answer.truncated ? `more than ${spec.maxBytes}` : Buffer.byteLength(answer.body)} bytes: "${glimpse(answer.body)}"`;
  if (answer.status !== spec.status) {
    return outcome('fail', expected, actual, both(
      `${spec.url} répond ${answer.status}, pas ${spec.status}.`,
      `${spec.url} answers ${answer.status}, not ${spec.status}.`,
    ));
  }
  const missing = spec.contains.filter((text) => !flat(answer.body).includes(flat(text)));
  if (missing.length) {
    const cut = answer.truncated ? both(` (seuls les ${spec.maxBytes} premiers octets sont lus)`, ` (only the first ${spec.maxBytes} bytes are read)`) : both('', '');
    return outcome('fail', expected, actual, both(
      `La page de ${spec.url} ne montre pas « ${missing.join(' », « ')} »${cut.fr} ; elle montre : « ${glimpse(answer.body)} ».`,
      `The page at ${spec.url} does not show "${missing.join('", "')}"${cut.en}; it shows: "${glimpse(answer.body)}".`,
    ));
  }
  if (spec.header) {
    const value = answer.headers[spec.header.name.toLowerCase()];
    if (value === undefined || !value.toLowerCase().includes(spec.header.contains.toLowerCase())) {
      const found = value === undefined ? both('il est absent', 'it is absent') : both(`il vaut « ${glimpse(value)} »`, `it is "${glimpse(value)}"`);
      return outcome('fail', expected, `${actual}, ${spec.header.name}: ${value === undefined ? 'absent' : glimpse(value)}`, both(
        `L'en-tête ${spec.header.name} de ${spec.url} devrait contenir « ${spec.header.contains} » : ${found.fr}.`,
        `Header ${spec.header.name} of ${spec.url} should contain "${spec.header.contains}": ${found.en}.`,
      ));
    }
  }
  return outcome('pass', expected, actual, both(`${spec.url} répond ${answer.status} avec la page attendue.`, `${spec.url} answers ${answer.status} with the expected page.`));
}

export const http: ProbeKind<Spec> = {
  kind: 'http',
  schema,
  inputs: { containers: 'any', registry: true },
  async run(spec, { http: client }) {
    const shows = spec.contains.length ? `, showing ${spec.contains.map((text) => `"${text}"`).join(', ')}` : '';
    const header = spec.header ? `, header ${spec.header.name}${spec.header.contains ? ` ∋ "${spec.header.contains}"` : ''}` : '';
    const expected = `GET ${spec.url} → ${spec.status}${shows}${header}`;
    if (!client) throw new Error('the http probe needs an HTTP client (ProbeClients.http)');
    try {
      return judge(spec, expected, await client.get(spec.url, { timeoutMs: spec.timeoutSeconds * 1000, maxBytes: spec.maxBytes }));
    } catch (error) {
      if (error instanceof HttpUnreachableError) return unreachable(spec, expected, error);
      throw error;
    }
  },
};
