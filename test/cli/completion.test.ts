// Shell completion as a shell uses it: the script `nodevac completion SHELL` prints, and the answers of
// `nodevac complete -- <words>` (what the script runs at each Tab), from the program and the configuration.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { build, cleanEnv, run, writeConfig, type Result } from './helpers.js';

let sim: Simulator;
let cfg: ReturnType<typeof writeConfig>;
let home: string;

beforeAll(async () => {
  build();
  sim = await startSimulator({ inventory: 'demo' });
  cfg = writeConfig(sim);
  home = mkdtempSync(path.join(tmpdir(), 'nodevac-completion-home-'));
});

afterAll(async () => {
  await sim?.close();
  for (const d of [cfg?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

const out = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** The candidates offered for the words typed so far (the last one is being completed). */
async function tab(...words: string[]): Promise<string[]> {
  const r = await run(['complete', '--', ...words], cleanEnv(home, { NODEVAC_CONFIG: cfg.file }));
  expect(r.code, out(r)).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  // The last line is the shell directive (":4": no file names).
  expect(lines.at(-1)).toMatch(/^:\d+$/);
  return lines.slice(0, -1).map((l) => l.split('\t')[0]!);
}

describe('nodevac completion', () => {
  it('prints a script for bash, zsh and fish that asks nodevac complete; refuses other shells', async () => {
    const env = cleanEnv(home);
    const bash = await run(['completion', 'bash'], env);
    expect(bash.code, out(bash)).toBe(0);
    expect(bash.stdout).toContain('nodevac complete --');
    expect(bash.stdout).toMatch(/complete .*-F __nodevac_complete nodevac/);
    const syntax = spawnSync('bash', ['-n'], { input: bash.stdout, encoding: 'utf8' });
    expect(syntax.status, syntax.stderr).toBe(0);
    const zsh = await run(['completion', 'zsh'], env);
    expect(zsh.stdout).toContain('#compdef nodevac');
    const fish = await run(['completion', 'fish'], env);
    expect(fish.stdout).toContain('complete -c nodevac');
    const tcsh = await run(['completion', 'tcsh'], env);
    expect(tcsh.code).toBe(2);
    expect(tcsh.stderr).toContain('Allowed choices are bash, zsh, fish');
  });

  it('completes commands, subcommands and options; the hidden complete command is not offered', async () => {
    const commands = await tab('');
    for (const c of ['evacuate', 'nodes', 'plan', 'worker', 'completion', 'config']) expect(commands).toContain(c);
    expect(commands).not.toContain('complete');
    expect(await tab('config', '')).toEqual(['check']);
    const options = await tab('evacuate', '--');
    for (const o of ['--poweroff', '--full', '--yes', '--json', '--cluster']) expect(options).toContain(o);
    expect(await tab('plan', '--for', '')).toEqual(['evacuate', 'poweroff', 'poweron', 'return', 'reboot', 'roll']);
    expect(await tab('completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('completes cluster names from the configuration and node names from the clusters, then from a cache', async () => {
    expect(await tab('nodes', '--cluster', '')).toEqual(['ams', 'fra']);
    expect(await tab('evacuate', 'node3')).toEqual(['node3.ams.example.org', 'node3.fra.example.org']);
    expect(await tab('evacuate', '--target', 'node4.f')).toEqual(['node4.fra.example.org']);

    // The names read are kept for a while: a fresh cache answers without asking the clusters.
    const dir = path.join(home, '.cache', 'nodevac');
    const [file] = readdirSync(dir).filter((f) => f.startsWith('completion-'));
    const cache = JSON.parse(readFileSync(path.join(dir, file!), 'utf8')) as { at: number; nodes: string[] };
    expect(cache.nodes).toContain('node3.fra.example.org');
    writeFileSync(path.join(dir, file!), JSON.stringify({ ...cache, nodes: ['node9.cached.example.org'] }));
    expect(await tab('poweron', 'node9')).toEqual(['node9.cached.example.org']);
    // An old one is read again from the clusters.
    writeFileSync(path.join(dir, file!), JSON.stringify({ ...cache, at: 0, nodes: ['node9.cached.example.org'] }));
    expect(await tab('poweron', 'node9')).toEqual([]);
    expect(await tab('poweron', 'node5.f')).toEqual(['node5.fra.example.org']);
  });

  it('without a configuration: commands and options still complete, and nothing is printed but candidates', async () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'nodevac-completion-bare-'));
    mkdirSync(path.join(bare, '.config'));
    try {
      const r = await run(['complete', '--', 'evacuate', ''], cleanEnv(bare));
      expect(r.code, out(r)).toBe(0);
      expect(r.stdout.trim()).toMatch(/^:\d+$/);
      expect(r.stderr).toBe('');
      const cmds = await run(['complete', '--', 'ev'], cleanEnv(bare));
      expect(cmds.stdout).toContain('evacuate\t');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
