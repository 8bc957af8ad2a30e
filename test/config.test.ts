import { describe, expect, it } from 'vitest';
import { loadConfig, settings, variableNames } from '../src/config/index.js';

describe('configuration', () => {
  it('lists every variable of the schema in the zod-free name list', () => {
    const fromSchema = Object.values(settings).flatMap((s) => [s.env, ...('aliases' in s ? (s.aliases ?? []) : [])]);
    expect([...variableNames].sort()).toEqual(fromSchema.sort());
  });

  it('parses good values and falls back on bad ones', () => {
    const config = loadConfig({
      AIM_DISABLED: 'off',
      AIM_LOG_LEVEL: 'silent',
      AIM_FLUSH_TIMEOUT_MS: 'soon',
      AIM_REPORT_POTENTIAL: 'yes',
      AIM_URL: 'https://aim.example.com',
    });
    expect(config.disabled).toBe(false);
    expect(config.reportPotential).toBe(true);
    expect(config.flushTimeoutMs).toBe(2000);
    expect(config.url).toBe('https://aim.example.com');
    expect(config.reportingAllowed).toBe(true);
  });

  it('turns reporting off on a bad key, without echoing it', () => {
    const config = loadConfig({ AIM_LOG_LEVEL: 'silent', AIM_API_KEY: 'not-a-key-sk_live_abcdef' });
    expect(config.reportingAllowed).toBe(false);
    expect(config.apiKey).toBe('');
  });

  it('accepts AIM_BASE_URL as AIM_URL', () => {
    expect(loadConfig({ AIM_LOG_LEVEL: 'silent', AIM_BASE_URL: 'http://127.0.0.1:9' }).url).toBe('http://127.0.0.1:9');
  });
});

describe('the configuration table in docs/configuration.md', () => {
  it('documents every variable', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('| variable'));
    for (const name of variableNames) expect(table, name).toContain(`\`${name}\``);
  });
});
