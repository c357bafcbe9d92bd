// The BMC's boot flags (IPMI v2.0 boot option parameter 5, `ipmitool chassis bootparam get 5`): a forced boot device
// left from an earlier job (PXE, CD, BIOS setup) would reinstall or misboot a node that nodevac powers on.
// Wikimedia's spicerack refuses the same (spicerack/ipmi.py check_bootparams).

export interface BootFlags {
  /** The five data bytes as ipmitool prints them, e.g. "8004000000". */
  data: string;
  /** Data 1 bit 7: the BIOS honours the flags at the next boot. */
  valid: boolean;
  /** Data 1 bit 6: every boot, not only the next one. */
  persistent: boolean;
  /** Data 2 bits 5:2. */
  device: number;
  /** ipmitool's words for the device ("Force PXE"). */
  deviceText: string;
  /** Data 2 bit 7: the BIOS would clear its CMOS. */
  clearCmos: boolean;
}

/** The flags of a BMC with nothing set: the node boots as its BIOS is configured. */
export const NO_BOOT_OVERRIDE: BootFlags = {
  data: '0000000000',
  valid: false,
  persistent: false,
  device: 0,
  deviceText: 'No override',
  clearCmos: false,
};

/** Device selectors that boot the node's own disk as usual: none, and "force boot from default hard drive". */
const HARMLESS_DEVICES = new Set([0x0, 0x2]);

const DEVICE_NAMES: Record<number, string> = {
  0x0: 'No override',
  0x1: 'Force PXE',
  0x2: 'Force Boot from default Hard-Drive',
  0x3: 'Force Boot from default Hard-Drive, request Safe-Mode',
  0x4: 'Force Boot from Diagnostic Partition',
  0x5: 'Force Boot from CD/DVD',
  0x6: 'Force Boot into BIOS Setup',
  0x7: 'Force Boot from remotely connected Floppy/primary removable media',
  0x8: 'Force Boot from remotely connected CD/DVD',
  0x9: 'Force Boot from primary remote media',
  0xb: 'Force Boot from remotely connected Hard-Drive',
  0xf: 'Force Boot from Floppy/primary removable media',
};

/** Reads `ipmitool chassis bootparam get 5` output; undefined when it holds no parameter data line. */
export function parseBootFlags(output: string): BootFlags | undefined {
  const hex = /^Boot parameter data: ([0-9a-fA-F]{10})\s*$/m.exec(output)?.[1];
  if (hex === undefined) return undefined;
  const byte = (i: number): number => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const device = (byte(1) >> 2) & 0xf;
  const printed = /Boot Device Selector : (.+?)\s*$/m.exec(output)?.[1];
  return {
    data: hex.toLowerCase(),
    valid: (byte(0) & 0x80) !== 0,
    persistent: (byte(0) & 0x40) !== 0,
    device,
    deviceText: printed ?? DEVICE_NAMES[device] ?? `device selector ${device}`,
    clearCmos: (byte(1) & 0x80) !== 0,
  };
}

/** What the next power-on would do differently from booting the node's own disk; undefined when nothing. */
export function bootOverride(flags: BootFlags): string | undefined {
  if (!flags.valid) return undefined;
  const problems: string[] = [];
  if (!HARMLESS_DEVICES.has(flags.device)) problems.push(flags.deviceText);
  if (flags.clearCmos) problems.push('clear CMOS');
  if (problems.length === 0) return undefined;
  return `${problems.join(', ')} (${flags.persistent ? 'every boot' : 'next boot'}; boot parameter data ${flags.data})`;
}
