// One line of text input that takes every key while open: typed letters never reach the screen behind.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { hint, KEYS } from '../keymap.js';
import { PRIORITY, useHints, useKeys } from '../providers/keys.js';
import { useLayout } from '../providers/layout.js';
import { printable, wrapText } from '../format.js';

export interface PromptProps {
  label: string;
  value: string;
  onChange(value: string): void;
  onSubmit(value: string): void;
  onCancel(): void;
  /** Footer keys while the prompt is open. */
  submitLabel?: string;
  /** One of several fields: tab (↓) and shift-tab (↑) go to the next and previous one. */
  onField?(step: 1 | -1): void;
}

export function Prompt({ label, value, onChange, onSubmit, onCancel, submitLabel, onField }: PromptProps): ReactNode {
  useHints(
    [hint(KEYS.submit, submitLabel), ...(onField ? [hint(KEYS.field)] : []), hint(KEYS.dismiss)],
    PRIORITY.modal,
  );
  useKeys(
    (input, key) => {
      if (key.escape) onCancel();
      else if (key.return) onSubmit(value);
      else if (onField && ((key.tab && !key.shift) || key.downArrow)) onField(1);
      else if (onField && ((key.tab && key.shift) || key.upArrow)) onField(-1);
      else if (key.backspace || key.delete) onChange([...value].slice(0, -1).join(''));
      else if (
        !key.ctrl &&
        !key.meta &&
        !key.upArrow &&
        !key.downArrow &&
        !key.leftArrow &&
        !key.rightArrow &&
        !key.tab
      ) {
        const text = printable(input);
        if (text) onChange(value + text);
      }
      return true;
    },
    { priority: PRIORITY.modal },
  );
  return (
    <Text wrap="truncate-start">
      <Text bold>{label}</Text>
      {value}
      <Text inverse> </Text>
    </Text>
  );
}

export interface ConfirmProps {
  question: string;
  onYes(): void;
  onNo(): void;
  yesLabel?: string;
  noLabel?: string;
}

/** y confirms; n or Esc declines; other keys are swallowed so nothing happens behind the question. */
export function Confirm({ question, onYes, onNo, yesLabel, noLabel }: ConfirmProps): ReactNode {
  useHints([hint(KEYS.yes, yesLabel), hint(KEYS.no, noLabel)], PRIORITY.modal);
  useKeys(
    (input, key) => {
      if (input === 'y' || input === 'Y') onYes();
      else if (input === 'n' || input === 'N' || key.escape) onNo();
      return true;
    },
    { priority: PRIORITY.modal },
  );
  const { body } = useLayout();
  return (
    <Box flexDirection="column">
      {confirmLines(question, body.columns).map((line, i) => (
        <Text key={i} bold={i === 0}>
          {line}
        </Text>
      ))}
    </Box>
  );
}

/** The question as shown, one string a line: screens count them to leave room. */
export function confirmLines(question: string, width: number): string[] {
  return wrapText(`? ${question} [y/n]`, width);
}
