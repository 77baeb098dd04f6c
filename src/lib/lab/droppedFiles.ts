// Files dropped on the page, folders included: a dropped folder arrives as a directory entry whose files must be
// read through the (old, callback-based) File and Directory Entries API, which every current browser has.

/** The entries of a drop, taken while the event lasts (the browser empties the DataTransfer afterwards). */
export function droppedEntries(data: DataTransfer): Array<FileSystemEntry | File> {
  const out: Array<FileSystemEntry | File> = [];
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    const file = entry ? undefined : item.getAsFile();
    if (entry) out.push(entry);
    else if (file) out.push(file);
  }
  // Some browsers (and synthetic drops) give files but no items.
  if (out.length === 0) out.push(...Array.from(data.files ?? []));
  return out;
}

function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries hands out a directory in batches (about 100 in Chromium) until it returns an empty one.
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

/** Every file under the dropped entries, folders walked to any depth. */
export async function filesOf(entries: Array<FileSystemEntry | File>): Promise<File[]> {
  const files: File[] = [];
  const walk = async (entry: FileSystemEntry | File): Promise<void> => {
    if (entry instanceof File) {
      files.push(entry);
    } else if (entry.isFile) {
      files.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    } else if (entry.isDirectory) {
      for (const child of await readAll(entry as FileSystemDirectoryEntry)) await walk(child);
    }
  };
  for (const entry of entries) await walk(entry);
  return files;
}
