/**
 * The redaction corpus: launch lines, URLs and names as MCP configs and programs really write
 * them. Each case says exactly what may be kept; the second half proves that what is not a
 * secret (ports, paths, hashes, versions, UUIDs, package names) stays readable, because an
 * inventory that hides everything is as useless as one that leaks.
 */
import { describe, expect, it } from 'vitest';
import { REDACTED as R, cleanUrl, redactArgs, redactCommand, redactText } from '../src/platform/redact.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const OPENAI = 'sk-proj-AbCdEf1234567890GhIjKl';
const ANTHROPIC = 'sk-ant-api03-AbCdEf1234567890GhIjKlMnOp';
const GITHUB = 'ghp_1234567890abcdefghijABCDEFGHIJ123456';
const SLACK = 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const AWS = 'AKIAIOSFODNN7EXAMPLE';
const RANDOM = 'q8Zr2LmX9vKp3TnW7yHb4JcD';

/** [what a program passed, what the inventory may show] */
const secrets: [string[], string[]][] = [
  // Secret-named flags, every spelling.
  [['--token', 'abc123'], ['--token', R]],
  [['--token=abc123'], [`--token=${R}`]],
  [['--api-key', 'abc123'], ['--api-key', R]],
  [['--api_key', 'abc123'], ['--api_key', R]],
  [['--apikey', 'abc123'], ['--apikey', R]],
  [['--apiKey', 'abc123'], ['--apiKey', R]],
  [['--accessToken', 'abc123'], ['--accessToken', R]],
  [['--apiToken', 'abc123'], ['--apiToken', R]],
  [['--authToken', 'abc123'], ['--authToken', R]],
  [['--sessionToken', 'abc123'], ['--sessionToken', R]],
  [['--githubToken', 'abc123'], ['--githubToken', R]],
  [['--clientSecret', 'abc123'], ['--clientSecret', R]],
  [['--clientSecret=abc123'], [`--clientSecret=${R}`]],
  [['--client-secret', 'abc123'], ['--client-secret', R]],
  [['--password', 'hunter2'], ['--password', R]],
  [['--passwd', 'hunter2'], ['--passwd', R]],
  [['--db-password', 'hunter2'], ['--db-password', R]],
  [['--dbPassword', 'hunter2'], ['--dbPassword', R]],
  [['--secret', 's'], ['--secret', R]],
  [['--private-key', 'abc'], ['--private-key', R]],
  [['--privateKey', 'abc'], ['--privateKey', R]],
  [['--bearer', 'abc'], ['--bearer', R]],
  [['--auth', 'user:pw'], ['--auth', R]],
  [['--cookie', 'sid=1'], ['--cookie', R]],
  [['--passphrase', 'correct horse'], ['--passphrase', R]],
  [['--x-api-key', 'abc'], ['--x-api-key', R]],
  [['-token', 'abc123'], ['-token', R]],
  [['--SLACK_BOT_TOKEN', 'abc'], ['--SLACK_BOT_TOKEN', R]],
  // NAME=value environment-style pairs.
  [['GITHUB_TOKEN=abc123'], [`GITHUB_TOKEN=${R}`]],
  [['OPENAI_API_KEY=abc123'], [`OPENAI_API_KEY=${R}`]],
  [['DB_PASSWORD=abc123'], [`DB_PASSWORD=${R}`]],
  [['AWS_SECRET_ACCESS_KEY=abc123'], [`AWS_SECRET_ACCESS_KEY=${R}`]],
  [['apiKey=abc123'], [`apiKey=${R}`]],
  [['-e', 'API_KEY=abc123'], ['-e', `API_KEY=${R}`]],
  [['--env', 'SLACK_TOKEN=xyz'], ['--env', `SLACK_TOKEN=${R}`]],
  // Short flags, when the value's shape says password.
  [['-p', 'hunter2'], ['-p', R]],
  [['-p', 'S3cr3t!'], ['-p', R]],
  [['-psecret99'], [`-p${R}`]],
  [['-k', 'Zx81kq22'], ['-k', R]],
  [['-w', 'ldapPass1'], ['-w', R]],
  [['-P', 'P@ssw0rd'], ['-P', R]],
  [['-u', 'root', '-pRootPass1'], ['-u', 'root', `-p${R}`]],
  // Token shapes, whatever the flag or none.
  [[OPENAI], [R]],
  [[ANTHROPIC], [R]],
  [[GITHUB], [R]],
  [[SLACK], [R]],
  [[AWS], [R]],
  [[JWT], [R]],
  [['github_pat_11ABCDEFG0123456789_abcdefghijklmnop'], [R]],
  [['glpat-abcdefghij1234567890'], [R]],
  [['AIzaSyA1234567890abcdefghijklmnopqrs'], [R]],
  [['sk_live_1234567890abcdef'], [R]],
  [['rk_test_1234567890abcdef'], [R]],
  [['npm_abcdefghijklmnopqrstuvwxyz0123456789'], [R]],
  [['hf_abcdefghijklmnopqrstuvwxyz01234567'], [R]],
  [['aim_live_abcdefgh12345678'], [R]],
  [['--model', OPENAI], ['--model', R]],
  [['--header', `x-key:${OPENAI}`], ['--header', `x-key: ${R}`]],
  [[`token:${GITHUB}`], [`token: ${R}`]],
  [[`id=${GITHUB}`], [`id=${R}`]],
  [['4f9a2c7e1b8d3f6a0c5e9b2d7f1a4c8e'], [R]],
  [['--config', `{"key":"${SLACK}"}`], ['--config', `{"key":"${R}"}`]],
  [[`prefix-${AWS}`], [R]],
  [[`(${AWS})`], [`(${R})`]],
  [[RANDOM], [R]],
  [['--opt', RANDOM], ['--opt', R]],
  [['dGhpcyBpcyBhIHNlY3JldCBibG9iIQ+/ab12=='], [R]],
  // Headers.
  [['-H', 'Authorization: Bearer abc.def'], ['-H', `Authorization: ${R}`]],
  [['--header', 'X-Api-Key: abc'], ['--header', `X-Api-Key: ${R}`]],
  [['Bearer abc123def'], [R]],
  [['Basic dXNlcjpwYXNz'], [R]],
  [['Cookie: sid=abc'], [`Cookie: ${R}`]],
  // Connection strings.
  [['Server=db;Database=app;User Id=sa;Password=Hunter2!;'], [`Server=db;Database=app;User Id=sa;Password=${R};`]],
  [['--conn', 'Driver={ODBC};Uid=sa;Pwd=Hunter2;'], ['--conn', `Driver={ODBC};Uid=sa;Pwd=${R};`]],
  [['DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc123==;EndpointSuffix=core.windows.net'], [`DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${R};EndpointSuffix=core.windows.net`]],
  [['Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abc123='], [`Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=${R}`]],
  [['host=db user=app password=Hunter2 dbname=app'], [`host=db user=app password=${R} dbname=app`]],
  [['--dsn', 'host=db pwd=Hunter2'], ['--dsn', `host=db pwd=${R}`]],
  // URLs and DSNs.
  [['postgres://app:Hunter2@db:5432/app'], ['postgres://db:5432/app']],
  [['--db=postgres://app:Hunter2@db:5432/app'], ['--db=postgres://db:5432/app']],
  [['mongodb+srv://u:p@cluster0.mongodb.net/app?retryWrites=true'], ['mongodb+srv://cluster0.mongodb.net/app']],
  [['redis://:Hunter2@cache:6379/0'], ['redis://cache:6379/0']],
  [['https://api.example.com/mcp?token=abc123'], ['https://api.example.com/mcp']],
  [['https://api.example.com/mcp#key=abc'], ['https://api.example.com/mcp']],
  [[`https://mcp.example.com/sse/${RANDOM}`], [`https://mcp.example.com/sse/${R}`]],
  [[`https://hooks.slack.com/x/${SLACK}`], [`https://hooks.slack.com/x/${R}`]],
  [['app:Hunter2@tcp(db:3306)/app'], [`app:${R}@tcp(db:3306)/app`]],
  [['--dsn=app:Hunter2@db:5432/app'], [`--dsn=app:${R}@db:5432/app`]],
  [['-u', 'default:Hunter2@redis:6379'], ['-u', `default:${R}@redis:6379`]],
];

