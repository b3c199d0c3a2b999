/* A program outside the tree that uses the installed library through pkg-config. */
#include <ethp2p/enr.h>
#include <ethp2p/keccak.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    uint8_t h[32];
    ethp2p_keccak256("", 0, h);
    if (h[0] != 0xc5 || h[31] != 0x70) return 1;
    ethp2p_privkey k;
    ethp2p_enr r;
    ethp2p_enr_init(&r);
    if (ethp2p_privkey_generate(&k) || ethp2p_enr_sign(&r, &k) || ethp2p_enr_verify(&r)) return 1;
    printf("ethp2p %s via pkg-config: ok\n", ethp2p_version());
    return 0;
}
