/**
 * What this Node can do, as a table of features and the versions that have them (in the style of
 * tsx's node-features). Hook choices are made from this table, never from ad-hoc version checks.
 */
export type Version = readonly [major: number, minor: number, patch: number];

/** Each feature lists, per major, the first version that has it; a major above the last listed has it. */
type Availability = readonly Version[];

const featureTable = {
  /** `module.registerHooks`: synchronous, in-thread resolve/load hooks (no DEP0205 on 26). */
  syncModuleHooks: [
    [22, 22, 3],
    [24, 11, 1],
    [25, 1, 0],
  ],
  /** `module.register`: the async loader thread (costs about +120 ms on Node 20). */
  asyncModuleHooks: [[20, 6, 0]],
  /** `process.getBuiltinModule`. */
  getBuiltinModule: [
    [20, 16, 0],
    [22, 3, 0],
  ],
  /** `node:sqlite` without a flag. */
  sqlite: [
    [22, 13, 0],
    [23, 4, 0],
  ],
} as const satisfies Record<string, Availability>;

export type Feature = keyof typeof featureTable;
export type Features = Record<Feature, boolean>;

export function parseVersion(text: string): Version {
  const [major = 0, minor = 0, patch = 0] = (text.startsWith('v') ? text.slice(1) : text).split('.').map((n) => Number.parseInt(n, 10) || 0);
  return [major, minor, patch];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Same major listed: from that version on. A later major than any listed: yes. Otherwise no. */
function has(availability: Availability, version: Version): boolean {
  const sameMajor = availability.find((v) => v[0] === version[0]);
  if (sameMajor) return compare(version, sameMajor) >= 0;
  return version[0] > availability[availability.length - 1]![0];
}

/** The features of a Node version (default: this one). */
export function featuresOf(versionText: string = process.version): Features {
  const version = parseVersion(versionText);
  const features = {} as Features;
  for (const [name, availability] of Object.entries(featureTable) as [Feature, Availability][]) {
    features[name] = has(availability, version);
  }
  return features;
}

let mlDsa: boolean | undefined;

/**
 * Whether node:crypto has ML-DSA (`generateKeyPairSync('ml-dsa-44')`: Node 24 and later, with
 * OpenSSL 3.5; not 20 or 22). Probed, not read from the version table: a Node built against an
 * older shared OpenSSL has none. node:crypto is reached through `process.getBuiltinModule` only
 * when this is called (the signed reporter, `aim doctor`), never at the app's startup; a Node
 * without getBuiltinModule (before 20.16) has no ML-DSA either.
 */
export function hasMlDsa(): boolean {
  if (mlDsa === undefined) {
    try {
      const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
      const crypto = get?.call(process, 'node:crypto') as { generateKeyPairSync(type: string): unknown } | undefined;
      crypto!.generateKeyPairSync('ml-dsa-44');
      mlDsa = true;
    } catch {
      mlDsa = false;
    }
  }
  return mlDsa;
}
