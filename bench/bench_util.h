/* Timing helpers for the benchmarks: run a body until a time budget is used, best of N rounds. */
#ifndef ETHP2P_BENCH_UTIL_H
#define ETHP2P_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/** Monotonic time in seconds. */
double bench_now(void);

/**
 * Calls fn(arg) in batches until `seconds` have passed, `rounds` times; returns
 * the best (lowest) seconds per call.
 */
double bench_run(void (*fn)(void *), void *arg, double seconds, int rounds);

/**
 * Prints one result row: name, figure, unit, and the bound with the ratio (bound may be 0).
 * The ratio is how much better than the bound: value/bound, or bound/value for "us" and "KiB".
 * With ETHP2P_BENCH_JSON set, the row is also appended to that file as a JSON line
 * ({name, value, unit, bound, ratio, bound_note}; bound and ratio null without a bound).
 */
void bench_row(const char *name, double value, const char *unit, double bound, const char *bound_note);

/** Seconds per Keccak-256 of len bytes, per recoverable signature, per key recovery (best of 3 runs of `seconds`). */
double bench_keccak_seconds(size_t len, double seconds);
double bench_sign_seconds(double seconds);
double bench_recover_seconds(double seconds);

#endif
