import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { both } from '../lab/lang.js';

// `tp7 serve`'s settings, read and checked once before anything starts: a bad one is a one-line usage error.

export interface ServeSettings {
  host: string;
  port: number;
  dataDir: string;
  /** Names held at once: a join past them is refused (the class's size, bounded). */
  maxStudents: number;
}

export const DEFAULT_PORT = 7070;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA = 'tp7-class';
export const DEFAULT_MAX_STUDENTS = 500;
const MAX_STUDENTS_CEILING = 100_000;

/** A host name as DNS writes it (labels of letters, digits and dashes), or an IPv4/IPv6 address. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function serveSettings(options: Record<string, string | boolean | undefined>, cwd = process.cwd()): ServeSettings {
  const rawPort = options.port === undefined ? String(DEFAULT_PORT) : String(options.port);
  const port = /^\d{1,5}$/.test(rawPort.trim()) ? Number(rawPort.trim()) : NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new UsageError(both(`--port attend un numéro de port entre 0 (libre) et 65535, pas « ${rawPort.slice(0, 40)} »`, `--port takes a port number from 0 (any free one) to 65535, not "${rawPort.slice(0, 40)}"`));
  }
  const host = options.host === undefined ? DEFAULT_HOST : String(options.host).trim();
  if (!isIP(host) && !HOST_NAME.test(host)) {
    throw new UsageError(both(`--host attend une adresse IP ou un nom d'hôte (127.0.0.1, 0.0.0.0...), pas « ${host.slice(0, 60)} »`, `--host takes an IP address or a host name (127.0.0.1, 0.0.0.0...), not "${host.slice(0, 60)}"`));
  }
  const data = options.data === undefined ? DEFAULT_DATA : String(options.data);
  if (!data.trim()) throw new UsageError(both('--data attend un dossier', '--data takes a folder'));
  const rawMax = options['max-students'] === undefined ? String(DEFAULT_MAX_STUDENTS) : String(options['max-students']);
  const maxStudents = /^\d{1,6}$/.test(rawMax.trim()) ? Number(rawMax.trim()) : NaN;
  if (!Number.isInteger(maxStudents) || maxStudents < 1 || maxStudents > MAX_STUDENTS_CEILING) {
    throw new UsageError(both(`--max-students attend un nombre entier d'étudiants de 1 à ${MAX_STUDENTS_CEILING}, pas « ${rawMax.slice(0, 40)} »`, `--max-students takes a whole number of students from 1 to ${MAX_STUDENTS_CEILING}, not "${rawMax.slice(0, 40)}"`));
  }
  return { host, port, dataDir: resolve(cwd, data), maxStudents };
}
