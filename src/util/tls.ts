// TLS trust for RAPI and simulator connections: a CA file, a pinned sha256 fingerprint, or explicitly insecure.
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

export type TlsTrust = { ca: string } | { fingerprint: string } | { insecure: true } | { system: true };

/** Normalises "sha256:ab:cd…", "AB:CD…" or "abcd…" to "AB:CD:…" (64 hex digits). */
export function normaliseFingerprint(text: string): string {
  const hex = text
    .replace(/^sha256:/i, '')
    .replace(/[:\s]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new Error(`not a sha256 fingerprint: ${JSON.stringify(text)}`);
  return hex.match(/../g)!.join(':');
}

export class TlsPinError extends Error {
  override readonly name = 'TlsPinError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`certificate fingerprint sha256:${actual} does not match the pinned sha256:${expected}`);
  }
}

/**
 * An agent that accepts exactly one certificate, by its sha256 fingerprint. The handshake is checked
 * before the socket is handed to HTTP, so nothing (no credentials) is sent to an unexpected server.
 */
export class PinnedAgent extends https.Agent {
  readonly fingerprint: string;
  constructor(fingerprint: string, options: https.AgentOptions = {}) {
    super({ ...options, keepAlive: false });
    this.fingerprint = normaliseFingerprint(fingerprint);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | undefined {
    const socket = tls.connect({ ...(options as tls.ConnectionOptions), rejectUnauthorized: false });
    const done = callback ?? (() => undefined);
    const onError = (err: Error) => done(err, socket);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const actual = socket.getPeerCertificate().fingerprint256 ?? '';
      if (actual.toUpperCase() !== this.fingerprint) {
        socket.destroy();
        done(new TlsPinError(this.fingerprint, actual.toUpperCase()), socket);
        return;
      }
      done(null, socket);
    });
    return undefined;
  }
}

/** sha256 fingerprint of a PEM certificate, "AB:CD:…". */
export function pemFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** The https agent for a trust choice: pinned, explicitly insecure, or Node's default checks (CA or system). */
export function trustAgent(trust: TlsTrust): https.Agent {
  if ('fingerprint' in trust) return new PinnedAgent(trust.fingerprint);
  if ('insecure' in trust) return new https.Agent({ keepAlive: false, rejectUnauthorized: false });
  return new https.Agent({ keepAlive: false });
}

/** The pin mismatch behind an error, when got wrapped one (it sits a few causes deep). */
export function pinErrorIn(err: unknown): TlsPinError | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof TlsPinError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
