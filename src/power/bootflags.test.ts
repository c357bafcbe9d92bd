import { describe, expect, it } from 'vitest';
import { bootOverride, parseBootFlags } from './bootflags.js';

// What ipmitool 1.8.19 printed against the lab's BMCs (OpenIPMI ipmi_sim), and the valid-flag forms a real BMC
// keeps after `chassis bootdev pxe` (the simulated BMC drops the valid bit).
const output = (data: string, flag: string, device: string): string => `Boot parameter version: 1
Boot parameter 5 is valid/unlocked
Boot parameter data: ${data}
 Boot Flags :
   - ${flag}
   - Options apply to only next boot
   - BIOS PC Compatible (legacy) boot 
   - Boot Device Selector : ${device}
   - BIOS verbosity : System Default
`;

describe('boot flags', () => {
  it('reads the lab BMC as it starts: force disk, flag invalid: nothing overridden', () => {
    const flags = parseBootFlags(output('0008000000', 'Boot Flag Invalid', 'Force Boot from default Hard-Drive'))!;
    expect(flags).toMatchObject({ valid: false, device: 2, data: '0008000000' });
    expect(bootOverride(flags)).toBeUndefined();
  });

  it('names a valid forced PXE boot, next boot or persistent', () => {
    expect(bootOverride(parseBootFlags(output('8004000000', 'Boot Flag Valid', 'Force PXE'))!)).toBe(
      'Force PXE (next boot; boot parameter data 8004000000)',
    );
    expect(bootOverride(parseBootFlags(output('C014000000', 'Boot Flag Valid', 'Force Boot from CD/DVD'))!)).toBe(
      'Force Boot from CD/DVD (every boot; boot parameter data c014000000)',
    );
  });

  it("accepts spicerack's safe values and a valid forced disk boot", () => {
    for (const data of ['0000000000', '8000020000', '8008000000'])
      expect(bootOverride(parseBootFlags(`Boot parameter data: ${data}\n`)!)).toBeUndefined();
  });

  it('flags a CMOS clear, and answers undefined for output without the data line', () => {
    expect(bootOverride(parseBootFlags('Boot parameter data: 8080000000\n')!)).toMatch(/^clear CMOS/);
    expect(parseBootFlags('Error: Unable to establish IPMI v2 / RMCP+ session\n')).toBeUndefined();
  });
});
