import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The focus ring is drawn 2 px outside the focused control, so it must stand out from the
 * backgrounds around controls: WCAG 2.2 asks 3:1 for such a non-text indicator.
 */
const css = readFileSync(path.join(__dirname, 'globals.css'), 'utf8');

function variable(name: string): string {
  const match = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`).exec(css);
  if (!match) throw new Error(`globals.css has no --${name} colour`);
  return match[1];
}

/** WCAG 2.x relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

it.each(['surface', 'bg', 'confirm-bg'])(
  'the focus ring has 3:1 contrast on --%s',
  (background) => {
    expect(contrast(variable('focus'), variable(background))).toBeGreaterThanOrEqual(3);
  },
);
