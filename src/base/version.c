/* The library version and the client name it announces in Hello. */
#include "ethp2p/common.h"
#include "ethp2p/p2p.h"
#include "ethp2p/version.h"

#include <stdio.h>

#define ETHP2P_VERSION ETHP2P_VERSION_STRING

const char *ethp2p_version(void) { return ETHP2P_VERSION; }

#if defined(__x86_64__)
#define ARCH "amd64"
#elif defined(__aarch64__)
#define ARCH "arm64"
#elif defined(__i386__)
#define ARCH "386"
#elif defined(__arm__)
#define ARCH "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH "riscv64"
#else
#define ARCH "unknown"
#endif

#if defined(__clang__)
#define STR2(x) #x
#define STR(x) STR2(x)
#define COMPILER "clang" STR(__clang_major__)
#elif defined(__GNUC__)
#define STR2(x) #x
#define STR(x) STR2(x)
#define COMPILER "gcc" STR(__GNUC__)
#else
#define COMPILER "cc"
#endif

void ethp2p_client_name(const char *identity, char *out, size_t cap)
{
    if (identity && *identity)
        snprintf(out, cap, "ethp2p/%s/v%s/linux-%s/%s", identity, ETHP2P_VERSION, ARCH, COMPILER);
    else
        snprintf(out, cap, "ethp2p/v%s/linux-%s/%s", ETHP2P_VERSION, ARCH, COMPILER);
}
