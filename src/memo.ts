// Answers that cannot change for the life of the process, kept across rounds of `tp7 watch`: a file inside an
// image named by its ID, the reading of an archive that is still the same file (device, inode, size, mtime).

/**
 * A bounded memo of promises: `read()` once per key, the oldest entry dropped past `maxEntries`; a failed read
 * is forgotten, so the next round tries again.
 */
export function memo<T>(maxEntries: number): (key: string, read: () => Promise<T>) => Promise<T> {
  const entries = new Map<string, Promise<T>>();
  return (key, read) => {
    let pending = entries.get(key);
    if (!pending) {
      pending = read();
      entries.set(key, pending);
      pending.catch(() => entries.delete(key));
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    }
    return pending;
  };
}
