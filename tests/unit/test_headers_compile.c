/* libsel4vm's public headers together: upstream's constants and layouts, and the inline guest_vm_util.h helpers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sel4vm/gen_config.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_vm.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm_exits.h>
#include <sel4vm/guest_vm_util.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/guest_iospace.h>
#include <sel4vm/arch/guest_vm_arch.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/guest_memory_arch.h>
#include <sel4vm/arch/vmcall.h>
#include <sel4vm/arch/vmcs_fields.h>
#include <sel4vm/arch/vmexit_reasons.h>
#include <sel4kvm/log.h>
#include <utils/util.h>

/* Callbacks return these by number across the seL4/Linux boundary; their order is upstream's ABI. */
static void test_fault_results_keep_upstream_order(void **state)
{
    (void)state;
    assert_int_equal(FAULT_HANDLED, 0);
    assert_int_equal(FAULT_UNHANDLED, 1);
    assert_int_equal(FAULT_RESTART, 2);
    assert_int_equal(FAULT_IGNORE, 3);
    assert_int_equal(FAULT_ERROR, 4);
}

static void test_ioport_results_keep_upstream_order(void **state)
{
    (void)state;
    assert_int_equal(IO_FAULT_HANDLED, 0);
    assert_int_equal(IO_FAULT_UNHANDLED, 1);
    assert_int_equal(IO_FAULT_ERROR, 2);
}

static void test_exit_codes_keep_upstream_order(void **state)
{
    (void)state;
    assert_int_equal(VM_GUEST_MMIO_EXIT, 0);
    assert_int_equal(VM_GUEST_IO_EXIT, 1);
    assert_int_equal(VM_GUEST_NOTIFICATION_EXIT, 2);
    assert_int_equal(VM_GUEST_UNKNOWN_EXIT, 3);
}

static void test_error_exit_is_minus_one_and_distinct_from_exit_codes(void **state)
{
    (void)state;
    int exit_reason = VM_GUEST_ERROR_EXIT;
    assert_int_equal(exit_reason, -1);
    /* The macro must survive being an operand: upstream code writes `reason == VM_GUEST_ERROR_EXIT`. */
    assert_true(0 - VM_GUEST_ERROR_EXIT == 1);
}

static void test_boot_vcpu_is_zero(void **state)
{
    (void)state;
    assert_int_equal(BOOT_VCPU, 0);
}

/* Backends may treat seL4_VCPUContext as an array of words indexed by vcpu_context_reg_t. */
static void test_context_regs_index_the_words_of_vcpu_context(void **state)
{
    (void)state;
    static const struct {
        vcpu_context_reg_t reg;
        size_t offset;
    } regs[] = {
        { VCPU_CONTEXT_EAX, offsetof(seL4_VCPUContext, eax) }, { VCPU_CONTEXT_EBX, offsetof(seL4_VCPUContext, ebx) },
        { VCPU_CONTEXT_ECX, offsetof(seL4_VCPUContext, ecx) }, { VCPU_CONTEXT_EDX, offsetof(seL4_VCPUContext, edx) },
        { VCPU_CONTEXT_ESI, offsetof(seL4_VCPUContext, esi) }, { VCPU_CONTEXT_EDI, offsetof(seL4_VCPUContext, edi) },
        { VCPU_CONTEXT_EBP, offsetof(seL4_VCPUContext, ebp) }, { VCPU_CONTEXT_R8, offsetof(seL4_VCPUContext, r8) },
        { VCPU_CONTEXT_R9, offsetof(seL4_VCPUContext, r9) },   { VCPU_CONTEXT_R10, offsetof(seL4_VCPUContext, r10) },
        { VCPU_CONTEXT_R11, offsetof(seL4_VCPUContext, r11) }, { VCPU_CONTEXT_R12, offsetof(seL4_VCPUContext, r12) },
        { VCPU_CONTEXT_R13, offsetof(seL4_VCPUContext, r13) }, { VCPU_CONTEXT_R14, offsetof(seL4_VCPUContext, r14) },
        { VCPU_CONTEXT_R15, offsetof(seL4_VCPUContext, r15) },
    };
    for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
        assert_int_equal(regs[i].offset, (size_t)regs[i].reg * sizeof(seL4_Word));
    }
    assert_int_equal(sizeof(seL4_VCPUContext), ARRAY_SIZE(regs) * sizeof(seL4_Word));
}

