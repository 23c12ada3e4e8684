// Where an engine is, as DOCKER_HOST and its companions say it, and how dockerode reaches it. One address is one
// engine: `tp7 grade` holds several at once in one process, so nothing here reads or writes process.env except
// `engineAddressFromEnv`, the one place the environment (and the docker context) is read.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { settings } from '../settings.js';
import { boundedAgent } from './bounded-agent.js';
import { engineHost } from './host.js';
import { sshConnection } from '../ssh/connection.js';
import { dialStdioAgent } from '../ssh/engine-agent.js';

export interface EngineAddress {
  /** As DOCKER_HOST takes it: unix:///path, tcp://host:port, ssh://user@host:port. */
  host: string;
  /** DOCKER_TLS_VERIFY=1: tcp over TLS, checking the engine's certificate. */
  tlsVerify?: boolean;
  /** DOCKER_CERT_PATH: a folder with ca.pem, cert.pem and key.pem. */
  certPath?: string;
}

/** The engine the docker CLI would use here: DOCKER_HOST (or the docker context) and the TLS variables. */
export function engineAddressFromEnv(env: NodeJS.ProcessEnv = process.env): EngineAddress {
  return {
    host: engineHost(env),
    ...(env.DOCKER_TLS_VERIFY === '1' ? { tlsVerify: true } : {}),
    ...(env.DOCKER_CERT_PATH ? { certPath: env.DOCKER_CERT_PATH } : {}),
  };
}

/** Every answer the engine sends is bounded (bounded-agent.ts): a whole one within the engine time limit. */
const answerDeadline = (): number => settings().TP7_ENGINE_TIMEOUT_MS;

/**
 * dockerode's options for `address`, every connection field set: docker-modem fills the ones left out from
 * process.env.DOCKER_HOST, which would send a request meant for one engine to another. dockerode's typings omit
 * `agent`, which it hands to docker-modem as is: every connection goes through one that bounds each answer.
 */
export function dockerodeOptions(address: EngineAddress): Docker.DockerOptions {
  const none = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, username: undefined, ca: undefined, cert: undefined, key: undefined };
  if (address.host.startsWith('unix://')) {
    return { ...none, socketPath: address.host.slice('unix://'.length) || '/var/run/docker.sock', agent: boundedAgent(new Agent(), answerDeadline) } as Docker.DockerOptions;
  }
  const url = new URL(address.host.includes('//') ? address.host : `tcp://${address.host}`);
  if (url.protocol === 'ssh:') {
    // As the docker CLI does: the system ssh runs `docker system dial-stdio` (src/ssh/), never docker-modem's own
    // ssh client, which knows neither ~/.ssh/config nor default keys nor known hosts. The host name below only
    // fills the request line: the agent makes every connection.
    return { ...none, protocol: 'http', host: 'docker', port: 80, agent: boundedAgent(dialStdioAgent(sshConnection(address.host)), answerDeadline) } as Docker.DockerOptions;
  }
  const tls = address.tlsVerify || url.port === '2376' || Boolean(address.certPath);
  const files = address.certPath
    ? { ca: readFileSync(join(address.certPath, 'ca.pem')), cert: readFileSync(join(address.certPath, 'cert.pem')), key: readFileSync(join(address.certPath, 'key.pem')) }
    : {};
  const agent = boundedAgent(tls ? new HttpsAgent() : new Agent(), answerDeadline);
  return { ...none, protocol: tls ? 'https' : 'http', host: url.hostname, port: url.port || (tls ? 2376 : 2375), ...files, agent } as unknown as Docker.DockerOptions;
}

/**
 * The environment a docker CLI (a student's script, a recorded run's shim) needs to reach `address` and no other:
 * each variable set, empty when unused, so that the grader's own DOCKER_TLS_VERIFY or DOCKER_CERT_PATH never
 * applies to a student's engine.
 */
export function engineEnv(address: EngineAddress): Record<string, string> {
  return { DOCKER_HOST: address.host, DOCKER_TLS_VERIFY: address.tlsVerify ? '1' : '', DOCKER_CERT_PATH: address.certPath ?? '', DOCKER_CONTEXT: '' };
}
