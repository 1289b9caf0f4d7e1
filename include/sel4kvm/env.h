/* One call that gives a VMM what CAmkES would: vka, simple, its own vspace, io_ops and a host notification. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4/sel4.h>
#include <vka/vka.h>
#include <vspace/vspace.h>
#include <simple/simple.h>
#include <platsupport/io.h>
#include <sel4kvm/sim.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module env.h
 * Start-up for a VMM process. `sel4kvm_env_init` boots the simulated kernel and builds, over its boot
 * information, the environment a CAmkES VMM component receives: an allocator (`vka_t`) over the untyped
 * memory, a `simple_t` describing the boot caps, the VMM's own `vspace_t` (mapping a frame there makes its
 * bytes visible at that host address), `ps_io_ops_t` and a notification to use as the host endpoint.
 */

/***
 * @struct sel4kvm_env_t
 * The environment of a VMM process. Every member is ready after sel4kvm_env_init.
 * @param {vka_t} vka Allocator for cslots and kernel objects (frames, notifications, untypeds, CNodes, ...)
 * @param {simple_t} simple Boot information accessors
 * @param {vspace_t} vspace The VMM's own address space
 * @param {ps_io_ops_t} io_ops Malloc and device-memory mapping operations
 * @param {seL4_CPtr} host_endpoint A notification cap for the VMM to wait on (vm_init's host_endpoint)
 * @param {void *} priv Implementation state
 */
typedef struct sel4kvm_env {
    vka_t vka;
    simple_t simple;
    vspace_t vspace;
    ps_io_ops_t io_ops;
    seL4_CPtr host_endpoint;
    void *priv;
} sel4kvm_env_t;

/***
 * @function sel4kvm_env_init(env, config)
 * Boot the simulated kernel and build the environment over it. One environment exists at a time; destroy it
 * before creating another.
 * @param {sel4kvm_env_t *} env Environment to fill
 * @param {const sel4kvm_sim_config_t *} config Machine shape, or NULL for the defaults (4 GiB RAM)
 * @return 0 on success, -1 on failure (with a message)
 */
int sel4kvm_env_init(sel4kvm_env_t *env, const sel4kvm_sim_config_t *config);

/***
 * @function sel4kvm_env_destroy(env)
 * Tear down the environment and the kernel, releasing every host resource they hold.
 * @param {sel4kvm_env_t *} env Environment from sel4kvm_env_init
 */
void sel4kvm_env_destroy(sel4kvm_env_t *env);

#ifdef __cplusplus
}
#endif
