/* Compiles <sel4vm/arch/vmcs_fields.h> alone and checks a sample of encodings against the Intel SDM. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/arch/vmcs_fields.h>

_Static_assert(VMX_GUEST_RIP == 0x681E && VMX_GUEST_RSP == 0x681C && VMX_GUEST_RFLAGS == 0x6820, "rip/rsp/rflags");
_Static_assert(VMX_GUEST_CR0 == 0x6800 && VMX_GUEST_CR3 == 0x6802 && VMX_GUEST_CR4 == 0x6804, "control registers");
_Static_assert(VMX_GUEST_EFER == 0x2806, "efer");
_Static_assert(VMX_GUEST_CS_SELECTOR == 0x802 && VMX_GUEST_CS_BASE == 0x6808, "cs");
_Static_assert(DEFAULT_TR_ACCESS_RIGHTS == 0x8B, "tr access rights");
