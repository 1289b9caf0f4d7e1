/* Compiles <sel4vm/arch/guest_vm_arch.h> alone and checks its structure members against upstream's. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/arch/guest_vm_arch.h>

#define MEMBER_IS(type, member, expected)                                                                              \
    _Static_assert(__builtin_types_compatible_p(__typeof__(((type *)0)->member), expected), #type "." #member)

MEMBER_IS(struct vm_arch, vmexit_handlers, vmexit_handler_ptr[VM_EXIT_REASON_NUM]);
MEMBER_IS(struct vm_arch, vmcall_handlers, vmcall_handler_t *);
MEMBER_IS(struct vm_arch, vmcall_num_handlers, unsigned int);
MEMBER_IS(struct vm_arch, guest_pd, uintptr_t);
MEMBER_IS(struct vm_arch, unhandled_ioport_callback, unhandled_ioport_callback_fn);
MEMBER_IS(struct vm_arch, unhandled_ioport_callback_cookie, void *);
MEMBER_IS(struct vm_arch, ioport_list, vm_io_port_list_t);
MEMBER_IS(struct vm_arch, i8259_gs, i8259_t *);
MEMBER_IS(struct vm_arch, backend, void *);
MEMBER_IS(struct vm_vcpu_arch, guest_state, guest_state_t *);
MEMBER_IS(struct vm_vcpu_arch, lapic, vm_lapic_t *);
MEMBER_IS(struct vm_vcpu_arch, backend, void *);
MEMBER_IS(vmcall_handler_t, token, int);
MEMBER_IS(vmcall_handler_t, func, vmcall_handler);

_Static_assert(__builtin_types_compatible_p(vmexit_handler_ptr, int (*)(vm_vcpu_t *)), "vmexit_handler_ptr");
_Static_assert(__builtin_types_compatible_p(vmcall_handler, int (*)(vm_vcpu_t *)), "vmcall_handler");
_Static_assert(APIC_DEFAULT_PHYS_BASE == 0xfee00000 && IOAPIC_DEFAULT_PHYS_BASE == 0xfec00000, "APIC bases");
