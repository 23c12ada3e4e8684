import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerKind } from '../../src/engine/bounded-agent.js';
import { connectEngine } from '../../src/engine/dockerode-client.js';
import { EngineUnreachableError } from '../../src/errors.js';
import { apiPath, forever, standInEngine, type StandInEngine } from '../stand-in-engine.js';

// An engine a student runs may answer anything: an inspect whose body never ends, or that comes a byte at a
// time. Each answer tp7 buffers is capped and must be complete within the engine time limit; streams (a save)
// are read as they come, as large as they are. Against a stand-in engine on a unix socket.

process.env.TP7_ENGINE_TIMEOUT_MS = '1500';

const MiB = 1 << 20;
let standIn: StandInEngine;

beforeAll(async () => {
  standIn = await standInEngine((request, response) => {
    const path = apiPath(request);
    if (path === '/images/endless/json') return forever(Buffer.alloc(4 * MiB, 0x20), 1)(request, response);
    if (path === '/images/drip/json') return forever(Buffer.from(' '), 100)(request, response);
    if (path === '/images/big/json') return response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Id: 'sha256:b', Size: 1, Architecture: 'amd64' }));
    if (path !== '/images/big/get') return response.writeHead(404).end('{"message":"no such image"}');
    // A save of 100 MiB: a stream, read whole however large.
    let sent = 0;
    const next = () => {
      while (sent < 100 * MiB) {
        sent += MiB;
        if (!response.write(Buffer.alloc(MiB))) return void response.once('drain', next);
      }
      response.end();
    };
    next();
  });
});

afterAll(() => standIn.close());

describe('answers from an engine, bounded', () => {
  it('an endless body is cut at 64 MiB: the engine is out of reach, in one line', async () => {
    const engine = await connectEngine({ host: standIn.host });
    const started = performance.now();
    const error = await engine.inspectImage('endless').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(EngineUnreachableError);
    expect((error as EngineUnreachableError).message).toMatch(/an answer of more than 64 MiB/);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('an answer that comes a byte at a time is cut at the engine time limit', async () => {
    const engine = await connectEngine({ host: standIn.host });
    const started = performance.now();
    const error = await engine.inspectImage('drip').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(EngineUnreachableError);
    expect((error as EngineUnreachableError).message).toMatch(/no complete answer within 1\.5 s/);
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('a stream (a save) is read as it comes, past the cap', async () => {
    const engine = await connectEngine({ host: standIn.host });
    const stream = await engine.saveImage('big');
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) bytes += chunk.length;
    expect(bytes).toBe(100 * MiB);
  });

  it('tells streams, long waits and buffered answers apart by their API path', () => {
    expect(answerKind('GET', '/v1.41/images/nginx:alpine/json')).toBe('answer');
    expect(answerKind('GET', '/v1.41/images/nginx:alpine/get')).toBe('stream');
    expect(answerKind('GET', '/v1.41/images/get?names=a')).toBe('stream');
    expect(answerKind('POST', '/v1.41/images/create?fromImage=a')).toBe('stream');
    expect(answerKind('GET', '/v1.41/containers/x/archive?path=/etc')).toBe('stream');
    expect(answerKind('HEAD', '/v1.41/containers/x/archive?path=/etc')).toBe('answer');
    expect(answerKind('GET', '/v1.41/events?filters=x')).toBe('stream');
    expect(answerKind('POST', '/v1.41/containers/x/wait')).toBe('long');
    expect(answerKind('GET', '/v1.41/containers/x/logs?stdout=1')).toBe('answer');
    expect(answerKind('GET', '/v1.41/containers/x/logs?follow=1&stdout=1')).toBe('stream');
  });
});
