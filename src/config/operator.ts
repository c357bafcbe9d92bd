// Who is acting: attributed in nodevac's audit and in Ganeti's reason trail.
import { hostname, userInfo } from 'node:os';
import type { Config } from './schema.js';
import type { Operator } from '../jobs/types.js';

export function currentOperator(config: Pick<Config, 'operator'>, env: NodeJS.ProcessEnv = process.env): Operator {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = env.USER || env.LOGNAME || `uid${process.getuid?.() ?? '?'}`;
  }
  // SSH_CLIENT is "addr port localport"; SSH_CONNECTION "addr port localaddr localport".
  const ssh = (env.SSH_CLIENT || env.SSH_CONNECTION || '').split(' ')[0] || null;
  const mode = config.operator.from;
  const name = mode === 'fixed' && config.operator.name ? config.operator.name : user;
  return { name, user, from: mode === 'ssh' ? ssh : null, host: hostname() };
}

// How an operator is described lives with the rest of the shared text; the facade imports it from here.
export { describeOperator } from '../text/format.js';
