// Crash-safe file primitives for the local store. A reader never sees a half-written file: content is
// written to a temp file in the same directory and fsynced before it gets its real name.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Temp files start with a dot; keys and sequence numbers never do, so listings can skip them. */
export const TEMP_PREFIX = '.tmp-';

export function isErrno(err: unknown, ...codes: string[]): err is NodeJS.ErrnoException {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

export async function writeTemp(dir: string, data: string): Promise<string> {
  const tmp = path.join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

/** Makes a new or replaced directory entry durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function removeQuietly(file: string): Promise<void> {
  await unlink(file).catch((err: unknown) => {
    if (!isErrno(err, 'ENOENT')) throw err;
  });
}

/** Replaces `file` atomically: readers see the old or the new content, never a mix. */
export async function writeAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = await writeTemp(dir, data);
  try {
    await rename(tmp, file);
  } catch (err) {
    await removeQuietly(tmp);
    throw err;
  }
  await syncDir(dir);
}

/** Creates `file` with `data` only if no such name exists yet. Returns false when it did. */
export async function createExclusive(file: string, data: string): Promise<boolean> {
  const tmp = await writeTemp(path.dirname(file), data);
  try {
    return await linkTemp(tmp, file);
  } finally {
    await removeQuietly(tmp);
  }
}

/**
 * Gives the (complete, fsynced) temp file the name `file` unless that name exists: link(2) never
 * replaces, so of several processes linking the same name exactly one succeeds. The temp name stays.
 */
export async function linkTemp(tmp: string, file: string): Promise<boolean> {
  try {
    await link(tmp, file);
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  }
  await syncDir(path.dirname(file));
  return true;
}

export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** Directory entries that are not temp files; [] when the directory does not exist. */
export async function listNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !n.startsWith(TEMP_PREFIX));
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
}

/** File name for a key: reversible, no slashes, never "." / ".." and never starting with a dot. */
export function keyToName(key: string): string {
  if (key === '') throw new Error('empty key');
  const name = encodeURIComponent(key).replace(/\./g, '%2E').replace(/\*/g, '%2A');
  if (name.length > 240) throw new Error(`key too long for a file name: ${key.slice(0, 60)}...`);
  return name;
}

export function nameToKey(name: string): string {
  return decodeURIComponent(name);
}
