// Answers that cannot change for the life of the process, kept across rounds of `tp7 watch`: the content of a
// file inside an image named by its ID is fixed forever, so reading it again would only create a container.

/** Enough for every file every exercise reads from a few versions of its images; the oldest goes first. */
const MAX_ENTRIES = 256;

const files = new Map<string, Promise<unknown>>();

/** `read()` once per (image ID, path, limit); a failed read is forgotten, so the next round tries again. */
export function readOnce<T>(imageId: string, path: string, maxBytes: number | undefined, read: () => Promise<T>): Promise<T> {
  const key = `${imageId}\u0000${path}\u0000${maxBytes ?? ''}`;
  let pending = files.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = read();
    files.set(key, pending);
    pending.catch(() => files.delete(key));
    if (files.size > MAX_ENTRIES) files.delete(files.keys().next().value!);
  }
  return pending;
}
