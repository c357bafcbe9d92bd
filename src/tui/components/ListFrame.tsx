// The frame every list screen shares: a title with where the cursor is, what stands above the list (banners),
// the filter being typed or kept, the column header and the windowed rows, and what stands below.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { Prompt, type PromptProps } from './Prompt.js';
import { HeaderRow, Row, type Laid } from './Table.js';
import { WindowedList } from './WindowedList.js';

export interface ListFilter {
  text: string;
  editing: boolean;
  prompt: PromptProps;
}

export interface ListFrameProps<T> {
  title: string;
  /** Dimmed after the title: position, filter, counts. */
  status: string;
  filter: ListFilter;
  laid: Laid<T>[];
  items: readonly T[];
  /** Rows the list may take. */
  rows: number;
  index: number;
  keyOf(item: T): string;
  empty?: string;
  above?: ReactNode;
  below?: ReactNode;
}

export function ListFrame<T>(props: ListFrameProps<T>): ReactNode {
  const { filter, laid } = props;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {props.title} <Text dimColor>{props.status}</Text>
      </Text>
      {props.above}
      {filter.editing ? (
        <Prompt {...filter.prompt} />
      ) : filter.text ? (
        <Text dimColor>filter: {filter.text}</Text>
      ) : null}
      <HeaderRow laid={laid} />
      <WindowedList
        items={props.items}
        rows={props.rows}
        index={props.index}
        keyOf={props.keyOf}
        empty={props.empty}
        renderRow={(item, _i, selected) => <Row laid={laid} item={item} selected={selected} />}
      />
      {props.below}
    </Box>
  );
}
