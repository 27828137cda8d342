// `GET …/plugins` lists every version, newest first per name; the page
// shows one row per plugin with its versions beside it.

export interface PluginVersionLike {
  name: string;
  version: string;
  yanked: boolean;
}

export interface PluginGroup<T extends PluginVersionLike> {
  name: string;
  /** The newest version not yanked, else the newest. */
  current: T;
  versions: T[];
}

/** One group per name, in the order names first appear, versions newest first (semver order). */
export function groupPlugins<T extends PluginVersionLike>(listing: readonly T[]): PluginGroup<T>[] {
  const byName = new Map<string, T[]>();
  for (const plugin of listing) {
    const versions = byName.get(plugin.name) ?? [];
    versions.push(plugin);
    byName.set(plugin.name, versions);
  }
  return [...byName.entries()].map(([name, versions]) => {
    const sorted = [...versions].sort((a, b) => compareVersions(b.version, a.version));
    return { name, current: sorted.find((v) => !v.yanked) ?? sorted[0]!, versions: sorted };
  });
}

/** Semantic version order (numeric parts, a pre-release before its release). */
export function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = a.split('-', 2);
  const [coreB = '', preB] = b.split('-', 2);
  const partsA = coreA.split('.').map(Number);
  const partsB = coreB.split('.').map(Number);
  for (let i = 0; i < Math.max(partsA.length, partsB.length); i += 1) {
    const diff = (partsA[i] ?? 0) - (partsB[i] ?? 0);
    if (diff !== 0) return diff;
  }
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  return preA < preB ? -1 : 1;
}

/** Whether a dropped or picked file looks like a component (by name; the server checks the bytes). */
export function isWasmFile(file: { name: string }): boolean {
  return file.name.toLowerCase().endsWith('.wasm');
}
