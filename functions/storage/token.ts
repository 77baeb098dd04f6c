/** Owner tokens: 256 random bits shown once; the server keeps only their SHA-256. */

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function newToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function hashToken(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Compares two hex digests in time independent of where they differ. Both are SHA-256 hex of fixed length,
 * so the length check leaks nothing about the secret.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Does `token` belong to the owner whose hash is `storedHash`? */
export async function ownsResult(token: string, storedHash: string): Promise<boolean> {
  return constantTimeEqual(await hashToken(token), storedHash);
}

/** A random result id: 80 bits as 16 characters of lower-case base32 (readable in a URL, hard to guess). */
export function newId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let id = '';
  for (const b of bytes) id += alphabet[b & 31];
  return id;
}
