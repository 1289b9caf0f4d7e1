/* Compiles <sel4vm/guest_vm.h> alone and checks its prototypes and structure members against upstream's. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_vm.h>

#define MEMBER_IS(type, member, expected)                                                                              \
    _Static_assert(__builtin_types_compatible_p(__typeof__(((type *)0)->member), expected), #type "." #member)

MEMBER_IS(struct vm_ram_region, start, uintptr_t);
MEMBER_IS(struct vm_ram_region, size, size_t);
MEMBER_IS(struct vm_ram_region, allocated, int);

MEMBER_IS(vm_mem_t, vm_vspace, vspace_t);
MEMBER_IS(vm_mem_t, vm_vspace_root, vka_object_t);
MEMBER_IS(vm_mem_t, vmm_vspace, vspace_t);
MEMBER_IS(vm_mem_t, num_ram_regions, int);
MEMBER_IS(vm_mem_t, ram_regions, struct vm_ram_region *);
MEMBER_IS(vm_mem_t, reservation_cookie, vm_memory_reservation_cookie_t *);
MEMBER_IS(vm_mem_t, unhandled_mem_fault_handler, unhandled_mem_fault_callback_fn);
MEMBER_IS(vm_mem_t, unhandled_mem_fault_cookie, void *);
MEMBER_IS(vm_mem_t, clean_cache, int);
MEMBER_IS(vm_mem_t, map_one_to_one, int);

MEMBER_IS(struct vm_tcb, tcb, vka_object_t);
MEMBER_IS(struct vm_tcb, sc, vka_object_t);
MEMBER_IS(struct vm_tcb, sched_ctrl, vka_object_t);
MEMBER_IS(struct vm_tcb, priority, int);

MEMBER_IS(vm_vcpu_t, vm, struct vm *);
MEMBER_IS(vm_vcpu_t, vcpu, vka_object_t);
MEMBER_IS(vm_vcpu_t, tcb, struct vm_tcb);
MEMBER_IS(vm_vcpu_t, vcpu_id, unsigned int);
MEMBER_IS(vm_vcpu_t, target_cpu, int);
MEMBER_IS(vm_vcpu_t, vcpu_online, bool);
MEMBER_IS(vm_vcpu_t, vcpu_arch, struct vm_vcpu_arch);

MEMBER_IS(vm_run_t, exit_reason, int);
MEMBER_IS(vm_run_t, notification_callback, notification_callback_fn);
MEMBER_IS(vm_run_t, notification_callback_cookie, void *);

MEMBER_IS(struct vm_cspace, cspace_obj, vka_object_t);
MEMBER_IS(struct vm_cspace, cspace_root_data, seL4_Word);

MEMBER_IS(vm_t, arch, vm_arch_t);
MEMBER_IS(vm_t, num_vcpus, unsigned int);
MEMBER_IS(vm_t, vcpus, struct vm_vcpu *[CONFIG_MAX_NUM_NODES]);
MEMBER_IS(vm_t, mem, vm_mem_t);
MEMBER_IS(vm_t, run, vm_run_t);
MEMBER_IS(vm_t, cspace, struct vm_cspace);
MEMBER_IS(vm_t, host_endpoint, seL4_CPtr);
MEMBER_IS(vm_t, vka, vka_t *);
MEMBER_IS(vm_t, io_ops, ps_io_ops_t *);
MEMBER_IS(vm_t, simple, simple_t *);
MEMBER_IS(vm_t, entry, seL4_Word);
MEMBER_IS(vm_t, vm_name, char *);
MEMBER_IS(vm_t, vm_id, unsigned int);
MEMBER_IS(vm_t, vm_initialised, bool);

_Static_assert(__builtin_types_compatible_p(unhandled_mem_fault_callback_fn,
                                            memory_fault_result_t (*)(vm_t *, vm_vcpu_t *, uintptr_t, size_t, void *)),
               "unhandled_mem_fault_callback_fn");
_Static_assert(__builtin_types_compatible_p(notification_callback_fn,
                                            int (*)(vm_t *, seL4_Word, seL4_MessageInfo_t, void *)),
               "notification_callback_fn");

void check_sel4vm_guest_vm_h(void);
void check_sel4vm_guest_vm_h(void)
{
    int (*run)(vm_t *) = vm_run;
    int (*start)(vm_vcpu_t *) = vcpu_start;
    int (*reg_mem)(vm_t *, unhandled_mem_fault_callback_fn, void *) = vm_register_unhandled_mem_fault_callback;
    int (*reg_ntfn)(vm_t *, notification_callback_fn, void *) = vm_register_notification_callback;
    (void)run;
    (void)start;
    (void)reg_mem;
    (void)reg_ntfn;
}
