// The question an answer assumes when the user does not say: shared by commands, digests and the CLI.
export const DEFAULT_MODEL = 'llama-3.1-70b';
export const DEFAULT_INPUT = 1024;
export const DEFAULT_OUTPUT = 1024;
/** the batch "aggregate" figures are quoted at, unless fewer sequences fit */
export const TYPICAL_BATCH = 32;
