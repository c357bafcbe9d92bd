// The child's side of test/helpers/child.ts: each message {id, op, ...args} from the test runs ops[op](message)
// and is answered {id, ok} or {id, error}; {ready: pid} tells the test the child listens.
export function serve(ops) {
  process.on('message', async (msg) => {
    try {
      process.send({ id: msg.id, ok: await ops[msg.op](msg) });
    } catch (err) {
      process.send({
        id: msg.id,
        error: { name: err?.name ?? 'Error', message: String(err?.message ?? err), stack: err?.stack },
      });
    }
  });
  process.send({ ready: process.pid });
}
