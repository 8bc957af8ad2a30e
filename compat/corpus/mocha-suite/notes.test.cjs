// A real mocha suite run with --check-leaks: a global the agent added would fail it.
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

describe('notes', () => {
  it('reads its fixture', () => {
    const text = fs.readFileSync(path.join(__dirname, 'fixture.txt'), 'utf8');
    assert.strictEqual(text.trim(), 'hello');
  });
  it('waits long enough for the agent to load its reporter', async () => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.ok(true);
  });
  it('still has no leaked globals after that', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
});
