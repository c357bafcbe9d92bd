// A failure shown in place: what went wrong and what to do, marked in words as well as in red.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTui } from '../context.js';
import { wrapText, type ErrorView } from '../format.js';

function parts(error: ErrorView, width: number, title?: string): { head: string[]; hint: string[] } {
  return {
    head: wrapText(`✗ ${title ? `${title}: ` : ''}${error.message}`, width),
    hint: error.hint ? wrapText(`→ ${error.hint}`, width - 2).map((l) => `  ${l}`) : [],
  };
}

/** The banner's lines at a width: screens count them to leave room. */
export function bannerLines(error: ErrorView, width: number, title?: string): string[] {
  const p = parts(error, width, title);
  return [...p.head, ...p.hint];
}

export function Banner({ error, title }: { error: ErrorView; title?: string }): ReactNode {
  const { body, color } = useTui();
  const p = parts(error, body.columns, title);
  return (
    <Box flexDirection="column">
      {p.head.map((line, i) => (
        <Text key={`h${i}`} color={color('red')} bold>
          {line}
        </Text>
      ))}
      {p.hint.map((line, i) => (
        <Text key={`t${i}`} color={color('yellow')}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
