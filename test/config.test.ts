import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { hookFamilies } from '../src/catalog/index.js';
import { aliasOf, configurationTable, loadConfig, settings, variableNames } from '../src/config/index.js';

describe('configuration', () => {
  it('lists every variable of the schema in the zod-free name list', () => {
    const fromSchema = Object.values(settings).flatMap((s) => [s.env, ...('aliases' in s ? (s.aliases ?? []) : [])]);
    expect([...variableNames].sort()).toEqual(fromSchema.sort());
  });

  it("knows each alias's variable in the zod-free list too (an alias beside its variable is not read)", () => {
    const fromSchema = Object.values(settings).flatMap((s) => ('aliases' in s ? (s.aliases ?? []).map((a) => [a, s.env]) : []));
    expect(Object.entries(aliasOf).sort()).toEqual(fromSchema.sort());
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

  it('reads the deployment identity: environment, version and a tag list', () => {
    const config = loadConfig({ AIM_LOG_LEVEL: 'silent', AIM_ENVIRONMENT: 'production', AIM_AGENT_VERSION: '1.4.0+build.7', AIM_TAGS: 'team:payments, tier:1 team:payments' });
    expect([config.environment, config.agentVersion, config.tags]).toEqual(['production', '1.4.0+build.7', ['team:payments', 'tier:1']]);
    const bad = loadConfig({ AIM_LOG_LEVEL: 'silent', AIM_ENVIRONMENT: 'prod env', AIM_TAGS: 'ok,no;semicolons' });
    expect([bad.environment, bad.tags, bad.reportingAllowed]).toEqual(['', [], true]);
  });

  it('AIM_DISABLED_HOOKS documents every hook family of the catalog', () => {
    for (const name of Object.keys(hookFamilies)) expect(settings.disabledHooks.description).toContain(`\`${name}\``);
  });

  it('AIM_STARTUP_LOG and AIM_DISABLED_HOOKS', () => {
    expect(loadConfig({}).startupLog).toBe(true);
    const config = loadConfig({ AIM_LOG_LEVEL: 'silent', AIM_STARTUP_LOG: 'off', AIM_DISABLED_HOOKS: 'mcp,net' });
    expect([config.startupLog, config.disabledHooks]).toEqual([false, ['mcp', 'net']]);
  });

  it('accepts AIM_BASE_URL as AIM_URL', () => {
    expect(loadConfig({ AIM_LOG_LEVEL: 'silent', AIM_BASE_URL: 'http://127.0.0.1:9' }).url).toBe('http://127.0.0.1:9');
    expect(loadConfig({ AIM_LOG_LEVEL: 'silent', AIM_BASE_URL: 'http://127.0.0.1:9' }).from.url).toBe('AIM_BASE_URL');
    expect(loadConfig({ AIM_LOG_LEVEL: 'silent', AIM_BASE_URL: 'http://127.0.0.1:9', AIM_URL: 'http://127.0.0.1:8' }).from.url).toBe('AIM_URL');
    expect(loadConfig({ AIM_LOG_LEVEL: 'silent' }).from.url).toBeUndefined();
  });
});

describe('the configuration table in docs/configuration.md', () => {
  const doc = new URL('../docs/configuration.md', import.meta.url);
  const begin = '<!-- configuration table: generated from src/config/schema.ts -->';
  const end = '<!-- end of the generated table -->';

  it("is the schema's table (AIM_UPDATE_DOCS=1 npx vitest run config rewrites it)", () => {
    const text = readFileSync(doc, 'utf8');
    const [before, rest] = text.split(begin) as [string, string?];
    expect(rest, 'the doc has the begin marker').toBeDefined();
    const after = rest!.slice(rest!.indexOf(end));
    const generated = `${before}${begin}\n${configurationTable()}\n${after}`;
    if (process.env.AIM_UPDATE_DOCS === '1') writeFileSync(doc, generated);
    expect(text).toBe(generated);
  });

  it('documents every variable, aliases included', () => {
    const table = readFileSync(doc, 'utf8');
    for (const name of variableNames) expect(table, name).toContain(`\`${name}\``);
  });
});
