// herd's exit codes (a contract: scripts test them).
export const EXIT_OK = 0;
export const EXIT_AGENT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;
