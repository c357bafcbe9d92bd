// Where the configuration file is: the lookup order, and ConfigError (exit code 2) for every configuration failure.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    /** One line per problem, each naming the path, what was expected and what was found. */
    readonly problems: string[] = [],
    readonly file?: string,
  ) {
    super(message);
  }
}

export interface Candidate {
  file: string;
  source: string;
}

/** Where the configuration is looked for, first found wins. */
export function candidates(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): Candidate[] {
  if (explicit) return [{ file: explicit, source: '--config' }];
  if (env.NODEVAC_CONFIG) return [{ file: env.NODEVAC_CONFIG, source: '$NODEVAC_CONFIG' }];
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return [
    { file: join(xdg, 'nodevac', 'config.json'), source: env.XDG_CONFIG_HOME ? '$XDG_CONFIG_HOME' : '~/.config' },
    { file: '/etc/nodevac/config.json', source: '/etc' },
  ];
}

export function findConfig(explicit?: string, env: NodeJS.ProcessEnv = process.env): Candidate {
  const list = candidates(explicit, env);
  for (const c of list) {
    if (exists(c.file)) return c;
    // An explicitly named file must exist: say so rather than fall through.
    if (c.source === '--config' || c.source === '$NODEVAC_CONFIG') {
      throw new ConfigError(`${c.file}: no such configuration file (named by ${c.source})`, [], c.file);
    }
  }
  throw new ConfigError(`no configuration file found; looked in ${list.map((c) => c.file).join(', ')}`, [
    'create one from config.example.json, or name it with --config FILE or $NODEVAC_CONFIG',
    'to try nodevac without a cluster: nodevac demo',
  ]);
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
