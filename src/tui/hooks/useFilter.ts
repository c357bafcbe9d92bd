// `/` filter of list screens: narrows as you type; Enter keeps it, Esc drops it.
import type { Key } from 'ink';
import { useState } from 'react';

export interface Filter {
  text: string;
  editing: boolean;
  /** Screen-level keys: `/` opens, Esc clears a kept filter. */
  handle(input: string, key: Key): boolean;
  /** Props for the <Prompt> while editing. */
  prompt: {
    label: string;
    value: string;
    onChange(v: string): void;
    onSubmit(): void;
    onCancel(): void;
    submitLabel: string;
  };
}

export function useFilter(): Filter {
  const [text, setText] = useState('');
  const [editing, setEditing] = useState(false);
  const handle = (input: string, key: Key): boolean => {
    if (input === '/') {
      setEditing(true);
      return true;
    }
    if (key.escape && text !== '') {
      setText('');
      return true;
    }
    return false;
  };
  return {
    text,
    editing,
    handle,
    prompt: {
      label: '/',
      value: text,
      onChange: setText,
      onSubmit: () => setEditing(false),
      onCancel: () => {
        setText('');
        setEditing(false);
      },
      submitLabel: 'keep filter',
    },
  };
}
