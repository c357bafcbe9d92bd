// Self-signed certificates for the simulator's HTTPS listeners: EC P-256 (fast to make), valid from an hour ago
// for five years.
import selfsigned from 'selfsigned';

/** A certificate for `commonName`; `ip` adds it as a subjectAltName (clients that check the address need one). */
export async function selfSignedCertificate(commonName: string, ip?: string): Promise<{ cert: string; key: string }> {
  const now = new Date();
  const pems = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 3600_000),
    notAfterDate: new Date(now.getTime() + 5 * 365 * 86400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      ...(ip === undefined ? [] : [{ name: 'subjectAltName' as const, altNames: [{ type: 7 as const, ip }] }]),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