static void test_vm_has_one_vcpu_slot_per_node(void **state)
{
    (void)state;
    vm_t vm;
    assert_int_equal(ARRAY_SIZE(vm.vcpus), CONFIG_MAX_NUM_NODES);
}

static void test_exit_handler_table_covers_every_reason(void **state)
{
    (void)state;
    struct vm_arch arch;
    assert_int_equal(ARRAY_SIZE(arch.vmexit_handlers), VM_EXIT_REASON_NUM);
    assert_true(EXIT_REASON_INVPCID < VM_EXIT_REASON_NUM);
}

/* Passed by value to vm_io_port_add_handler: two 16-bit ports and nothing else, as upstream. */
static void test_ioport_range_is_two_ports(void **state)
{
    (void)state;
    assert_int_equal(sizeof(vm_ioport_range_t), 2 * sizeof(uint16_t));
    vm_ioport_range_t whole = { .start = 0, .end = 0xffff };
    assert_int_equal(whole.end, 65535);
}

static void test_vmcs_guest_state_fields_use_hardware_encodings(void **state)
{
    (void)state;
    assert_int_equal(VMX_GUEST_RIP, 0x681E);
    assert_int_equal(VMX_GUEST_RSP, 0x681C);
    assert_int_equal(VMX_GUEST_RFLAGS, 0x6820);
    assert_int_equal(VMX_GUEST_CR0, 0x6800);
    assert_int_equal(VMX_GUEST_CR3, 0x6802);
    assert_int_equal(VMX_GUEST_CR4, 0x6804);
    assert_int_equal(VMX_GUEST_EFER, 0x2806);
    assert_int_equal(VMX_GUEST_ES_SELECTOR, 0x800);
    assert_int_equal(VMX_GUEST_GS_SELECTOR, 0x80A);
    assert_int_equal(VMX_GUEST_ES_BASE, 0x6806);
    assert_int_equal(VMX_GUEST_GS_BASE, 0x6810);
}

/* A VM with hand-made vCPUs, so the inline helpers can be exercised without the library. */
struct util_fixture {
    vm_t vm;
    vm_vcpu_t vcpus[CONFIG_MAX_NUM_NODES];
};

static int util_setup(void **state)
{
    static struct util_fixture f;
    memset(&f, 0, sizeof(f));
    for (unsigned int i = 0; i < CONFIG_MAX_NUM_NODES; i++) {
        f.vcpus[i].vm = &f.vm;
        f.vcpus[i].vcpu_id = i;
        f.vcpus[i].target_cpu = -1;
        f.vcpus[i].vcpu.cptr = 100 + i;
        f.vcpus[i].tcb.tcb.cptr = 200 + i;
        f.vm.vcpus[i] = &f.vcpus[i];
    }
    f.vm.num_vcpus = CONFIG_MAX_NUM_NODES;
    *state = &f;
    return 0;
}

static void test_vm_get_vcpu_returns_the_vcpu_object_cap(void **state)
{
    struct util_fixture *f = *state;
    assert_int_equal(vm_get_vcpu(&f->vm, BOOT_VCPU), 100);
    assert_int_equal(vm_get_vcpu_tcb(&f->vcpus[BOOT_VCPU]), 200);
}

static void test_vm_get_vcpu_rejects_ids_outside_the_created_vcpus(void **state)
{
    struct util_fixture *f = *state;
    assert_int_equal(vm_get_vcpu(&f->vm, -1), seL4_CapNull);
    assert_int_equal(vm_get_vcpu(&f->vm, CONFIG_MAX_NUM_NODES), seL4_CapNull);
    f->vm.num_vcpus = 0;
    assert_int_equal(vm_get_vcpu(&f->vm, BOOT_VCPU), seL4_CapNull);
}

static void test_vm_vcpu_for_target_cpu_finds_the_assigned_vcpu(void **state)
{
    struct util_fixture *f = *state;
    assert_null(vm_vcpu_for_target_cpu(&f->vm, 0));
    f->vcpus[BOOT_VCPU].target_cpu = 0;
    assert_ptr_equal(vm_vcpu_for_target_cpu(&f->vm, 0), &f->vcpus[BOOT_VCPU]);
}

