// Keys as the screens expect them: one at a time. A terminal delivers fast typing, key repeat or a paste as one
// chunk of text ("jjj", "node4\r"); Ink hands such a chunk over whole, so it is split here into single keys.
import type { Key } from 'ink';

export interface KeyPress {
  input: string;
  key: Key;
}

const NONE: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

function single(c: string): KeyPress | null {
  if (c === '\r' || c === '\n') return { input: '', key: { ...NONE, return: true } };
  if (c === '\t') return { input: '', key: { ...NONE, tab: true } };
  if (c === '\u007F') return { input: '', key: { ...NONE, delete: true } };
  if (c === '\b') return { input: '', key: { ...NONE, backspace: true } };
  // Ctrl-letter (Ctrl-C among them) as Ink reports it alone; the rest of the C0 range means nothing here.
  const code = c.charCodeAt(0);
  if (code >= 1 && code <= 26) return { input: String.fromCharCode(code + 96), key: { ...NONE, ctrl: true } };
  if (code < 32) return null;
  return { input: c, key: { ...NONE, shift: c !== c.toLowerCase() } };
}

/** One key press per character of a plain-text chunk; anything else (arrows, ctrl, escape sequences) as it came. */
export function splitInput(input: string, key: Key): KeyPress[] {
  if ([...input].length <= 1 || key.ctrl || key.meta || input.includes('\u001B')) return [{ input, key }];
  return [...input].map(single).filter((k): k is KeyPress => k !== null);
}
