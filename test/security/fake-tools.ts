// A fake ipmitool and a fake ping on PATH, for driving nodevac's real power path (IpmitoolDriver, PingReachability)
// against the simulator's Ganeti: each BMC keeps its power in a file, a node's address answers ping while its
// BMC says on, every ipmitool call is recorded, and each call can be held until the test has looked at /proc.
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readCalls, type FakeCall } from '../power/fake-ipmitool.js';

const IPMITOOL = `#!/bin/sh
# Fake ipmitool (nodevac security suites). Records each call (argv, and IPMI_PASSWORD as received), keeps the
# power of each BMC (-H) in state/<host>, and switches the fake ping of the address in addr/<host>.
here=$(dirname "$0")
{
  echo CALL
  for a in "$@"; do printf 'ARG %s\\n' "$a"; done
  if [ "\${IPMI_PASSWORD+set}" = set ]; then printf 'ENV %s\\n' "$IPMI_PASSWORD"; else echo NOENV; fi
} >>"$here/calls.log"
# Held: announce this call and wait (bounded) until the test lets it go.
if [ -d "$here/hold" ]; then
  touch "$here/hold/$$"
  i=0
  while [ ! -e "$here/hold/$$.go" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
fi
host='' action=''
while [ $# -gt 0 ]; do
  case "$1" in
    -H) host=$2; shift ;;
    -I|-C|-p|-U|-R|-N) shift ;;
    *) action=$1 ;;
  esac
  shift
done
[ -e "$here/state/$host" ] || { echo "Address lookup for $host failed" >&2; echo 'Error: Unable to establish IPMI v2 / RMCP+ session' >&2; exit 1; }
addr=$(cat "$here/addr/$host" 2>/dev/null)
case "$action" in
  status) echo "Chassis Power is $(cat "$here/state/$host")" ;;
  on) echo on >"$here/state/$host"; [ -n "$addr" ] && touch "$here/alive/$addr"; echo 'Chassis Power Control: Up/On' ;;
  off|soft)
    echo off >"$here/state/$host"; [ -n "$addr" ] && rm -f "$here/alive/$addr"
    if [ "$action" = soft ]; then echo 'Chassis Power Control: Soft'; else echo 'Chassis Power Control: Down/Off'; fi ;;
  *) echo "Invalid chassis power command: $action" >&2; exit 1 ;;
esac
`;

const PING = `#!/bin/sh
# Fake ping (nodevac security suites): the address (last argument) answers while alive/<address> exists.
for a in "$@"; do addr=$a; done
echo "PING $addr ($addr) 56(84) bytes of data."
if [ -e "$(dirname "$0")/alive/$addr" ]; then
  echo "64 bytes from $addr: icmp_seq=1 ttl=64 time=0.030 ms"
  echo
  echo "--- $addr ping statistics ---"
  echo "1 packets transmitted, 1 received, 0% packet loss, time 0ms"
  echo "rtt min/avg/max/mdev = 0.030/0.030/0.030/0.000 ms"
  exit 0
fi
echo
echo "--- $addr ping statistics ---"
echo "1 packets transmitted, 0 received, 100% packet loss, time 0ms"
exit 1
`;

export interface FakeTools {
  /** Put this first on PATH. */
  dir: string;
  /** A BMC with its power state and the address that answers ping while it is on. */
  addBmc(host: string, address: string, power: 'on' | 'off'): Promise<void>;
  power(host: string): Promise<string>;
  calls(): Promise<FakeCall[]>;
  /**
   * Holds every ipmitool call until `inspect` has run while the call is alive; returns a function that
   * stops holding and resolves with the number of calls inspected.
   */
  hold(inspect: (pid: number) => Promise<void>): () => Promise<number>;
  remove(): Promise<void>;
}

export async function installFakeTools(): Promise<FakeTools> {
  const dir = await mkdtemp(join(tmpdir(), 'nodevac-fake-tools-'));
  for (const sub of ['state', 'addr', 'alive']) await mkdir(join(dir, sub));
  await writeFile(join(dir, 'ipmitool'), IPMITOOL);
  await writeFile(join(dir, 'ping'), PING);
  await chmod(join(dir, 'ipmitool'), 0o755);
  await chmod(join(dir, 'ping'), 0o755);
  return {
    dir,
    async addBmc(host, address, power) {
      await writeFile(join(dir, 'state', host), `${power}\n`);
      await writeFile(join(dir, 'addr', host), address);
      if (power === 'on') await writeFile(join(dir, 'alive', address), '');
    },
    async power(host) {
      return (await readFile(join(dir, 'state', host), 'utf8')).trim();
    },
    calls: () => readCalls(dir),
    hold(inspect) {
      const holdDir = join(dir, 'hold');
      let running = true;
      let inspected = 0;
      const loop = (async () => {
        await mkdir(holdDir);
        const done = new Set<string>();
        while (running) {
          for (const name of await readdir(holdDir)) {
            if (name.endsWith('.go') || done.has(name)) continue;
            done.add(name);
            await inspect(Number(name));
            inspected++;
            await writeFile(join(holdDir, `${name}.go`), '');
          }
          await delay(5);
        }
        await rm(holdDir, { recursive: true, force: true });
      })();
      return async () => {
        running = false;
        await loop;
        return inspected;
      };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
