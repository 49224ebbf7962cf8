import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a file so that a reader, or a run killed half-way, sees the old file or the whole
 * new one, never a part: the text goes to `<path>.tmp-<pid>` in the same directory, is
 * flushed to disk, then renamed over `path` (a rename within one file system is atomic).
 */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    const descriptor = openSync(temporary, 'w');
    try {
      writeSync(descriptor, text);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(dirname(path));
}

/** Makes the rename itself durable; some file systems refuse, which loses nothing but that. */
function syncDirectory(directory: string): void {
  try {
    const descriptor = openSync(directory, 'r');
    try {
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
  } catch {
    // Durability of the directory entry is best effort; the file itself is complete.
  }
}

/** `no such directory`, `permission denied`: the reason a read or write failed, for messages. */
export function ioReason(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory; check the path';
    case 'EACCES':
    case 'EPERM':
      return "permission denied; check the file's permissions";
    case 'EISDIR':
      return 'it is a directory; give the path of a file';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