static void test_vm_find_free_unassigned_vcpu_skips_assigned_vcpus(void **state)
{
    struct util_fixture *f = *state;
    assert_ptr_equal(vm_find_free_unassigned_vcpu(&f->vm), &f->vcpus[BOOT_VCPU]);
    for (unsigned int i = 0; i < CONFIG_MAX_NUM_NODES; i++) {
        f->vcpus[i].target_cpu = (int)i;
    }
    assert_null(vm_find_free_unassigned_vcpu(&f->vm));
}

static void test_vm_find_free_unassigned_cpu_is_minus_one_when_all_are_taken(void **state)
{
    struct util_fixture *f = *state;
    assert_int_equal(vm_find_free_unassigned_cpu(&f->vm), 0);
    for (unsigned int i = 0; i < CONFIG_MAX_NUM_NODES; i++) {
        f->vcpus[i].target_cpu = (int)i;
    }
    assert_int_equal(vm_find_free_unassigned_cpu(&f->vm), -1);
}

static void test_is_vcpu_online_reflects_the_vcpu_flag(void **state)
{
    struct util_fixture *f = *state;
    assert_false(is_vcpu_online(&f->vcpus[BOOT_VCPU]));
    f->vcpus[BOOT_VCPU].vcpu_online = true;
    assert_true(is_vcpu_online(&f->vcpus[BOOT_VCPU]));
}

static void test_vspace_getters_point_into_the_vm(void **state)
{
    struct util_fixture *f = *state;
    assert_ptr_equal(vm_get_vspace(&f->vm), &f->vm.mem.vm_vspace);
    assert_ptr_equal(vm_get_vmm_vspace(&f->vm), &f->vm.mem.vmm_vspace);
}

static void count_errors(void *cookie, int level, const char *tag, const char *file, int line, const char *func,
                         const char *msg)
{
    (void)tag;
    (void)file;
    (void)line;
    (void)func;
    (void)msg;
    if (level == ZF_LOG_ERROR) {
        (*(int *)cookie)++;
    }
}

static void test_util_helpers_reject_null_with_an_error_message(void **state)
{
    (void)state;
    int errors = 0;
    sel4kvm_log_set_sink(count_errors, &errors);
    assert_int_equal(vm_get_vcpu_tcb(NULL), seL4_CapNull);
    assert_int_equal(vm_get_vcpu(NULL, BOOT_VCPU), seL4_CapNull);
    assert_null(vm_vcpu_for_target_cpu(NULL, 0));
    assert_null(vm_find_free_unassigned_vcpu(NULL));
    assert_int_equal(vm_find_free_unassigned_cpu(NULL), -1);
    assert_false(is_vcpu_online(NULL));
    assert_null(vm_get_vspace(NULL));
    assert_null(vm_get_vmm_vspace(NULL));
    sel4kvm_log_set_sink(NULL, NULL);
    assert_int_equal(errors, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_results_keep_upstream_order),
        cmocka_unit_test(test_ioport_results_keep_upstream_order),
        cmocka_unit_test(test_exit_codes_keep_upstream_order),
        cmocka_unit_test(test_error_exit_is_minus_one_and_distinct_from_exit_codes),
        cmocka_unit_test(test_boot_vcpu_is_zero),
        cmocka_unit_test(test_context_regs_index_the_words_of_vcpu_context),
        cmocka_unit_test(test_vm_has_one_vcpu_slot_per_node),
        cmocka_unit_test(test_exit_handler_table_covers_every_reason),
        cmocka_unit_test(test_ioport_range_is_two_ports),
        cmocka_unit_test(test_vmcs_guest_state_fields_use_hardware_encodings),
        cmocka_unit_test_setup(test_vm_get_vcpu_returns_the_vcpu_object_cap, util_setup),
        cmocka_unit_test_setup(test_vm_get_vcpu_rejects_ids_outside_the_created_vcpus, util_setup),
        cmocka_unit_test_setup(test_vm_vcpu_for_target_cpu_finds_the_assigned_vcpu, util_setup),
        cmocka_unit_test_setup(test_vm_find_free_unassigned_vcpu_skips_assigned_vcpus, util_setup),
        cmocka_unit_test_setup(test_vm_find_free_unassigned_cpu_is_minus_one_when_all_are_taken, util_setup),
        cmocka_unit_test_setup(test_is_vcpu_online_reflects_the_vcpu_flag, util_setup),
        cmocka_unit_test_setup(test_vspace_getters_point_into_the_vm, util_setup),
        cmocka_unit_test(test_util_helpers_reject_null_with_an_error_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
