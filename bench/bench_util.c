/* Benchmark timing: batches double until a batch takes a measurable time. */
#include "bench_util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_run(void (*fn)(void *), void *arg, double seconds, int rounds)
{
    double best = 1e30;
    for (int r = 0; r < rounds; r++) {
        uint64_t calls = 0, batch = 1;
        double start = bench_now(), elapsed;
        do {
            for (uint64_t i = 0; i < batch; i++) fn(arg);
            calls += batch;
            if (batch < (1u << 20)) batch *= 2;
            elapsed = bench_now() - start;
        } while (elapsed < seconds / rounds);
        double per = elapsed / (double)calls;
        if (per < best) best = per;
    }
    return best;
}

void bench_row(const char *name, double value, const char *unit, double bound, const char *bound_note)
{
    /* Three decimals for small figures (microseconds), one otherwise. */
    int prec = value < 10 ? 3 : 1, bprec = bound < 10 ? 3 : 1;
    /* The ratio is always speed relative to the bound: >1 is faster than the bound. */
    double ratio = (strcmp(unit, "us") == 0 || strcmp(unit, "KiB") == 0) ? bound / value : value / bound;
    if (bound > 0)
        printf("%-44s %12.*f %-8s bound %10.*f (%s)  ratio %.2f\n", name, prec, value, unit, bprec, bound,
               bound_note, ratio);
    else
        printf("%-44s %12.*f %-8s\n", name, prec, value, unit);
    fflush(stdout);
}
