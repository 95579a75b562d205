/** Field name → the message to show beside that field. */
export type FieldErrors = Record<string, string>;

export interface ParsedError {
  message: string;
  fields: FieldErrors;
}

interface ValidationItem {
  loc?: unknown;
  path?: unknown;
  field?: unknown;
  msg?: unknown;
  message?: unknown;
}

function fieldOf(item: ValidationItem): string | undefined {
  if (typeof item.field === 'string') return item.field;
  const location = Array.isArray(item.loc) ? item.loc : Array.isArray(item.path) ? item.path : null;
  if (location) {
    // FastAPI-style locations start with where the value came from: ['body', 'email'].
    const names = location.filter(
      (part): part is string =>
        typeof part === 'string' && !['body', 'query', 'path'].includes(part),
    );
    return names.at(-1);
  }
  if (typeof item.path === 'string')
    return item.path
      .replace(/^\/?body\/?/, '')
      .split('/')
      .pop();
  return undefined;
}

function textOf(item: ValidationItem): string | undefined {
  if (typeof item.msg === 'string') return item.msg;
  if (typeof item.message === 'string') return item.message;
  return undefined;
}

/**
 * The rule alone ("must be 1-100 characters"): the API's messages name their field
 * ("name: must be …") for clients that show them apart from the form; beside the field, the
 * field's label says it.
 */
function ruleOf(field: string, text: string): string {
  const rule = text.startsWith(`${field}: `) ? text.slice(field.length + 2) : text;
  return rule === 'field required' ? 'is required' : rule;
}

/**
 * Turns an error body of the API (`{detail}`) into a message and per-field messages.
 * `detail` is a sentence for most errors and a list of `{loc, msg}` for validation errors (422);
 * a `{field: message}` object is accepted too.
 */
export function parseErrorBody(body: unknown, fallback: string): ParsedError {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string' && detail.trim()) return { message: detail, fields: {} };

  const fields: FieldErrors = {};
  const loose: string[] = [];
  const items: ValidationItem[] = Array.isArray(detail)
    ? detail
    : detail && typeof detail === 'object'
      ? Object.entries(detail).map(([field, message]) => ({ field, message }))
      : [];
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const text = textOf(item);
    if (!text) continue;
    const field = fieldOf(item);
    if (field && !fields[field]) fields[field] = ruleOf(field, text);
    else if (!field) loose.push(text);
  }
  if (Object.keys(fields).length > 0 || loose.length > 0) {
    return { message: loose[0] ?? 'Please correct the highlighted fields.', fields };
  }
  return { message: fallback, fields: {} };
}
