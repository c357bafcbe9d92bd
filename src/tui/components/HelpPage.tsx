// Keys and views, in one page: the key table's help lines, then what the marks mean.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { helpSections } from '../keymap.js';
import { useLayout } from '../providers/layout.js';
import { blank, paragraph, TextLine } from './Lines.js';
import { ScrollView, type Line } from './ScrollView.js';

export function helpLines(width: number, kiosk: boolean): Line[] {
  const lines: Line[] = [];
  for (const [title, keys] of helpSections()) {
    lines.push({ key: title, node: <TextLine bold>{title}</TextLine> });
    for (const [k, what] of keys)
      lines.push({ key: `${title}:${k}`, node: <TextLine>{`  ${k.padEnd(16)} ${what}`}</TextLine> });
    lines.push(blank(`${title}:end`));
  }
  lines.push(
    ...paragraph(
      'about',
      'Blockers are marked "✗ BLOCKED" and say what to fix; warnings "! warning". Jobs started here are driven by this nodevac: when it quits, another nodevac adopts them once the lease expires.',
      width,
    ),
  );
  if (kiosk) lines.push(...paragraph('kiosk', 'Kiosk: q logs out. Read-only clusters refuse every action.', width));
  return lines;
}

export function HelpPage({ kiosk }: { kiosk: boolean }): ReactNode {
  const { body } = useLayout();
  return (
    <Box flexDirection="column">
      <Text bold>Help</Text>
      <ScrollView lines={helpLines(body.columns, kiosk)} rows={body.rows - 1} />
    </Box>
  );
}
