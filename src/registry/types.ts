// The registry as probes see it (distribution HTTP API v2).

export interface RegistryResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
  text: string;
}

export interface RegistryClient {
  /** host:port of the registry, e.g. localhost:5000. */
  readonly address: string;
  request(method: 'GET' | 'HEAD' | 'DELETE', path: string, accept?: string[]): Promise<RegistryResponse>;
}
