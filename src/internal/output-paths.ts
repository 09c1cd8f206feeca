import * as fs from 'node:fs';
import * as path from 'node:path';
import { IConstruct } from 'constructs';
import { ValidationError, show } from './errors';

/** Kernel pseudo-filesystems: writing there is never an output folder, and some files block forever. */
const PSEUDO_FS = ['/proc', '/sys', '/dev'];

/**
 * Throws unless `dir` can hold output files: not under a pseudo-filesystem (a `/proc/...` folder hangs a write),
 * no existing file where a folder is needed (`ENOTDIR`), and the nearest existing folder writable. Checked before
 * anything is written, so a bad folder fails the synth with nothing on disk.
 */
export function requireWritableDir(scope: IConstruct | string, prop: string, dir: string): void {
  if (typeof dir !== 'string' || dir === '') throw new ValidationError(scope, prop, `got ${show(dir)}; expected a folder path`);
  const abs = path.resolve(dir);
  let existing = abs;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const real = fs.existsSync(existing) ? fs.realpathSync(existing) : existing;
  const resolved = path.join(real, path.relative(existing, abs));
  const pseudo = PSEUDO_FS.find((p) => resolved === p || resolved.startsWith(`${p}/`));
  if (pseudo) {
    throw new ValidationError(scope, prop, `got ${show(dir)}; expected a folder on a real filesystem, not under ${pseudo} (a kernel ` +
      'pseudo-filesystem, where writes fail or block)');
  }
  if (!fs.statSync(existing).isDirectory()) {
    throw new ValidationError(scope, prop, `got ${show(dir)}; expected a folder path, but ${show(existing)} is a file`);
  }
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch {
    throw new ValidationError(scope, prop, `got ${show(dir)}; expected a folder we may write to (${show(existing)} is not writable)`);
  }
}
