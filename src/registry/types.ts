// The registry as probes see it (distribution HTTP API v2).

export interface RegistryResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
  text: string;
}

export type RegistryMethod = 'GET' | 'HEAD' | 'DELETE';

/**
 * Which Docker credentials exist for one registry, read from the docker CLI's config.json. Only key names are
 * looked at: never an `auth` value, a password or a token.
 */
export interface CredentialPresence {
  /** The config file looked at: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
  file: string;
  /** False when the file does not exist. */
  exists: boolean;
  /** `auths` has an entry for the registry (written by `docker login`, with or without a credential store). */
  loggedIn: boolean;
  /**
   * `auths` has an entry for the registry with no `auth` or `identitytoken` key, and no credential store holds
   * its secret elsewhere: docker login never writes that (a hand-written or leftover entry). loggedIn is false.
   */
  emptyEntry?: boolean;
  /** `credHelpers` names a helper for this registry. */
  helper?: string;
  /** `credsStore`: the default credential store, where `docker login` keeps the secret. */
  store?: string;
  /** Why the file could not be read (malformed JSON...). */
  problem?: string;
}

export interface RegistryClient {
  /** host:port of the registry, e.g. localhost:5000. */
  readonly address: string;
  /**
   * One HTTP request. `path` starts with /v2/ and may carry a query (a relative Link header is such a path).
   * Throws RegistryUnreachableError when no answer comes; any HTTP answer, 4xx and 5xx included, is returned.
   */
  request(method: RegistryMethod, path: string, accept?: string[]): Promise<RegistryResponse>;
  /** Docker Hub, reached the same way (anonymous bearer tokens). Optional: fakes without it cannot check 4.1. */
  hub?(): RegistryClient;
  /** The same kind of client for another registry (e.g. the engine's mirror of Docker Hub). Optional, as hub(). */
  at?(address: string): RegistryClient;
  /** Which credentials the docker CLI holds for a registry ("docker.io" for Docker Hub). Optional, as hub(). */
  credentials?(registry: string): Promise<CredentialPresence>;
}
