import { resultSchema, type ResultDocument } from './schema';

export type Validation = { ok: true; value: ResultDocument } | { ok: false; field: string; message: string };

/** Validates an already parsed value; the first problem is reported with a dotted path to the field. */
export function validateResult(value: unknown): Validation {
  const parsed = resultSchema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? issue.path.map(String).join('.') : '(document)';
  return { ok: false, field, message: issue?.message ?? 'invalid document' };
}

/** Like validateResult, but for callers that want an exception with a readable one-line message. */
export function parseResult(value: unknown): ResultDocument {
  const v = validateResult(value);
  if (!v.ok) throw new Error(`invalid result document at ${v.field}: ${v.message}`);
  return v.value;
}
