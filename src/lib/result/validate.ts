import { resultSchema, SCHEMA_ID, type ResultDocument } from './schema';
import { profileSchema, PROFILE_SCHEMA_ID, type ProfileDocument } from './profileSchema';

export type Validation = { ok: true; value: ResultDocument } | { ok: false; field: string; message: string };
type Checked<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** Any published document: a layer result or a whole network's profile. Its `schema` field names the kind. */
export type AnyDocument = ResultDocument | ProfileDocument;
export type DocumentKind = 'layer' | 'profile';

function check<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Issue[] } } },
  value: unknown,
): Checked<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? issue.path.map(String).join('.') : '(document)';
  return { ok: false, field, message: issue?.message ?? 'invalid document' };
}
interface Issue {
  path: PropertyKey[];
  message: string;
}

/** Validates an already parsed value; the first problem is reported with a dotted path to the field. */
export function validateResult(value: unknown): Validation {
  return check<ResultDocument>(resultSchema, value);
}

/** Validates a profile document (kleinscope/profile@1). */
export function validateProfile(value: unknown): Checked<ProfileDocument> {
  return check<ProfileDocument>(profileSchema, value);
}

/** The kind a document's `schema` field names, or null for an id Kleinscope does not know. */
export function documentKind(value: unknown): DocumentKind | null {
  const id = value && typeof value === 'object' ? (value as { schema?: unknown }).schema : undefined;
  if (id === SCHEMA_ID) return 'layer';
  if (id === PROFILE_SCHEMA_ID) return 'profile';
  return null;
}

/** Validates either kind of document, chosen by its `schema` field (an unknown id is the layer result's error). */
export function validateDocument(value: unknown): Checked<AnyDocument> {
  return documentKind(value) === 'profile' ? validateProfile(value) : validateResult(value);
}

export function isProfile(doc: AnyDocument): doc is ProfileDocument {
  return doc.schema === PROFILE_SCHEMA_ID;
}

/** Like validateResult, but for callers that want an exception with a readable one-line message. */
export function parseResult(value: unknown): ResultDocument {
  const v = validateResult(value);
  if (!v.ok) throw new Error(`invalid result document at ${v.field}: ${v.message}`);
  return v.value;
}
