/* Install smoke test (make install-check): a program built only from the installed headers and pkg-config. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4/sel4.h>
#include <sel4kvm/env.h>
#include <vka/vka.h>
#include <vka/object.h>
#include <vspace/vspace.h>

int main(void)
{
    sel4kvm_env_t env;
    vka_object_t frame;
    if (sel4kvm_env_init(&env, NULL) != 0 || vka_alloc_frame(&env.vka, seL4_PageBits, &frame) != 0) {
        return 1;
    }
    char *page = vspace_map_pages(&env.vspace, &frame.cptr, NULL, seL4_AllRights, 1, seL4_PageBits, 1);
    int ok = page != NULL && strcpy(page, "installed") != NULL && strcmp(page, "installed") == 0;
    sel4kvm_env_destroy(&env);
    return ok ? 0 : 1;
}
