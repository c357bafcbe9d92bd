// Every error ends here: a message and what to do on stderr, an exit code, never a stack trace
// (NODEVAC_DEBUG=1 adds it, for bug reports). Messages quote what the user typed and what Ganeti or a BMC
// said: on the terminal, control characters show as escapes and long values are cut.
import { NodeLockedError, NodeLookupError, PlanRefusedError } from '../app/types.js';
import { GanetiJobError, RapiError } from '../ganeti/errors.js';
import type { Blocker } from '../plan/types.js';
import { PowerError } from '../power/types.js';
import { StoreUnavailableError } from '../store/types.js';
import { safeText } from '../util/quote.js';
import type { Context } from './context.js';
import { CliError, EXIT } from './exit.js';
import type { Paint } from './style.js';

interface Explained {
  code: number;
  /** As the error has it (--json prints it, escaped by JSON); report() makes it safe for the terminal. */
  message: string;
  /** Lines for the terminal, already safe. */
  hints: string[];
  /** Not one of nodevac's own errors: a bug. */
  bug?: boolean;
}

export function blockerLines(blockers: Blocker[], paint: Paint): string[] {
  return blockers.flatMap((b) => [
    `${paint('red', '✗')} ${safeText(b.message)}`,
    `    ${paint('dim', '→')} ${safeText(b.fix)}`,
  ]);
}

/** A hint that may span lines (ipmitool's output): one safe line each, the following ones indented, at most 20. */
function safeLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(0, 20)
    .map((l, i) => safeText(i === 0 ? l : `  ${l}`, 500));
}

export function explain(err: unknown, paint: Paint): Explained {
  const e = explainRaw(err, paint);
  // Blocker lines are built safe (and painted); every other hint is made safe here.
  const hints = err instanceof PlanRefusedError ? e.hints : e.hints.flatMap((h) => safeLines(h));
  return { ...e, hints };
}

function explainRaw(err: unknown, paint: Paint): Explained {
  if (err instanceof CliError) return { code: err.exitCode, message: err.message, hints: err.hints };
  // ConfigError is matched by name: its module pulls in the schema, which --version must not load.
  if (err instanceof Error && err.name === 'ConfigError') {
    const problems = (err as Error & { problems?: unknown }).problems;
    return {
      code: EXIT.usage,
      message: err.message,
      hints: Array.isArray(problems) ? problems.map((p) => `- ${String(p)}`) : [],
    };
  }
  if (err instanceof NodeLookupError) {
    const hints: string[] = [];
    if (err.candidates.length) {
      hints.push('did you mean:', ...err.candidates.map((c) => `  ${c.name}  (cluster ${c.cluster})`));
      if (new Set(err.candidates.map((c) => c.cluster)).size > 1)
        hints.push('name the cluster with --cluster NAME, or type the full node name');
      else hints.push('type more of the name, or the full node name');
    } else if (/^no job /.test(err.message)) {
      hints.push('`nodevac jobs --all` lists the jobs');
    } else if (!/^no cluster /.test(err.message)) {
      hints.push('`nodevac nodes` lists the nodes of every configured cluster');
    }
    return { code: EXIT.usage, message: err.message, hints };
  }
  if (err instanceof NodeLockedError) {
    const h = err.holder;
    return {
      code: EXIT.locked,
      message: err.message,
      hints: [
        `\`nodevac job ${h.jobId}\` shows that job; wait for it to end or ask its owner`,
        'a lock whose holder died expires by itself and its job is then adopted',
      ],
    };
  }
  if (err instanceof PlanRefusedError) {
    return { code: EXIT.refused, message: err.message, hints: blockerLines(err.plan.blockers, paint) };
  }
  if (err instanceof RapiError || err instanceof PowerError || err instanceof StoreUnavailableError) {
    const hints = err.hint ? [err.hint] : [];
    if (err instanceof PowerError && err.output) hints.push(`ipmitool said: ${err.output.trim()}`);
    return { code: EXIT.failed, message: err.message, hints };
  }
  // Other faces' typed errors (the TUI's) carry their advice the same way.
  if (err instanceof Error && typeof (err as Error & { hint?: unknown }).hint === 'string') {
    return { code: EXIT.failed, message: err.message, hints: [(err as Error & { hint: string }).hint] };
  }
  if (err instanceof GanetiJobError)
    return { code: EXIT.failed, message: `${err.cluster}: Ganeti job ${err.jobId} failed: ${err.message}`, hints: [] };
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: EXIT.failed,
    message: `unexpected error: ${message}`,
    hints: [
      'this is a bug in nodevac: please report it with the command you ran (NODEVAC_DEBUG=1 shows where it happened)',
    ],
    bug: true,
  };
}

/** Prints the error on stderr and returns the exit code. */
export function report(err: unknown, ctx: Context): number {
  const e = explain(err, ctx.paintErr);
  ctx.note(`${ctx.paintErr('red', 'nodevac:')} ${safeText(e.message)}`);
  for (const h of e.hints) ctx.note(`  ${h}`);
  if (ctx.env.NODEVAC_DEBUG && err instanceof Error && err.stack)
    ctx.note(
      ctx.paintErr(
        'dim',
        err.stack
          .split('\n')
          .map((l) => safeText(l))
          .join('\n'),
      ),
    );
  return e.code;
}
