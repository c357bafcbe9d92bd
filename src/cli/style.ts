// Colour only on a terminal and only when NO_COLOR is unset (https://no-color.org); plain aligned tables.
import { styleText } from 'node:util';

export type Color = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
export type Paint = (color: Color, text: string) => string;

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

export function painter(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Paint {
  return colorEnabled(stream, env) ? (color, text) => styleText(color, text) : (_color, text) => text;
}

/** A cell: plain text, or text with a colour applied after padding (so widths stay right). */
export type Cell = string | [text: string, color: Color | null];

export function table(headers: string[], rows: Cell[][], paint: Paint): string {
  const text = (c: Cell | undefined) => (c === undefined ? '' : typeof c === 'string' ? c : c[0]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i]).length)));
  const line = (cells: Cell[], header = false) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? text(c) : text(c).padEnd(widths[i]!);
        const color = header ? 'bold' : typeof c === 'string' ? null : c[1];
        return color ? paint(color, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(headers, true), ...rows.map((r) => line(r))].join('\n') + '\n';
}
