// Building blocks of scrolled pages: every item is exactly one terminal line.
import { Text } from 'ink';
import type { ReactNode } from 'react';
import { useLayout, type ColorName } from '../providers/layout.js';
import { wrapText } from '../format.js';
import type { Line } from './ScrollView.js';
import { safeText } from '../../util/quote.js';

export function TextLine({
  children,
  color,
  bold,
  dim,
}: {
  children: ReactNode;
  color?: ColorName;
  bold?: boolean;
  dim?: boolean;
}): ReactNode {
  const { color: paint } = useLayout();
  return (
    <Text wrap="truncate" color={color ? paint(color) : undefined} bold={bold} dimColor={dim}>
      {/* Names, tags and Ganeti's messages reach the terminal: no escape sequence or bidi trick gets through. */}
      {typeof children === 'string' ? safeText(children) : children}
    </Text>
  );
}

/** A paragraph wrapped to the width, as lines; continuation lines hang 2 columns further in. */
export function paragraph(
  key: string,
  text: string,
  width: number,
  style: { color?: ColorName; bold?: boolean; dim?: boolean; indent?: number } = {},
): Line[] {
  const indent = style.indent ?? 0;
  const [first = '', ...rest] = wrapText(safeText(text), width - indent);
  const more = rest.length ? wrapText(rest.join(' '), width - indent - 2) : [];
  return [' '.repeat(indent) + first, ...more.map((l) => ' '.repeat(indent + 2) + l)].map((l, i) => ({
    key: `${key}:${i}`,
    node: (
      <TextLine color={style.color} bold={style.bold} dim={style.dim}>
        {l}
      </TextLine>
    ),
  }));
}

export function blank(key: string): Line {
  return { key, node: <Text> </Text> };
}
