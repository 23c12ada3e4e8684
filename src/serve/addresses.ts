import { networkInterfaces } from 'node:os';

/** `http://HOST:PORT` in a form a browser takes (IPv6 in brackets). */
export function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The addresses students type. A server on every interface (0.0.0.0, ::) is reached through the machine's own
 * addresses, not through 0.0.0.0: list those (IPv4 first, loopback left out).
 */
export function boardAddresses(host: string, port: number, interfaces = networkInterfaces()): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [httpUrl(host, port)];
  const found = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((entry) => !entry.internal && (entry.family === 'IPv4' || (host === '::' && !entry.address.startsWith('fe80'))))
    .sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1))
    .map((entry) => httpUrl(entry.address, port));
  return found.length ? found : [httpUrl('127.0.0.1', port)];
}
