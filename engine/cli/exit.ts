/** Exit statuses: 0 nothing reached --fail-on; 1 some claim did; 2 usage, input, rule, data or output errors. */
export const EXIT = { ok: 0, claimsFailed: 1, error: 2 } as const;
