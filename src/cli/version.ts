// `nodevac --version`: the version alone on stdout (scripts read it), and for the person asking, on stderr,
// which Node runs nodevac and which configuration file it would use. Loaded only for --version.
import { ConfigError, findConfig } from '../config/find.js';
import type { Context, GlobalOptions } from './context.js';

export function printVersion(ctx: Context, globals: GlobalOptions, version: string): void {
  ctx.print(version);
  let where: string;
  try {
    const found = findConfig(globals.config, ctx.env);
    where = `${found.file} (found by ${found.source})`;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    where = err.message;
  }
  ctx.note(`nodevac ${version} on Node ${process.version} (${process.execPath})\nconfiguration: ${where}`);
}
