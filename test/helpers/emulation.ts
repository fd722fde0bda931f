// Emulated test runs (scripts/test-packed.mjs sets HTTPUV_TEST_EMULATED, e.g. "qemu-arm64", when
// the tiers run under qemu-user). Emulation makes everything 5-20x slower, so a test whose
// assertion is a wall-clock bound (not an outcome) skips there, with its reason in the TAP output.
// Runs on the test's JS thread.

/** The emulator the suite runs under ("qemu-arm64"), or undefined on native hardware. */
export const emulated: string | undefined = process.env.HTTPUV_TEST_EMULATED || undefined;

/** test() options: `{ skip: reason }` under emulation, `{}` on native hardware. */
export function skipUnderEmulation(reason: string): { skip?: string } {
  return emulated ? { skip: `wall-clock bound, skipped under ${emulated}: ${reason}` } : {};
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
