// Child of bench/tui.js: the real TUI (App from dist/tui, real Ink with the options runTui uses) on a fake
// terminal (argv[4], default 160x50), on the nodes screen of the cluster argv[2] ($NODEVAC_CONFIG names the
// simulator). Presses ↓ `presses` times, each time measuring from the keypress to the terminal write that
// shows the cursor's new position ("N of 5000"). Prints {loadMs, latencies, heapMB} as one JSON line.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';

// As bin/nodevac.js: React's production build unless NODE_ENV says otherwise, set before React loads.
process.env.NODE_ENV ??= 'production';
const { render } = await import('ink');
const { createElement } = await import('react');
const { createApp } = await import('../dist/app/index.js');
const { loadConfig } = await import('../dist/config/load.js');
const { App } = await import('../dist/tui/App.js');

const cluster = process.argv[2];
const presses = Number(process.argv[3] ?? 50);
const [termColumns, termRows] = (process.argv[4] ?? '160x50').split('x').map(Number);
const DOWN = '\u001B[B';

class FakeStdout extends EventEmitter {
  columns = termColumns;
  rows = termRows;
  isTTY = true;
  text = '';
  waiter = null;
  write(chunk) {
    this.text += String(chunk);
    if (this.waiter && this.waiter.test(this.text)) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(performance.now());
    }
    return true;
  }
  /** Resolves with the instant of the first write (from now on) after which the output matches `test`. */
  until(test, timeoutMs) {
    this.text = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs);
      this.waiter = {
        test,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
    });
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  queue = [];
  write(data) {
    this.queue.push(data);
    this.emit('readable');
  }
  read() {
    return this.queue.shift() ?? null;
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

const { config } = loadConfig(undefined, process.env);
// The simulator's configuration: power and ping go to its control endpoint (loaded here, as the facade did).
const drivers = config.simulator ? (await import('../dist/sim/drivers.js')).simDrivers(config.simulator) : undefined;
const app = await createApp({ config, drivers });
const stdout = new FakeStdout();
const stdin = new FakeStdin();
const t0 = performance.now();
const loaded = stdout.until((text) => /\b1 of 5000\b/.test(text), 60_000);
const ink = render(
  createElement(App, { app, kiosk: false, onQuit: () => undefined, initial: [{ name: 'nodes', cluster }] }),
  {
    stdout,
    stdin,
    stderr: new FakeStdout(),
    // runTui's options (src/tui/main.tsx).
    exitOnCtrlC: false,
    patchConsole: true,
  },
);
const loadMs = (await loaded) - t0;

const latencies = [];
for (let i = 1; i <= presses; i++) {
  // Spaced out: each keypress meets an idle renderer, not Ink's frame throttle.
  await new Promise((r) => setTimeout(r, 100));
  const frame = stdout.until((text) => text.includes(`${i + 1} of 5000`), 10_000);
  const sent = performance.now();
  stdin.write(DOWN);
  latencies.push((await frame) - sent);
}
const heapMB = process.memoryUsage().heapUsed / 1024 / 1024;
ink.unmount();
await app.close();
process.stdout.write(`${JSON.stringify({ loadMs, latencies, heapMB })}\n`);
process.exit(0);
