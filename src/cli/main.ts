// nodevac's entry: run the command line, close what it opened, exit with its code.
import { once } from 'node:events';
import { Context, Interrupts } from './context.js';
import { runCli } from './program.js';

const interrupts = new Interrupts();
const ctx = new Context(interrupts);
interrupts.cleanup(() => ctx.close());
const code = await runCli(ctx, process.argv.slice(2));
await ctx.close();
if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
// Exit now: a keep-alive socket or timer left by a library must not keep the terminal.
process.exit(code);
