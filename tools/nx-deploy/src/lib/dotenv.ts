/** Parses KEY=value lines the way dotenv does: comments, `export`, single/double quotes, \n in double quotes. */
export function parseDotenv(text: string): { values: Record<string, string>; errors: string[] } {
  const values: Record<string, string> = {};
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const match = line.match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
    if (!match) {
      // The line is not shown: it may hold a secret.
      errors.push(`line ${index + 1} is not KEY=value`);
      return;
    }
    const [, key, rest] = match;
    let value = rest;
    if (value.startsWith('"')) {
      const end = value.lastIndexOf('"');
      value = end > 0 ? value.slice(1, end).replace(/\\n/g, '\n').replace(/\\"/g, '"') : value;
    } else if (value.startsWith("'")) {
      const end = value.lastIndexOf("'");
      value = end > 0 ? value.slice(1, end) : value;
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    values[key] = value;
  });
  return { values, errors };
}
