// Maps held in `$state.raw` are replaced, never mutated, so that Svelte sees every change; these build the
// replacements (and live outside .svelte.ts files, where a mutable Map would look like forgotten reactivity).
export function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  return new Map(map).set(key, value);
}

export function mapOf<K, V>(entries: Iterable<readonly [K, V]> = []): ReadonlyMap<K, V> {
  return new Map(entries);
}
