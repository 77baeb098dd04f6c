import { validateDocument, type AnyDocument } from '../../src/lib/result/validate';
import { ApiError } from './http';

/** The largest document accepted, in bytes of the request body. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Reads a request body as a result document: 415 for anything but application/json, 413 past the size cap (checked on the declared length and again
 * while streaming, since a chunked body declares none), 400 for broken JSON, 422 naming the first bad field.
 */
export async function readDocument(req: Request, maxBytes = MAX_BODY_BYTES): Promise<AnyDocument> {
  requireJsonType(req);
  const bytes = await readCappedBody(req, maxBytes, () => tooLarge(maxBytes));
  if (!req.body) throw new ApiError(400, 'bad_json', 'the request has no body; send a result document as JSON');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, 'bad_json', 'the body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, 'bad_json', `the body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  // A layer result or a whole network's profile: the document's `schema` field names which.
  const v = validateDocument(value);
  if (!v.ok) throw new ApiError(422, 'invalid_document', `${v.field}: ${v.message}`);
  return v.value;
}

/**
 * 415 unless the body is declared application/json. A browser sends that type cross-site only after a CORS
 * preflight, which this API never answers, so a page on another origin cannot publish through a visitor's browser
 * (text/plain, form types and a missing type are "simple" requests that skip the preflight).
 */
export function requireJsonType(req: Request): void {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    const got = type ? `'${type.slice(0, 100)}'` : 'no content type';
    throw new ApiError(415, 'unsupported_media_type', `send the document as application/json, not ${got}`);
  }
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'too_large', `the document is larger than ${maxBytes / (1024 * 1024)} MB`);
}

/**
 * A request body's bytes (empty without one), refused with `tooLarge()` past `max`: checked on the declared length
 * and again while streaming, since a chunked body declares none.
 */
export async function readCappedBody(req: Request, max: number, tooLarge: () => ApiError): Promise<Uint8Array> {
  if (Number(req.headers.get('content-length') ?? NaN) > max) throw tooLarge();
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}
