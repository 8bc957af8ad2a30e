import { describe, expect, it } from 'vitest';
import { featuresOf } from '../src/platform/features.js';

describe('the Node feature table', () => {
  it.each([
    ['v20.20.2', false, true],
    ['v22.14.0', false, true],
    ['v22.22.2', false, true],
    ['v22.22.3', true, true],
    ['v23.11.0', false, true],
    ['v24.11.0', false, true],
    ['v24.11.1', true, true],
    ['v25.0.0', false, true],
    ['v25.1.0', true, true],
    ['v26.3.1', true, true],
  ])('%s: sync module hooks %s, getBuiltinModule %s', (version, sync, getBuiltin) => {
    const features = featuresOf(version);
    expect(features.syncModuleHooks).toBe(sync);
    expect(features.getBuiltinModule).toBe(getBuiltin);
  });

  it('node:sqlite without a flag from 22.13 and 23.4', () => {
    expect(featuresOf('v22.12.0').sqlite).toBe(false);
    expect(featuresOf('v22.13.0').sqlite).toBe(true);
    expect(featuresOf('v20.20.2').sqlite).toBe(false);
    expect(featuresOf('v24.0.0').sqlite).toBe(true);
  });
});
