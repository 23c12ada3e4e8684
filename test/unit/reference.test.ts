import { describe, expect, it } from 'vitest';
import { familiarRepository, isReference, isRepositoryPath, namingParts, normalisedReference, parseReference, sameReference } from '../../src/reference.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseReference: the distribution grammar with the engine normalisation', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', 'latest', undefined],
    ['nginx:1.25-alpine', 'docker.io', 'library/nginx', '1.25-alpine', undefined],
    ['index.docker.io/nginx', 'docker.io', 'library/nginx', 'latest', undefined],
    ['user/app:1', 'docker.io', 'user/app', '1', undefined],
    ['localhost:5000/app:1.0', 'localhost:5000', 'app', '1.0', undefined],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['registry.company.com/team/webapp:2.1.0-production', 'registry.company.com', 'team/webapp', '2.1.0-production', undefined],
    [`nginx@${DIGEST}`, 'docker.io', 'library/nginx', undefined, DIGEST],
    [`nginx:1@${DIGEST}`, 'docker.io', 'library/nginx', '1', DIGEST],
  ])('%s', (ref, registry, path, tag, digest) => {
    expect(parseReference(ref)).toEqual({ registry, path, tag, digest });
  });

  it.each([
    ['Nginx', /lowercase/],
    ['', /invalid|component/],
    ['nginx:', /invalid/],
    ['my..app', /invalid/],
    ['-app', /invalid/],
    ['a'.repeat(64), /64-byte/],
    [`nginx@sha256:abc`, /invalid/],
  ])('refuses %j', (ref, reason) => {
    const parsed = parseReference(ref);
    expect('error' in parsed && parsed.error).toMatch(reason);
    expect(isReference(ref)).toBe(false);
  });
});

describe('one reference, several spellings', () => {
  it.each([
    ['nginx', 'nginx:latest', true],
    ['nginx', 'docker.io/library/nginx:latest', true],
    ['nginx:latest', 'index.docker.io/library/nginx', true],
    ['user/app:1', 'docker.io/user/app:1', true],
    ['nginx', 'nginx:alpine', false],
    ['nginx', 'localhost:5000/nginx', false],
    ['library/nginx', 'nginx', true],
  ])('%s ~ %s: %s', (a, b, same) => {
    expect(sameReference(a, b)).toBe(same);
  });

  it('normalises as the engine does', () => {
    expect(normalisedReference('nginx')).toBe('docker.io/library/nginx:latest');
    expect(normalisedReference(`nginx@${DIGEST}`)).toBe(`docker.io/library/nginx@${DIGEST}`);
  });
});

describe('familiarRepository: as docker images shows it', () => {
  it.each([
    ['nginx:1.25', 'nginx'],
    ['docker.io/library/registry:2.8', 'registry'],
    [`registry@${DIGEST}`, 'registry'],
    ['docker.io/user/app', 'user/app'],
    ['localhost:5000/app:1', 'localhost:5000/app'],
    [`mirror.gcr.io/library/nginx@${DIGEST}`, 'mirror.gcr.io/library/nginx'],
  ])('%s → %s', (ref, repository) => {
    expect(familiarRepository(ref)).toBe(repository);
  });
});

describe('isRepositoryPath: a repository inside a registry', () => {
  it.each([
    ['myapp', true],
    ['team/webapp', true],
    ['tp7-probe', true],
    ['a_b.c', true],
    ['MyApp', false],
    ['myapp:1', false],
    ['localhost:5000/myapp', false],
    // A path component may hold dots: inside a registry this is a repository, not an address.
    ['registry.example.com/app', true],
    ['/app', false],
    ['', false],
  ])('%j: %s', (path, ok) => {
    expect(isRepositoryPath(path)).toBe(ok);
  });
});

describe('namingParts: the naming conventions', () => {
  it.each([
    ['registry.company.com/team/webapp:2.1.0-production', { registry: 'registry.company.com', namespace: 'team', name: 'webapp', version: '2.1.0', variant: 'production' }],
    ['localhost:5000/myapp:1.0.0', { registry: 'localhost:5000', namespace: '', name: 'myapp', version: '1.0.0', variant: undefined }],
    ['nginx:1.25-alpine', { registry: 'docker.io', namespace: 'library', name: 'nginx', version: '1.25', variant: 'alpine' }],
    ['ghcr.io/org/team/api:3.0.0-rc.1-slim', { registry: 'ghcr.io', namespace: 'org/team', name: 'api', version: '3.0.0', variant: 'rc.1-slim' }],
  ])('%s', (ref, parts) => {
    expect(namingParts(ref)).toEqual(parts);
  });

  it('has no parts for a malformed reference', () => {
    expect(namingParts('Registry.company.com/Team/WebApp')).toBeUndefined();
  });
});
