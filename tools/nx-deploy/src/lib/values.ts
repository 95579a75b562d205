/** Helm-style value handling: values files merge left to right, `--set` paths win last. */
export type Values = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mergeValues(...layers: Values[]): Values {
  const result: Values = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const current = result[key];
      result[key] =
        isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
    }
  }
  return result;
}

export function getPath(values: unknown, path: string): unknown {
  let current: unknown = values;
  for (const part of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

export function setPath(values: Values, path: string, value: unknown): Values {
  const parts = path.split('.');
  const copy = mergeValues(values);
  let cursor = copy;
  parts.slice(0, -1).forEach((part) => {
    const next = cursor[part];
    cursor[part] = isPlainObject(next) ? mergeValues(next) : {};
    cursor = cursor[part] as Values;
  });
  cursor[parts[parts.length - 1]] = value;
  return copy;
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => valuesEqual(a[key], b[key]));
  }
  // Helm stores numbers from YAML as float64 and `--set` strings as strings; compare by text.
  if (
    (typeof a === 'number' || typeof a === 'string') &&
    (typeof b === 'number' || typeof b === 'string')
  ) {
    return String(a) === String(b);
  }
  return false;
}
