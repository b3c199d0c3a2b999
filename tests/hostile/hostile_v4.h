/* The discv4 attacks of tests/hostile (hostile_v4.c). */
#ifndef ETHP2P_TESTS_HOSTILE_V4_H
#define ETHP2P_TESTS_HOSTILE_V4_H

#include <stddef.h>

/**
 * Runs one v4-* scenario (n datagrams at rate per second) against hs_target: 0 if none was
 * answered, 1 if some were, 2 on set-up errors.
 */
int hostile_v4(const char *sc, size_t n, unsigned rate);

#endif
