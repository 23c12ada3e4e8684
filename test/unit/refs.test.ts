import { describe, expect, it } from 'vitest';
import { canonicalReference, familiarName, referenceOf as parseReference } from '../../src/reference.js';

describe('image references, read as the engine reads them', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  it.each([
    ['nginx', 'docker.io/library/nginx:latest', 'nginx'],
    ['nginx:alpine', 'docker.io/library/nginx:alpine', 'nginx'],
    ['library/nginx:alpine', 'docker.io/library/nginx:alpine', 'nginx'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest', 'nginx'],
    ['index.docker.io/library/nginx:1.25', 'docker.io/library/nginx:1.25', 'nginx'],
    ['alice/mon-nginx:v1.0', 'docker.io/alice/mon-nginx:v1.0', 'alice/mon-nginx'],
    ['localhost:5000/nginx:old', 'localhost:5000/nginx:old', 'localhost:5000/nginx'],
    ['localhost/mon-site:1.0', 'localhost/mon-site:1.0', 'localhost/mon-site'],
    ['registry.example.com/team/app', 'registry.example.com/team/app:latest', 'registry.example.com/team/app'],
    [`nginx@${digest}`, `docker.io/library/nginx@${digest}`, 'nginx'],
    [`nginx:alpine@${digest}`, `docker.io/library/nginx@${digest}`, 'nginx'],
  ])('%s is %s (familiar name %s)', (ref, canonical, familiar) => {
    const parsed = parseReference(ref)!;
    expect(canonicalReference(parsed)).toBe(canonical);
    expect(familiarName(parsed)).toBe(familiar);
  });
  it.each(['NGINX', 'nginx:', 'nginx@sha256:abc', '-nginx', 'nginx/', 'a b', `nginx:${'t'.repeat(129)}`])('refuses %j, as the engine does', (ref) => {
    expect(parseReference(ref)).toBeUndefined();
  });
});
