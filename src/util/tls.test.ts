import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { PinnedAgent, TlsPinError, normaliseFingerprint, pemFingerprint } from './tls.js';

const HEX = 'ee0a' + '0123456789abcdef'.repeat(3) + '0123456789ab';
const NORMAL = HEX.toUpperCase().match(/../g)!.join(':');

describe('normaliseFingerprint', () => {
  it.each([
    ['sha256:' + NORMAL, 'sha256: prefix, colons'],
    [NORMAL.toLowerCase(), 'lower case, colons'],
    [HEX, 'bare hex'],
    ['SHA256:' + HEX.toUpperCase(), 'upper-case prefix'],
    [NORMAL.replace(/:/g, ' '), 'spaces'],
  ])('%s (%s)', (text) => {
    expect(normaliseFingerprint(text)).toBe(NORMAL);
  });

  it.each(['', 'sha256:', 'AB:CD', HEX.slice(2), HEX + 'ab', HEX.slice(1) + 'g', 'sha1:' + HEX])(
    'refuses %j',
    (text) => {
      expect(() => normaliseFingerprint(text)).toThrow(/not a sha256 fingerprint/);
    },
  );
});

describe('PinnedAgent', () => {
  let server: https.Server;
  let port: number;
  let cert: string;
  let received = 0;

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'ganeti.example.com' }], {
      keySize: 2048,
      algorithm: 'sha256',
    });
    cert = pems.cert;
    server = https.createServer({ key: pems.private, cert }, (_req, res) => {
      received++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function get(agent: https.Agent): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.get(
        { host: '127.0.0.1', port, path: '/secret', agent, headers: { authorization: 'Basic c2VjcmV0' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
    });
  }

  it("pemFingerprint is the certificate's sha256 fingerprint", () => {
    expect(pemFingerprint(cert)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('talks to the server whose certificate has the pinned fingerprint (self-signed, no CA)', async () => {
    const agent = new PinnedAgent(`sha256:${pemFingerprint(cert).toLowerCase()}`);
    expect(agent.fingerprint).toBe(pemFingerprint(cert));
    expect(await get(agent)).toBe('ok');
    agent.destroy();
  });

  it('refuses any other certificate before a request is sent', async () => {
    const before = received;
    const agent = new PinnedAgent('AB:'.repeat(31) + 'CD');
    const err = await get(agent).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsPinError);
    expect((err as TlsPinError).actual).toBe(pemFingerprint(cert));
    expect((err as TlsPinError).message).toContain(`sha256:${pemFingerprint(cert)}`);
    expect(received).toBe(before);
    agent.destroy();
  });

  it('refuses a malformed pin at construction', () => {
    expect(() => new PinnedAgent('not-a-fingerprint')).toThrow(/not a sha256 fingerprint/);
  });
});
