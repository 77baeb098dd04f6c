/**
 * What a result document may say about the file its filters came from. A document can be published, so it names
 * the file, never where it lives on someone's machine: a local path (POSIX or Windows) is cut to its base name.
 * A web address is already public and tells others where to get the same model, so it is kept, less its query and
 * fragment (a signed URL's token lives there).
 */
export function publicFileName(label: string): string {
  const trimmed = label.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      const url = new URL(trimmed);
      return (url.origin + url.pathname).slice(-500);
    } catch {
      // Not a valid URL after all: treat it as a path below.
    }
  }
  const parts = trimmed.split(/[\\/]/).filter((p) => p !== '');
  return (parts[parts.length - 1] ?? '').slice(0, 500);
}
