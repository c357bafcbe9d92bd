// Questions on the terminal: typed answers on stderr/stdin; Escape, Ctrl-C and Ctrl-D cancel.
import { createInterface, type Key } from 'node:readline';

/** The trimmed answer, or null when cancelled. */
export function ask(question: string): Promise<string | null> {
  const input = process.stdin;
  const output = process.stderr;
  // terminal: true makes readline decode keypresses on input, Escape included.
  const rl = createInterface({ input, output, terminal: true });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: string | null) => {
      if (settled) return;
      settled = true;
      input.off('keypress', onKey);
      if (answer === null) output.write('\n');
      rl.close();
      resolve(answer);
    };
    const onKey = (_text: string | undefined, key: Key | undefined) => {
      if (key?.name === 'escape') finish(null);
    };
    input.on('keypress', onKey);
    rl.on('SIGINT', () => finish(null));
    rl.on('close', () => finish(null));
    rl.question(question, (answer) => finish(answer.trim()));
  });
}
