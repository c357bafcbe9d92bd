// The help screen: the help page, scrolled.
import type { ReactNode } from 'react';
import { HelpPage } from '../components/HelpPage.js';
import { hint, KEYS } from '../keymap.js';
import { useHints } from '../providers/keys.js';
import { useSession } from '../providers/session.js';

export function Help(): ReactNode {
  const { kiosk } = useSession();
  useHints([hint(KEYS.move)]);
  return <HelpPage kiosk={kiosk} />;
}
