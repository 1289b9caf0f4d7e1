/* Compiles <sel4vm/arch/vmexit_reasons.h> alone and checks its table against the exit reason numbers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/arch/vmexit_reasons.h>

struct exit_reason_name {
    int reason;
    const char *name;
};

const struct exit_reason_name sel4vm_arch_vmexit_reasons_h_names[] = { VMX_EXIT_REASONS };

_Static_assert(EXIT_REASON_EPT_VIOLATION == 48 && EXIT_REASON_IO_INSTRUCTION == 30, "exit reasons");
_Static_assert(EXIT_REASON_INVPCID < VM_EXIT_REASON_NUM, "VM_EXIT_REASON_NUM");
