import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialPresence, dockerConfigFile } from '../../src/registry/docker-config.js';
import { tempDir } from '../tmp.js';

// Credentials are detected from key names only: the `auth` value below must never come out.
const SECRET = Buffer.from('alice:dckr_pat_SECRET').toString('base64');

function configDir(content: string | object): string {
  const dir = tempDir('docker-config-');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

describe('docker config credentials', () => {
  it('follows DOCKER_CONFIG, else ~/.docker', () => {
    expect(dockerConfigFile({ DOCKER_CONFIG: '/tmp/dc' })).toBe('/tmp/dc/config.json');
    expect(dockerConfigFile({})).toMatch(/\.docker\/config\.json$/);
  });
  it('sees a docker login to Docker Hub without reading its auth value', async () => {
    const dir = configDir({ auths: { 'https://index.docker.io/v1/': { auth: SECRET } } });
    const found = await credentialPresence('docker.io', { DOCKER_CONFIG: dir });
    expect(found).toEqual({ file: join(dir, 'config.json'), exists: true, loggedIn: true });
    expect(JSON.stringify(found)).not.toContain(SECRET);
  });
  it('names the credential store and helper, which are not secrets', async () => {
    const dir = configDir({ auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'desktop', credHelpers: { 'docker.io': 'pass', 'gcr.io': 'gcloud' } });
    expect(await credentialPresence('docker.io', { DOCKER_CONFIG: dir })).toMatchObject({ loggedIn: true, store: 'desktop', helper: 'pass' });
  });
  it('does not take an entry without credential nor store for a login (docker login never writes one)', async () => {
    const dir = configDir({ auths: { 'https://index.docker.io/v1/': {} } });
    expect(await credentialPresence('docker.io', { DOCKER_CONFIG: dir })).toEqual({ file: join(dir, 'config.json'), exists: true, loggedIn: false, emptyEntry: true });
    const token = configDir({ auths: { 'https://index.docker.io/v1/': { identitytoken: SECRET } } });
    expect(await credentialPresence('docker.io', { DOCKER_CONFIG: token })).toMatchObject({ loggedIn: true });
  });
  it('does not take another registry for Docker Hub', async () => {
    const dir = configDir({ auths: { 'localhost:5000': { auth: SECRET } }, credsStore: 'desktop' });
    expect(await credentialPresence('docker.io', { DOCKER_CONFIG: dir })).toMatchObject({ loggedIn: false, store: 'desktop' });
    expect(await credentialPresence('localhost:5000', { DOCKER_CONFIG: dir })).toMatchObject({ loggedIn: true });
  });
  it('reports a missing or malformed file without quoting it', async () => {
    expect(await credentialPresence('docker.io', { DOCKER_CONFIG: tempDir('empty-') })).toMatchObject({ exists: false, loggedIn: false });
    const found = await credentialPresence('docker.io', { DOCKER_CONFIG: configDir(`{"auths": {"x": {"auth": "${SECRET}"`) });
    expect(found).toMatchObject({ exists: true, loggedIn: false, problem: 'not valid JSON' });
    expect(JSON.stringify(found)).not.toContain(SECRET);
  });
});
