/** Storage failures the UI must show, never swallow. */

export class StoreError extends Error {}

/** The browser refused to store more (QuotaExceededError): say what was being saved and what to do. */
export class StoreQuotaError extends StoreError {}

/** An exported session file that cannot be imported: the message names the field or byte range at fault. */
export class SessionFileError extends StoreError {}

function isQuota(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x && depth < 4; depth++) {
    const name = (x as { name?: unknown }).name;
    if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
    x = (x as { cause?: unknown; inner?: unknown }).cause ?? (x as { inner?: unknown }).inner;
  }
  return false;
}

/** Wraps an IndexedDB write so a failure says what was being saved; a full quota becomes a StoreQuotaError. */
export async function writing<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof StoreError) throw e;
    if (isQuota(e)) {
      throw new StoreQuotaError(
        `browser storage is full: could not save ${what}. Delete or export old training sessions, then try again.`,
        { cause: e },
      );
    }
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new StoreError(`could not save ${what} (${detail})`, { cause: e });
  }
}
