// Exit codes are a public contract (README, `nodevac --help`): scripts branch on them.
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  refused: 3,
  locked: 4,
  deadline: 5,
  interrupted: 130,
} as const;

export const EXIT_HELP = `Exit codes:
  0    done
  1    failed (the job failed, a cluster or the store could not be reached)
  2    usage or configuration error (unknown or ambiguous node, bad option, invalid configuration)
  3    refused by preflight: the plan has blockers (\`plan\` exits 3 when its plan has blockers)
  4    the node is locked by someone else's job
  5    the job's deadline passed (--deadline)
  130  interrupted (Ctrl-C, or the confirmation was cancelled)`;

/** A failure the CLI explains itself: a message and what to do, never a stack. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
    /** What to do about it, one hint per line. */
    readonly hints: string[] = [],
  ) {
    super(message);
  }
}

export function usageError(message: string, ...hints: string[]): CliError {
  return new CliError(message, EXIT.usage, hints);
}
