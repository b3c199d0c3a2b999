/*
 * ethp2p/version.h - the version of the headers being compiled against. The
 * build reads the version from here (one place); ethp2p_version() returns the
 * library's, so a program can compare what it was built with and what it runs.
 * Within one major version the API and ABI only grow.
 */
#ifndef ETHP2P_VERSION_H
#define ETHP2P_VERSION_H

#define ETHP2P_VERSION_MAJOR 0
#define ETHP2P_VERSION_MINOR 1
#define ETHP2P_VERSION_PATCH 0

#define ETHP2P_VERSION_STR2(x) #x
#define ETHP2P_VERSION_STR(x) ETHP2P_VERSION_STR2(x)
/** "MAJOR.MINOR.PATCH" */
#define ETHP2P_VERSION_STRING                                                                                  \
    ETHP2P_VERSION_STR(ETHP2P_VERSION_MAJOR) "." ETHP2P_VERSION_STR(ETHP2P_VERSION_MINOR) "." ETHP2P_VERSION_STR( \
        ETHP2P_VERSION_PATCH)
/** One number for comparisons: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define ETHP2P_VERSION_NUMBER (ETHP2P_VERSION_MAJOR * 10000 + ETHP2P_VERSION_MINOR * 100 + ETHP2P_VERSION_PATCH)

#endif
