import { describe, expect, it } from 'vitest';
import { dockerodeOptions, engineAddressFromEnv } from '../../src/engine/address.js';

describe('engine addresses', () => {
  it('turns each DOCKER_HOST form into dockerode options, every connection field set', () => {
    expect(dockerodeOptions({ host: 'unix:///tmp/x.sock' })).toMatchObject({ socketPath: '/tmp/x.sock', host: undefined, protocol: undefined });
    expect(dockerodeOptions({ host: 'tcp://10.0.0.2:2375' })).toMatchObject({ protocol: 'http', host: '10.0.0.2', port: '2375', socketPath: undefined });
    expect(dockerodeOptions({ host: 'tcp://lab:2376' })).toMatchObject({ protocol: 'https', host: 'lab' });
    expect(dockerodeOptions({ host: 'ssh://alice@vm3:2222' })).toMatchObject({ protocol: 'http', socketPath: undefined, username: undefined });
    expect(dockerodeOptions({ host: 'ssh://alice@vm3:2222' }).agent).toBeDefined();
    expect(dockerodeOptions({ host: 'lab:2375' })).toMatchObject({ protocol: 'http', host: 'lab' });
  });

  it('reads the environment only when asked to', () => {
    expect(engineAddressFromEnv({ DOCKER_HOST: 'tcp://a:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }))
      .toEqual({ host: 'tcp://a:2376', tlsVerify: true, certPath: '/certs' });
    expect(engineAddressFromEnv({ DOCKER_HOST: 'unix:///s' })).toEqual({ host: 'unix:///s' });
  });
});
