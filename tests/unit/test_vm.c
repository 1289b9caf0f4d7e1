/* VM and vCPU life cycle: vm_init, vCPUs and targets, callbacks, vm_run with the test backend, destroy. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4kvm/log.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_vm_exits.h>
#include <sel4vm/guest_vm_util.h>
#include <vka/capops.h>
#include "leak_check.h"
#include "vm_fixture.h"

static void test_vm_init_fills_in_the_vm(void **state)
{
    struct vm_fixture *f = *state;
    assert_true(f->vm.vm_initialised);
    assert_string_equal(f->vm.vm_name, "test");
    assert_ptr_equal(f->vm.vka, &f->env.vka);
    assert_int_equal(f->vm.host_endpoint, f->env.host_endpoint);
    assert_int_not_equal(f->vm.mem.vm_vspace_root.cptr, seL4_CapNull);
    assert_int_equal(f->vm.num_vcpus, 1);
    assert_int_not_equal(f->vcpu->vcpu.cptr, seL4_CapNull);
    assert_int_equal(vm_get_vcpu(&f->vm, BOOT_VCPU), f->vcpu->vcpu.cptr);
}

static void test_vm_init_rejects_null_arguments(void **state)
{
    struct vm_fixture *f = *state;
    vm_t vm;
    assert_int_equal(vm_init(NULL, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, 1, "x"), -1);
    assert_int_equal(vm_init(&vm, NULL, &f->env.simple, f->env.vspace, &f->env.io_ops, 1, "x"), -1);
    assert_int_equal(vm_init(&vm, &f->env.vka, NULL, f->env.vspace, &f->env.io_ops, 1, "x"), -1);
    assert_int_equal(vm_init(&vm, &f->env.vka, &f->env.simple, f->env.vspace, NULL, 1, "x"), -1);
    assert_int_equal(vm_init(&vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, 1, NULL), -1);
}

static void test_vcpus_are_limited_and_numbered_per_vm(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(f->vcpu->vcpu_id, BOOT_VCPU);
    assert_int_equal(f->vcpu->target_cpu, -1);
    assert_false(f->vcpu->vcpu_online);
    if (CONFIG_MAX_NUM_NODES == 1) {
        assert_null(vm_create_vcpu(&f->vm, 100));
    }
    assert_null(vm_create_vcpu(NULL, 100));
    vm_t zero = { 0 };
    assert_null(vm_create_vcpu(&zero, 100));
}

static void test_assign_target_rules(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_assign_vcpu_target(NULL, 0), -1);
    assert_int_equal(vm_assign_vcpu_target(f->vcpu, -1), -1);
    assert_int_equal(vm_assign_vcpu_target(f->vcpu, CONFIG_MAX_NUM_NODES), -1);
    assert_int_equal(vm_assign_vcpu_target(f->vcpu, 0), 0);
    assert_int_equal(f->vcpu->target_cpu, 0);
    assert_ptr_equal(vm_vcpu_for_target_cpu(&f->vm, 0), f->vcpu);
    assert_int_equal(vcpu_start(f->vcpu), 0);
    assert_int_equal(vm_assign_vcpu_target(f->vcpu, 0), -1);
}

static void test_vcpu_start_only_once(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vcpu_start(NULL), -1);
    assert_int_equal(vcpu_start(f->vcpu), 0);
    assert_true(is_vcpu_online(f->vcpu));
    assert_int_equal(vcpu_start(f->vcpu), -1);
}

static int notified;
static seL4_Word notified_badge;
static int on_notification(vm_t *vm, seL4_Word badge, seL4_MessageInfo_t tag, void *cookie)
{
    (void)vm;
    (void)tag;
    notified++;
    notified_badge = badge;
    return *(int *)cookie;
}

static void test_vm_run_needs_a_started_boot_vcpu(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_run(&f->vm), -1);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_ERROR_EXIT);
    assert_int_equal(vm_run(NULL), -1);
}

static void test_vm_run_delivers_notifications_to_the_callback(void **state)
{
    struct vm_fixture *f = *state;
    int ret = 0;
    assert_int_equal(vm_register_notification_callback(&f->vm, on_notification, &ret), 0);
    assert_int_equal(vcpu_start(f->vcpu), 0);
    seL4_CPtr badged;
    assert_int_equal(vka_cspace_alloc(&f->env.vka, &badged), 0);
    cspacepath_t src, dest;
    vka_cspace_make_path(&f->env.vka, f->env.host_endpoint, &src);
    vka_cspace_make_path(&f->env.vka, badged, &dest);
    assert_int_equal(vka_cnode_mint(&dest, &src, seL4_AllRights, 0x44), 0);
    notified = 0;
    seL4_Signal(badged);
    assert_int_equal(vm_run(&f->vm), 0);
    assert_int_equal(notified, 1);
    assert_int_equal(notified_badge, 0x44);
    ret = 1;
    seL4_Signal(badged);
    assert_int_equal(vm_run(&f->vm), -1);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_ERROR_EXIT);
}

static void test_register_callbacks_reject_null(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_register_notification_callback(&f->vm, NULL, NULL), -1);
    assert_int_equal(vm_register_notification_callback(NULL, on_notification, NULL), -1);
    assert_int_equal(vm_register_unhandled_mem_fault_callback(&f->vm, NULL, NULL), -1);
    assert_int_equal(vm_register_unhandled_mem_fault_callback(NULL, default_error_fault_callback, NULL), -1);
}

static void test_destroy_counts_live_reservations_and_frees_everything(void **state)
{
    struct vm_fixture *f = *state;
    assert_non_null(vm_reserve_memory_at(&f->vm, 0x1000, 0x1000, default_error_fault_callback, NULL));
    assert_int_equal(sel4kvm_vm_destroy(&f->vm), 1);
    assert_false(f->vm.vm_initialised);
    assert_int_equal(sel4kvm_vm_destroy(&f->vm), -1);
    assert_int_equal(sel4kvm_vm_set_strict(&f->vm, true), -1);
    size_t caps = sel4kvm_sim_cap_count(), fds = count_fds();
    for (int i = 0; i < 100; i++) {
        assert_int_equal(vm_init(&f->vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops,
                                 f->env.host_endpoint, "again"),
                         0);
        assert_non_null(vm_create_vcpu(&f->vm, 1));
        assert_non_null(vm_reserve_memory_at(&f->vm, 0x1000, 0x1000, default_error_fault_callback, NULL));
        assert_int_equal(sel4kvm_vm_destroy(&f->vm), 1);
    }
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(count_fds(), fds);
    assert_int_equal(vm_init(&f->vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint,
                             "last"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST(test_vm_init_fills_in_the_vm),
        VM_TEST(test_vm_init_rejects_null_arguments),
        VM_TEST(test_vcpus_are_limited_and_numbered_per_vm),
        VM_TEST(test_assign_target_rules),
        VM_TEST(test_vcpu_start_only_once),
        VM_TEST(test_vm_run_needs_a_started_boot_vcpu),
        VM_TEST(test_vm_run_delivers_notifications_to_the_callback),
        VM_TEST(test_register_callbacks_reject_null),
        VM_TEST(test_destroy_counts_live_reservations_and_frees_everything),
    };
    return cmocka_run_group_tests_name("vm life cycle", tests, NULL, NULL);
}
