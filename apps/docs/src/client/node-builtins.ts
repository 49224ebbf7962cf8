/**
 * What the browser build gets for `node:fs` and `node:path`. The runtimes import them only in
 * their file helpers (weights files, checkpoints), which the site never calls; each stand-in
 * throws, naming what the browser lacks, if anything ever does.
 */
function unavailable(name: string): () => never {
  return () => {
    throw new Error(`${name} needs Node.js and is not available in the browser`);
  };
}

export const readFileSync = unavailable('fs.readFileSync');
export const openSync = unavailable('fs.openSync');
export const writeSync = unavailable('fs.writeSync');
export const fsyncSync = unavailable('fs.fsyncSync');
export const closeSync = unavailable('fs.closeSync');
export const renameSync = unavailable('fs.renameSync');
export const rmSync = unavailable('fs.rmSync');
export const dirname = unavailable('path.dirname');
