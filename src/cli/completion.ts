// Shell completion through @bomb.sh/tab: `nodevac completion bash|zsh|fish` prints the shell's script, which
// asks `nodevac complete -- <words>` at each Tab. The answers come from the commander program itself (commands,
// options, choices) and from the configuration: cluster names, and node names read from the clusters at most
// once per CACHE_SECONDS (kept in ~/.cache/nodevac), so a Tab does not wait on every RAPI each time.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RootCommand, script, type Command as TabCommand, type Complete } from '@bomb.sh/tab';
import type { Command } from 'commander';
import type { Context, GlobalOptions } from './context.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** How long node names read from the clusters are offered before they are read again. */
export const CACHE_SECONDS = 300;
/** A Tab that has to ask the clusters gives up after this and offers what it has. */
const FETCH_MS = 4000;

export function printScript(shell: string): void {
  script(shell, 'nodevac', 'nodevac');
}

interface Names {
  clusters: string[];
  nodes: string[];
}

interface CacheFile {
  at: number;
  config: string;
  nodes: string[];
}

function cacheFile(env: NodeJS.ProcessEnv, config: string): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  const key = createHash('sha256').update(config).digest('hex').slice(0, 16);
  return join(base, 'nodevac', `completion-${key}.json`);
}

function readCache(file: string, config: string): CacheFile | undefined {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    return c.config === config && Array.isArray(c.nodes) && typeof c.at === 'number' ? c : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, content: CacheFile): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(content), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // No cache (a read-only home): the next Tab asks the clusters again.
  }
}

/** Cluster names from the configuration; node names from the cache, or from the clusters when it is stale. */
async function names(ctx: Context, globals: GlobalOptions): Promise<Names> {
  let loaded;
  try {
    loaded = await ctx.config(globals);
  } catch {
    return { clusters: [], nodes: [] }; // no usable configuration: commands and options only
  }
  const clusters = loaded.config.clusters.map((c) => c.name);
  const file = ctx.demo ? undefined : cacheFile(ctx.env, loaded.file);
  const cached = file ? readCache(file, loaded.file) : undefined;
  if (cached && Date.now() - cached.at < CACHE_SECONDS * 1000) return { clusters, nodes: cached.nodes };
  let timer: NodeJS.Timeout | undefined;
  const fresh = await Promise.race([
    (async () => {
      const app = await ctx.app(globals);
      return (await app.listNodes(undefined, { onClusterError: () => undefined })).map((n) => n.name);
    })().catch(() => undefined),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), FETCH_MS))),
  ]);
  clearTimeout(timer);
  if (!fresh) return { clusters, nodes: cached?.nodes ?? [] };
  if (file) writeCache(file, { at: Date.now(), config: loaded.file, nodes: fresh });
  return { clusters, nodes: fresh };
}

/** `--config FILE` or `--config=FILE` among the words typed so far. */
function configIn(words: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('--config=')) return w.slice('--config='.length);
    if (w === '--config' && i + 1 < words.length - 1) return words[i + 1];
  }
  return undefined;
}

const offer =
  (values: string[]) =>
  (complete: Complete): void => {
    for (const v of values) complete(v, '');
  };

/** The values an option or argument takes, by its name. */
function valuesFor(name: string, choices: readonly string[] | undefined, n: Names): string[] {
  if (choices?.length) return [...choices];
  if (name === 'cluster') return n.clusters;
  if (name === 'node' || name === 'target') return n.nodes;
  if (name === 'shell') return [...SHELLS];
  return [];
}

/** Mirrors one commander command (its visible options and arguments) into the completion tree. */
function mirror(into: TabCommand, from: Command, n: Names): void {
  for (const o of from.createHelp().visibleOptions(from)) {
    const long = o.long?.slice(2);
    if (!long) continue;
    const short = o.short?.slice(1);
    if (o.required || o.optional) into.option(long, o.description, offer(valuesFor(long, o.argChoices, n)), short);
    else into.option(long, o.description, short);
  }
  for (const a of from.registeredArguments)
    into.argument(a.name(), offer(valuesFor(a.name(), a.argChoices, n)), a.variadic);
}

function walk(root: RootCommand, from: Command, path: string, n: Names): void {
  for (const sub of from.createHelp().visibleCommands(from)) {
    if (sub.name() === 'help') continue;
    const name = path ? `${path} ${sub.name()}` : sub.name();
    mirror(root.command(name, sub.description()), sub, n);
    walk(root, sub, name, n);
  }
}

/** Answers one Tab: the words typed after `nodevac` (the last one being completed), one candidate per line. */
export async function complete(ctx: Context, globals: GlobalOptions, program: Command, words: string[]): Promise<void> {
  const n = await names(ctx, { ...globals, config: configIn(words) ?? globals.config });
  const root = new RootCommand();
  // Options belong to the command they follow, as commander parses them (enablePositionalOptions).
  root.optionLookupMode = 'local';
  mirror(root, program, n);
  walk(root, program, '', n);
  root.parse(words);
}
