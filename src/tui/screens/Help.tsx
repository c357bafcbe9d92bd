// Keys and views, in one page.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { blank, paragraph, TextLine } from '../components/Lines.js';
import { ScrollView, type Line } from '../components/ScrollView.js';
import { useHints, useTui } from '../context.js';

const SECTIONS: [string, [string, string][]][] = [
  [
    'Everywhere',
    [
      ['↑ ↓  j k', 'move (PgUp PgDn, g G: first, last)'],
      ['enter', 'open the selected line'],
      ['esc  backspace', 'back (esc first clears a filter)'],
      ['/', 'filter the list as you type (enter keeps it, esc drops it)'],
      [':', 'go to a view: clusters, nodes [cluster], jobs, audit, help'],
      ['r', 'refresh now (every view also refreshes by itself)'],
      ['?', 'this help'],
      ['q  ctrl-c', 'quit (asks first while jobs started here are running)'],
    ],
  ],
  [
    'Nodes and node',
    [
      ['e', 'evacuate: drain, move every instance away, offline (power off optional)'],
      ['p', 'power off an evacuated, offline node'],
      ['o', 'power on and return the node to service'],
      ['b', 'return the node to service (it is already on)'],
      ['w', 'watch the job working on the node'],
      ['a', 'audit trail of the node (node view)'],
    ],
  ],
  [
    'Plan',
    [
      ['p f s a', 'toggle power off, full evacuation, shut down non-mirrored, allow failover'],
      ['m', 'toggle migrating moved instances back (return)'],
      ['enter', 'start: type the node name to confirm, esc cancels'],
    ],
  ],
  [
    'Job and jobs',
    [
      ['c', 'cancel: nothing new is submitted, queued Ganeti jobs are cancelled'],
      ['t', 'retry a failed or cancelled job from the step where it stopped'],
      ['esc', 'leave the job view: the job goes on'],
    ],
  ],
];

export function helpLines(width: number, kiosk: boolean): Line[] {
  const lines: Line[] = [];
  for (const [title, keys] of SECTIONS) {
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

export function Help(): ReactNode {
  const { body, kiosk } = useTui();
  useHints([{ key: '↑↓', label: 'scroll' }]);
  return (
    <Box flexDirection="column">
      <Text bold>Help</Text>
      <ScrollView lines={helpLines(body.columns, kiosk)} rows={body.rows - 1} />
    </Box>
  );
}
