// Its own module so `tidings --version` and `--help` need none of the config schema (zod).
export const VERSION = '0.1.0';
