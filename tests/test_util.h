/* Helpers shared by the unit tests: vectors, hex, a seeded PRNG, subprocesses. */
#ifndef ETHP2P_TEST_UTIL_H
#define ETHP2P_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

/**
 * Loads tests/data/<relpath> as JSON; fails the test if it cannot. A file with
 * integers beyond int64 loads with all numbers as reals (see tu_u64).
 */
json_t *tu_load_json(const char *relpath);
/** Decodes hex (optional 0x) into a malloc'd buffer; fails the test on bad hex. */
uint8_t *tu_hex(const char *hex, size_t *len);
/** Decodes hex that must be exactly n bytes into out. */
void tu_hex_fixed(const char *hex, uint8_t *out, size_t n);
/** Unsigned integer member (integer or real; reals of 2^64 and above give UINT64_MAX). */
uint64_t tu_u64(const json_t *obj, const char *key);
/** String member of a JSON object, failing the test if absent. */
const char *tu_str(const json_t *obj, const char *key);

/**
 * A cmocka group fixture holding one vector file: pass TU_VECTORS_FIXTURE(path)'s
 * setup/teardown to cmocka_run_group_tests and read tu_vectors in the tests.
 */
extern json_t *tu_vectors;
#define TU_VECTORS_FIXTURE(relpath)                                          \
    static int tu_vectors_setup(void **state)                                \
    {                                                                        \
        (void)state;                                                         \
        tu_vectors = tu_load_json(relpath);                                  \
        return 0;                                                            \
    }                                                                        \
    static int tu_vectors_teardown(void **state)                             \
    {                                                                        \
        (void)state;                                                         \
        json_decref(tu_vectors);                                             \
        return 0;                                                            \
    }

/** Decodes the hex string at obj[section][name] into n bytes (section may be NULL). */
void tu_vec_hex(const char *section, const char *name, uint8_t *out, size_t n);

/** splitmix64: a small deterministic PRNG for property tests with fixed seeds. */
typedef struct tu_rng { uint64_t s; } tu_rng;
uint64_t tu_rand(tu_rng *r);
/** Uniform in [0, n). */
uint64_t tu_rand_below(tu_rng *r, uint64_t n);
void tu_rand_bytes(tu_rng *r, uint8_t *out, size_t n);

/**
 * Runs the CLI with args (NULL-terminated), capturing stdout and stderr into
 * malloc'd strings (may be NULL to discard). Returns the exit status.
 */
int tu_run_cli(char **out, char **err, const char *arg0, ...);

#endif
