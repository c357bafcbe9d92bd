// A read-only page of one-line items scrolled with the list keys; only the visible lines are rendered.
import { Box, Text } from 'ink';
import { useEffect, useState, type ReactNode } from 'react';
import { useKeys } from '../providers/keys.js';
import { moveIndex } from '../hooks/useSelection.js';

export interface Line {
  key: string;
  /** Must fit one terminal line: use <Text wrap="truncate">. */
  node: ReactNode;
}

export function ScrollView({
  lines,
  rows,
  active = true,
  focus,
}: {
  lines: readonly Line[];
  rows: number;
  active?: boolean;
  /** A line brought into view when it changes (a cursor moved); scrolling on from there stays free. */
  focus?: number;
}): ReactNode {
  const [top, setTop] = useState(0);
  const visible = Math.max(1, rows);
  const more = lines.length > visible;
  // With more lines than fit, the last row says where we are.
  const content = more ? Math.max(1, visible - 1) : visible;
  const maxTop = Math.max(0, lines.length - content);
  const start = Math.min(top, maxTop);
  useEffect(() => {
    if (focus === undefined || focus < 0) return;
    setTop((t) => {
      const from = Math.min(t, maxTop);
      return focus < from ? focus : focus >= from + content ? focus - content + 1 : t;
    });
    // Only a moved focus scrolls: a refresh or a resize does not pull the page back.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus]);
  useKeys(
    (input, key) => {
      // The cursor of a page is its top line; g/G and PgUp/PgDn jump like in lists.
      const to = moveIndex(input, key, start, maxTop + 1, content);
      if (to === null) return false;
      setTop(to);
      return true;
    },
    { active },
  );
  const shown = lines.slice(start, start + content);
  return (
    <Box flexDirection="column">
      {shown.map((l) => (
        <Box key={l.key}>{l.node}</Box>
      ))}
      {more ? (
        <Text dimColor wrap="truncate">
          {`-- lines ${start + 1}-${start + shown.length} of ${lines.length}${start + shown.length < lines.length ? ', ↓ for more' : ''} --`}
        </Text>
      ) : null}
    </Box>
  );
}