const readable: string[][] = [
  // Ports and addresses.
  ['--port', '8080'],
  ['-p', '8080'],
  ['-p', '8080:80'],
  ['-p', '127.0.0.1:8080:80/tcp'],
  ['-p8080'],
  ['--host', '0.0.0.0'],
  ['--listen', '[::1]:3000'],
  ['https://mcp.example.com:8443/v1/mcp'],
  ['http://127.0.0.1:3000/sse'],
  ['ws://localhost:9229/ws'],
  // Paths and file names.
  ['/usr/local/lib/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js'],
  ['./node_modules/.bin/mcp-server'],
  ['C:\\Users\\me\\AppData\\Roaming\\npm\\mcp.cmd'],
  ['src/components/ButtonGroup2/IconButtonVariant.tsx'],
  ['/home/me/projects/myAgentProject2024/workspace'],
  ['--token-file', '/run/secrets/github_token'],
  ['--api-key-env', 'OPENAI_API_KEY'],
  ['--key-file', '/etc/ssl/private/server.key'],
  ['--password-file=/run/secrets/db'],
  ['-p', 'tsconfig.json'],
  ['-p', './packages/app'],
  ['-k', '~/.ssh/id_ed25519'],
  // Hashes and digests.
  ['--sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
  ['--md5', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['ghcr.io/org/img@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=='],
  ['--commit', '4b825dc642cb6eb9a060e54bf8d69288fbee4904'],
  // Versions, UUIDs, package specs.
  ['@modelcontextprotocol/server-everything@2026.8.31'],
  ['npx', '-y', '@modelcontextprotocol/server-github@latest'],
  ['npm:@scope/pkg@1.2.3-beta.4+build.5'],
  ['v22.14.0'],
  ['--version', '1.2.3'],
  ['--agent-id', '550e8400-e29b-41d4-a716-446655440000'],
  ['550E8400-E29B-41D4-A716-446655440000'],
  ['git@github.com:org/repo.git'],
  // Plain words and flags that mention a secret without carrying one.
  ['--no-auth'],
  ['--auth-type', 'oauth'],
  ['--tokenizer', 'cl100k_base'],
  ['--keyboard', 'us'],
  ['--session-id', 'run-42'],
  ['--token', '--verbose'],
  ['--model', 'gpt-4o-mini-2024-07-18'],
  ['--model', 'claude-3-5-sonnet-20241022'],
  ['--region', 'us-east-1'],
  ['-p', 'default'],
  ['-k'],
  ['server-filesystem', '/tmp', '--read-only'],
  ['Server=db;Database=app;User Id=sa'],
  ['--log-level=debug'],
  ['--max-tokens=4096'],
];

describe('redaction corpus: secrets never survive', () => {
  it.each(secrets.map(([input, output]) => [input.join(' '), input, output] as const))('%s', (_name, input, output) => {
    const redacted = redactArgs(input);
    expect(redacted).toEqual(output);
  });
});

describe('redaction corpus: what is not a secret stays readable', () => {
  it.each(readable.map((input) => [input.join(' '), input] as const))('%s', (_name, input) => {
    expect(redactArgs(input)).toEqual(input);
  });
});

describe('the corpus', () => {
  it('has at least 100 cases, both ways', () => {
    expect(secrets.length + readable.length).toBeGreaterThanOrEqual(100);
    expect(readable.length).toBeGreaterThanOrEqual(40);
  });

  it('no secret value of the first half is anywhere in its output', () => {
    for (const [input] of secrets) {
      const out = redactArgs(input).join(' ');
      for (const secret of ['abc123', 'hunter2', 'Hunter2', OPENAI, ANTHROPIC, GITHUB, SLACK, AWS, JWT, RANDOM, 'S3cr3t!', 'Hunter2!', 'P@ssw0rd']) {
        if (input.join(' ').includes(secret)) expect(out).not.toContain(secret);
      }
    }
  });
});

describe('names and commands', () => {
  it('a token in a name goes, the name stays', () => {
    expect(redactText(`github (${GITHUB})`)).toBe(`github (${R})`);
    expect(redactText('filesystem')).toBe('filesystem');
    expect(redactCommand('/usr/bin/node')).toBe('/usr/bin/node');
    expect(redactCommand(OPENAI)).toBe(R);
  });

  it('URLs keep scheme, host, port and path', () => {
    expect(cleanUrl('https://u:p@h.example:8443/a/b?x=1#y')).toBe('https://h.example:8443/a/b');
  });
});
