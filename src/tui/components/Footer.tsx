// The footer: the keys that work now, packed into as few lines as the width allows.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Hint } from '../providers/keys.js';

/** Hints packed into lines of `width`, never splitting a key from its label. */
export function packHints(hints: readonly Hint[], width: number): Hint[][] {
  const lines: Hint[][] = [[]];
  let used = 0;
  for (const h of hints) {
    const w = h.key.length + 1 + h.label.length;
    const line = lines[lines.length - 1] as Hint[];
    if (line.length > 0 && used + 2 + w > width) {
      lines.push([h]);
      used = w;
    } else {
      line.push(h);
      used += (line.length > 1 ? 2 : 0) + w;
    }
  }
  return lines;
}

export function Footer({ lines }: { lines: Hint[][] }): ReactNode {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate">
          {line.map((h, j) => (
            <Text key={h.key}>
              {j > 0 ? '  ' : ''}
              <Text bold>{h.key}</Text> {h.label}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
