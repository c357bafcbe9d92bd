// The transcript: finished steps and moves of the jobs watched, written once above the live screen with
// <Static> (they stay in the terminal's scrollback). One <Static> for the whole session, mounted with the App
// and never unmounted: Ink 6.8 keeps a dangling pointer to an unmounted <Static>'s layout node and later
// crashes on it (vadimdemedes/ink#904, #979).
import { Static, Text } from 'ink';
import type { ReactNode } from 'react';
import type { StepState } from '../../jobs/types.js';
import { useLayout, type ColorName } from '../providers/layout.js';
import { clock } from '../../text/format.js';
import type { FinishedItem } from '../jobWatch.js';

export interface TranscriptItem extends FinishedItem {
  job: string;
}

export const MARK: Record<StepState, string> = {
  pending: '·',
  running: '▶',
  done: '✓',
  failed: '✗',
  skipped: '–',
  cancelled: '⊘',
};
export const STATE_COLOR: Partial<Record<string, ColorName>> = {
  running: 'cyan',
  done: 'green',
  failed: 'red',
  cancelled: 'yellow',
  skipped: 'gray',
  succeeded: 'green',
};

function Line({ item }: { item: TranscriptItem }): ReactNode {
  const { color } = useLayout();
  const c = STATE_COLOR[item.state];
  return (
    <Text color={c ? color(c) : undefined}>
      {clock(item.time)} {item.job} {MARK[item.state]} {item.text}
    </Text>
  );
}

export function Transcript({ items }: { items: TranscriptItem[] }): ReactNode {
  return <Static items={items}>{(item) => <Line key={`${item.job}:${item.key}`} item={item} />}</Static>;
}
