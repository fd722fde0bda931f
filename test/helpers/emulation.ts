// Emulated test runs: scripts/test-packed.mjs sets HTTPUV_TEST_EMULATED ("qemu-arm64") when the
// tiers run under qemu-user. Emulation makes everything 10-50x slower (the JIT's code is
// translated too, and the machine may be busy), so:
//   - waits for an outcome scale by TIME_SCALE (waitMs: pollUntil, withTimeout, the clients);
//   - a test whose subject is a timeout scales the timeouts it configures, its paces and the
//     bounds it asserts together (scaled), which keeps what it proves (the timeout fires, and not
//     before its time) at a slower speed;
//   - a heavy test runs fewer rounds (emulatedCount) when the count is load, not the subject;
//   - a test whose assertion is an absolute wall-clock bound that scaling would make meaningless
//     skips, with its reason in the TAP output (skipUnderEmulation).
// The Wine run sets HTTPUV_UNDER_EMULATION=wine instead (test/helpers/tools.ts underEmulation:
// Wine's skips, which are about Wine). Runs on the test's JS thread.

/** The emulator the suite runs under ("qemu-arm64"), or undefined on native hardware. */
export const emulated: string | undefined = process.env.HTTPUV_TEST_EMULATED || undefined;

/**
 * A `skip` value for test(): the reason under emulation, false on native hardware. Combine with
 * Wine's: `{ skip: underEmulation('…') || skipUnderEmulation('…') }`.
 */
export function skipUnderEmulation(reason: string): string | false {
  return emulated ? `wall-clock bound, skipped under ${emulated}: ${reason}` : false;
}

/** How much longer a wait may take here: 10 under emulation, 1 on native hardware. */
export const TIME_SCALE = emulated ? 10 : 1;

/**
 * A deadline for waiting on an outcome (not a bound the test asserts), scaled for emulation: the
 * waits of pollUntil, withTimeout and the clients use it, so a slow emulated run waits longer
 * instead of failing.
 */
export function waitMs(ms: number): number {
  return ms * TIME_SCALE;
}

/**
 * A time the test itself sets or asserts (a server timeout it configures, a client's pace, a
 * bound on when something happened), TIME_SCALE times longer under emulation. Use it for all of
 * a test's times together, so their ratios (and so the test's meaning) stay the same.
 */
export function scaled(ms: number): number {
  return ms * TIME_SCALE;
}

/** `full` on native hardware, `reduced` under emulation: for counts that are load, not subject. */
export function emulatedCount(full: number, reduced: number): number {
  return emulated ? reduced : full;
}
