// The layer rule of eslint.config.js: a wrong import between src/ folders fails the lint (and so `npm test`).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

async function lint(file: string, code: string): Promise<string[]> {
  // Without type information (the probe files do not exist): only the layer rule is asked about.
  const eslint = new ESLint({
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off' },
    },
  });
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rule', () => {
  it('refuses the planner importing the store, and the TUI importing the engine', async () => {
    expect(
      await lint(
        'src/plan/layer-probe.ts',
        "import type { Store } from '../store/types.js';\nexport type S = Store;\n",
      ),
    ).toEqual([expect.stringContaining('src/plan may not import src/store')]);
    expect(
      await lint('src/tui/layer-probe.ts', "import { runJob } from '../run/runner.js';\nexport const r = runJob;\n"),
    ).toEqual([expect.stringContaining('src/tui may not import src/run')]);
  });

  it('allows what the graph allows', async () => {
    expect(
      await lint('src/run/layer-probe.ts', "import type { Plan } from '../plan/types.js';\nexport type P = Plan;\n"),
    ).toEqual([]);
  });
});
