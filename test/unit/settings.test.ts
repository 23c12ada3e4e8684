import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseSettings } from '../../src/settings.js';

describe('settings', () => {
  it('takes the defaults when nothing is set, and whole milliseconds when set', () => {
    expect(parseSettings({}).TP7_CHECK_TIMEOUT_MS).toBe(30_000);
    expect(parseSettings({ TP7_CHECK_TIMEOUT_MS: ' 1500 ' }).TP7_CHECK_TIMEOUT_MS).toBe(1500);
    expect(parseSettings({ TP7_WATCH_POLL_MS: '' }).TP7_WATCH_POLL_MS).toBe(10_000);
  });

  it.each(['30s', 'abc', '-5', '0', '1.5', '1e3', '99999999999'])('refuses %s with a usage error naming the variable', (raw) => {
    let error: unknown;
    try {
      parseSettings({ TP7_CHECK_TIMEOUT_MS: raw });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/^TP7_CHECK_TIMEOUT_MS must be a whole number of milliseconds/);
    expect((error as Error).message).toContain(`"${raw}"`);
  });

  it('checks every numeric variable, not only the first', () => {
    expect(() => parseSettings({ TP7_WATCH_POLL_MS: 'soon' })).toThrow(/TP7_WATCH_POLL_MS/);
    expect(() => parseSettings({ TP7_ENGINE_TIMEOUT_MS: '15 s' })).toThrow(/TP7_ENGINE_TIMEOUT_MS/);
    expect(() => parseSettings({ TP7_REGISTRY_TIMEOUT_MS: 'NaN' })).toThrow(/TP7_REGISTRY_TIMEOUT_MS/);
    expect(() => parseSettings({ TP7_DOCKER_HUB_TIMEOUT_MS: 'x' })).toThrow(/TP7_DOCKER_HUB_TIMEOUT_MS/);
  });

  it("reads tp7 serve's limits: a request's arrival, connections and joins per address", () => {
    expect(parseSettings({})).toMatchObject({ TP7_SERVE_REQUEST_TIMEOUT_MS: 30_000, TP7_SERVE_CONNECTIONS_PER_ADDRESS: 32, TP7_SERVE_JOINS_PER_MINUTE: 30 });
    expect(parseSettings({ TP7_SERVE_CONNECTIONS_PER_ADDRESS: '300' }).TP7_SERVE_CONNECTIONS_PER_ADDRESS).toBe(300);
    expect(() => parseSettings({ TP7_SERVE_CONNECTIONS_PER_ADDRESS: 'many' })).toThrow(/^TP7_SERVE_CONNECTIONS_PER_ADDRESS must be a whole number of connections above 0/);
    expect(() => parseSettings({ TP7_SERVE_JOINS_PER_MINUTE: '0' })).toThrow(/TP7_SERVE_JOINS_PER_MINUTE must be a whole number of joins/);
  });
});
