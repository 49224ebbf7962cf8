import { SymgradError } from '@symgrad/compiler';

/**
 * A data set that cannot be loaded or built: a missing file, arrays of the wrong length.
 * The message is one line that names the file or array and says what to change.
 */
export class DatasetError extends SymgradError {}
