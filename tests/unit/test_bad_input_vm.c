/* Bad-input matrix for libsel4vm (sel4vm/): documented error value, an error message, and a VM that still works. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "bad_input.h"
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/arch/vmcall.h>
#include <sel4vm/arch/vmcs_fields.h>
#include <sel4vm/guest_iospace.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm_util.h>

static unsigned faults;

static vm_frame_t null_iterator(UNUSED uintptr_t addr, UNUSED void *cookie)
{
    return (vm_frame_t){ .cptr = seL4_CapNull };
}

/* Fresh 4 KiB frames from the fixture's allocator. */
static vm_frame_t frame_iterator(uintptr_t addr, void *cookie)
{
    struct bi_fixture *f = cookie;
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frame), 0);
    return (vm_frame_t){ .cptr = frame.cptr, .rights = seL4_AllRights, .vaddr = addr, .size_bits = seL4_PageBits };
}

static ioport_fault_result_t port_in(UNUSED vm_vcpu_t *vcpu, UNUSED void *cookie, UNUSED unsigned int port,
                                     UNUSED unsigned int size, unsigned int *result)
{
    *result = 0x42;
    return IO_FAULT_HANDLED;
}

static ioport_fault_result_t port_out(UNUSED vm_vcpu_t *vcpu, UNUSED void *cookie, UNUSED unsigned int port,
                                      UNUSED unsigned int size, UNUSED unsigned int value)
{
    return IO_FAULT_HANDLED;
}

static ioport_fault_result_t unhandled_port(UNUSED vm_vcpu_t *vcpu, UNUSED unsigned int port_no, UNUSED bool is_in,
                                            UNUSED unsigned int *value, UNUSED size_t size, UNUSED void *cookie)
{
    return IO_FAULT_UNHANDLED;
}

static int vmcall(UNUSED vm_vcpu_t *vcpu)
{
    return 0;
}

static void irq_ack(UNUSED vm_vcpu_t *vcpu, UNUSED int irq, UNUSED void *cookie)
{
}

static int touch_nothing(UNUSED vm_t *vm, UNUSED uintptr_t guest_addr, UNUSED void *vmm_vaddr, UNUSED size_t size,
                         UNUSED size_t offset, UNUSED void *cookie)
{
    return 0;
}

static vm_ioport_interface_t ports(void)
{
    return (vm_ioport_interface_t){ .port_in = port_in, .port_out = port_out, .desc = "bad-input" };
}

static vm_ioport_range_t port_range(uint16_t start, uint16_t end)
{
    return (vm_ioport_range_t){ .start = start, .end = end };
}

static vm_memory_reservation_t *anon(vm_t *vm, size_t size, size_t align, memory_fault_callback_fn callback)
{
    uintptr_t addr;
    return vm_reserve_anon_memory(vm, size, align, callback, &faults, &addr);
}

static vm_memory_reservation_t *reserve(struct bi_fixture *f, uintptr_t addr, size_t size)
{
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, addr, size, bi_count_fault, &faults);
    assert_non_null(res);
    return res;
}

/* A reservation of one page at 0x100000 the row leaves in f->res. */
static vm_memory_reservation_t *page_res(struct bi_fixture *f)
{
    f->res = reserve(f, 0x100000, 0x1000);
    return f->res;
}

static vm_memory_reservation_t *mapped_res(struct bi_fixture *f)
{
    assert_int_equal(vm_map_reservation(&f->vm, page_res(f), frame_iterator, f), 0);
    return f->res;
}

static void register_ram(struct bi_fixture *f)
{
    assert_int_equal(vm_ram_register_at(&f->vm, 0x200000, 0x4000, false), 0);
}

static vm_vcpu_t *started_vcpu(struct bi_fixture *f)
{
    assert_int_equal(vcpu_start(f->vcpu), 0);
    return f->vcpu;
}

static vm_t *irq_vm(struct bi_fixture *f)
{
    assert_int_equal(vm_create_default_irq_controller(&f->vm), 0);
    return &f->vm;
}

/* Still works: the reservation the row left behind is unmapped and usable: it maps and then takes RAM accesses. */
static void res_maps(struct bi_fixture *f)
{
    assert_int_equal(vm_map_reservation(&f->vm, f->res, frame_iterator, f), 0);
    sel4kvm_test_access_t access;
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, 0x100008, 4, 0x1234, &access), 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, 0x100008, 4, &access), 0);
    assert_int_equal(access.read_value, 0x1234);
}

/* Still works: the reservation the row left behind still takes faults. */
static void res_faults(struct bi_fixture *f)
{
    unsigned before = faults;
    sel4kvm_test_access_t access;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, 0x100000, 4, &access), 0);
    assert_int_equal(faults, before + 1);
}

static void ports_work(struct bi_fixture *f)
{
    assert_int_equal(vm_io_port_add_handler(&f->vm, port_range(0x600, 0x607), ports()), 0);
    unsigned int value = 0;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x604, 1, &value), 0);
    assert_int_equal(value, 0x42);
}

static void ram_allocates(struct bi_fixture *f)
{
    uintptr_t addr;
    size_t size;
    assert_int_equal(vm_ram_find_largest_free_region(&f->vm, &addr, &size), 0);
    assert_int_equal(vm_ram_allocate(&f->vm, size), addr);
    vm_ram_free(&f->vm, addr, size);
    assert_int_equal(vm_ram_allocate(&f->vm, size), addr);
}

static void ram_range_free(struct bi_fixture *f)
{
    assert_int_equal(vm_ram_register_at(&f->vm, 0x300000, 0x2000, false), 0);
}

static void irq_works(struct bi_fixture *f)
{
    /* Fails harmlessly when the row already created one. */
    vm_create_default_irq_controller(&f->vm);
    assert_int_equal(vm_set_irq_level(f->vcpu, 4, 1), 0);
    assert_int_equal(sel4kvm_test_irq_level(&f->vm, 4), 1);
}

static void regs_work(struct bi_fixture *f)
{
    seL4_Word value = 0;
    assert_int_equal(vm_set_thread_context_reg(f->vcpu, VCPU_CONTEXT_EBX, 77), 0);
    assert_int_equal(vm_get_thread_context_reg(f->vcpu, VCPU_CONTEXT_EBX, &value), 0);
    assert_int_equal(value, 77);
    assert_int_equal(vm_set_vmcs_field(f->vcpu, VMX_GUEST_RIP, 0x1000), 0);
    assert_int_equal(vm_get_vmcs_field(f->vcpu, VMX_GUEST_RIP, &value), 0);
    assert_int_equal(value, 0x1000);
}

static void vcpu_works(struct bi_fixture *f)
{
    assert_int_equal(vm_assign_vcpu_target(f->vcpu, 0), 0);
    assert_ptr_equal(vm_vcpu_for_target_cpu(&f->vm, 0), f->vcpu);
}

static void vmcall_works(struct bi_fixture *f)
{
    assert_int_equal(vm_reg_new_vmcall_handler(&f->vm, vmcall, 77), 0);
    assert_int_equal(vm_set_thread_context_reg(f->vcpu, VCPU_CONTEXT_EAX, 77), 0);
    assert_int_equal(sel4kvm_test_vmcall(f->vcpu), 0);
}

static vm_t uninitialised_vm;
static seL4_Word word;
static seL4_VCPUContext context;

#define L BI_LOGS
#define Q BI_QUIET
#define MAXW UINTPTR_MAX
#define V (&f->vm)
#define C (f->vcpu)
#define CB bi_count_fault, &faults

/* clang-format off */
#define ROWS(X)                                                                                                        \
    X(vm_init, null_vm, -1, L, NULL,                                                                                   \
      vm_init(NULL, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint, "x"))            \
    X(vm_init, null_vka, -1, L, NULL, ({                                                                               \
          vm_t vm2_;                                                                                                   \
          vm_init(&vm2_, NULL, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint, "x");              \
      }))                                                                                                              \
    X(vm_init, null_simple, -1, L, NULL, ({                                                                            \
          vm_t vm2_;                                                                                                   \
          vm_init(&vm2_, &f->env.vka, NULL, f->env.vspace, &f->env.io_ops, f->env.host_endpoint, "x");                 \
      }))                                                                                                              \
    X(vm_init, null_io_ops, -1, L, NULL, ({                                                                            \
          vm_t vm2_;                                                                                                   \
          vm_init(&vm2_, &f->env.vka, &f->env.simple, f->env.vspace, NULL, f->env.host_endpoint, "x");                 \
      }))                                                                                                              \
    X(vm_init, null_name, -1, L, NULL, ({                                                                              \
          vm_t vm2_;                                                                                                   \
          vm_init(&vm2_, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint, NULL);      \
      }))                                                                                                              \
    X(vm_create_vcpu, null_vm, NULL, L, vcpu_works, vm_create_vcpu(NULL, 100))                                         \
    X(vm_create_vcpu, uninitialised_vm, NULL, L, vcpu_works, vm_create_vcpu(&uninitialised_vm, 100))                   \
    X(vm_create_vcpu, past_max_num_nodes, NULL, L, vcpu_works, ({                                                      \
          while (f->vm.num_vcpus < CONFIG_MAX_NUM_NODES) {                                                             \
              assert_non_null(vm_create_vcpu(V, 100));                                                                 \
          }                                                                                                            \
          vm_create_vcpu(V, 100);                                                                                      \
      }))                                                                                                              \
    X(vm_assign_vcpu_target, null_vcpu, -1, L, vcpu_works, vm_assign_vcpu_target(NULL, 0))                             \
    X(vm_assign_vcpu_target, negative_target, -1, L, vcpu_works, vm_assign_vcpu_target(C, -1))                         \
    X(vm_assign_vcpu_target, target_past_max, -1, L, vcpu_works, vm_assign_vcpu_target(C, CONFIG_MAX_NUM_NODES))       \
    X(vm_assign_vcpu_target, online_vcpu, -1, L, NULL, vm_assign_vcpu_target(started_vcpu(f), 0))                      \
    X(vm_run, null_vm, -1, L, NULL, vm_run(NULL))                                                                      \
    X(vm_run, boot_vcpu_not_started, -1, L, NULL, vm_run(V))                                                           \
    X(vm_run, uninitialised_vm, -1, L, NULL, vm_run(&uninitialised_vm))                                                \
    X(vcpu_start, null_vcpu, -1, L, NULL, vcpu_start(NULL))                                                            \
    X(vcpu_start, already_started, -1, L, NULL, vcpu_start(started_vcpu(f)))                                           \
    X(vm_register_unhandled_mem_fault_callback, null_vm, -1, L, NULL,                                                  \
      vm_register_unhandled_mem_fault_callback(NULL, bi_count_fault, NULL))                                            \
    X(vm_register_unhandled_mem_fault_callback, null_handler, -1, L, NULL,                                             \
      vm_register_unhandled_mem_fault_callback(V, NULL, NULL))                                                         \
    X(vm_register_notification_callback, null_vm, -1, L, NULL, vm_register_notification_callback(NULL, NULL, NULL))    \
    X(vm_register_notification_callback, null_callback, -1, L, NULL, vm_register_notification_callback(V, NULL, NULL)) \
    X(vm_memory_init, null_vm, -1, L, NULL, vm_memory_init(NULL))                                                      \
    X(vm_memory_init, already_initialised, -1, L, NULL, vm_memory_init(V))                                             \
    X(vm_reserve_memory_at, null_vm, NULL, L, NULL, vm_reserve_memory_at(NULL, 0x100000, 0x1000, CB))                  \
    X(vm_reserve_memory_at, null_callback, NULL, L, NULL, vm_reserve_memory_at(V, 0x100000, 0x1000, NULL, NULL))       \
    X(vm_reserve_memory_at, zero_size, NULL, L, NULL, vm_reserve_memory_at(V, 0x100000, 0, CB))                        \
    X(vm_reserve_memory_at, max_size, NULL, L, NULL, vm_reserve_memory_at(V, 0x100000, SIZE_MAX, CB))                  \
    X(vm_reserve_memory_at, range_wraps, NULL, L, NULL, vm_reserve_memory_at(V, MAXW - 0xfff, 0x2000, CB))             \
    X(vm_reserve_memory_at, last_byte_wraps, NULL, L, NULL, vm_reserve_memory_at(V, MAXW - 7, 16, CB))                 \
    X(vm_reserve_memory_at, past_guest_physical_space, NULL, L, NULL, vm_reserve_memory_at(V, 1ul << 52, 0x1000, CB))  \
    X(vm_reserve_memory_at, ends_at_top_of_address_space, NULL, L, NULL, vm_reserve_memory_at(V, MAXW - 0xfff, 0x1000, \
                                                                                             CB))                      \
    X(vm_reserve_memory_at, overlaps_within_one_page, NULL, L, res_faults, ({                                          \
          reserve(f, 0x100000, 8);                                                                                     \
          f->res = NULL;                                                                                               \
          vm_reserve_memory_at(V, 0x100ff0, 8, CB);                                                                    \
      }))                                                                                                              \
    X(vm_reserve_memory_at, unaligned_overlap_across_pages, NULL, L, res_faults, ({                                    \
          page_res(f);                                                                                                 \
          vm_reserve_memory_at(V, 0xfff10, 0x100, CB);                                                                 \
      }))                                                                                                              \
    X(vm_reserve_memory_at, overlaps_ram, NULL, L, NULL, ({                                                            \
          register_ram(f);                                                                                             \
          vm_reserve_memory_at(V, 0x203000, 0x2000, CB);                                                               \
      }))                                                                                                              \
    X(vm_reserve_memory_at, inside_anon_region, NULL, L, NULL, ({                                                      \
          assert_int_equal(vm_memory_make_anon(V, 0x400000, 0x4000), 0);                                               \
          vm_reserve_memory_at(V, 0x401000, 0x1000, CB);                                                               \
      }))                                                                                                              \
    X(vm_reserve_anon_memory, null_vm, NULL, L, NULL, anon(NULL, 0x1000, 0x1000, bi_count_fault))                      \
    X(vm_reserve_anon_memory, null_callback, NULL, L, NULL, anon(V, 0x1000, 0x1000, NULL))                             \
    X(vm_reserve_anon_memory, null_addr, NULL, L, NULL, vm_reserve_anon_memory(V, 0x1000, 0x1000, CB, NULL))           \
    X(vm_reserve_anon_memory, zero_size, NULL, L, NULL, anon(V, 0, 0x1000, bi_count_fault))                            \
    X(vm_reserve_anon_memory, zero_align, NULL, L, NULL, anon(V, 0x1000, 0, bi_count_fault))                           \
    X(vm_reserve_anon_memory, align_not_power_of_two, NULL, L, NULL, anon(V, 0x1000, 0x3000, bi_count_fault))          \
    X(vm_reserve_anon_memory, max_size, NULL, L, NULL, anon(V, SIZE_MAX, 0x1000, bi_count_fault))                      \
    X(vm_reserve_anon_memory, max_align, NULL, L, NULL, anon(V, 0x1000, (size_t)1 << 63, bi_count_fault))              \
    X(vm_reserve_anon_memory, larger_than_the_anon_region, NULL, L, NULL, ({                                           \
          uintptr_t a_;                                                                                                \
          assert_int_equal(vm_memory_make_anon(V, 0x400000, 0x2000), 0);                                               \
          vm_reserve_anon_memory(V, 0x3000, 0x1000, CB, &a_);                                                          \
      }))                                                                                                              \
    X(vm_memory_make_anon, null_vm, -1, L, NULL, vm_memory_make_anon(NULL, 0x400000, 0x1000))                          \
    X(vm_memory_make_anon, zero_size, -1, L, NULL, vm_memory_make_anon(V, 0x400000, 0))                                \
    X(vm_memory_make_anon, range_wraps, -1, L, NULL, vm_memory_make_anon(V, MAXW - 0xfff, 0x2000))                     \
    X(vm_memory_make_anon, ends_at_top_of_address_space, -1, L, NULL, vm_memory_make_anon(V, MAXW - 0x3fff, 0x4000))   \
    X(vm_memory_make_anon, overlaps_reservation, -1, L, res_faults,                                                    \
      vm_memory_make_anon(V, (uintptr_t)page_res(f) * 0 + 0xff000, 0x2000))                                            \
    X(vm_memory_make_anon, overlaps_anon_region, -1, L, NULL, ({                                                       \
          assert_int_equal(vm_memory_make_anon(V, 0x400000, 0x2000), 0);                                               \
          vm_memory_make_anon(V, 0x401000, 0x2000);                                                                    \
      }))                                                                                                              \
    X(vm_memory_make_anon, overlaps_ram, -1, L, ram_allocates, (register_ram(f), vm_memory_make_anon(V, 0x203000,      \
                                                                                                     0x2000)))         \
    X(vm_free_reserved_memory, null_vm, -1, L, res_faults, vm_free_reserved_memory(NULL, page_res(f)))                 \
    X(vm_free_reserved_memory, null_reservation, -1, L, NULL, vm_free_reserved_memory(V, NULL))                        \
    X(vm_free_reserved_memory, reservation_of_another_vm, -1, L, res_faults, ({                                        \
          vm_t *vm2_ = calloc(1, sizeof(*vm2_));                                                                       \
          assert_int_equal(vm_init(vm2_, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops,                  \
                                   f->env.host_endpoint, "other"), 0);                                                 \
          int r_ = vm_free_reserved_memory(vm2_, page_res(f));                                                         \
          sel4kvm_vm_destroy(vm2_);                                                                                    \
          free(vm2_);                                                                                                  \
          r_;                                                                                                          \
      }))                                                                                                              \
    X(vm_map_reservation, null_vm, -1, L, res_maps, vm_map_reservation(NULL, page_res(f), frame_iterator, f))          \
    X(vm_map_reservation, null_reservation, -1, L, NULL, vm_map_reservation(V, NULL, frame_iterator, f))               \
    X(vm_map_reservation, null_iterator, -1, L, res_maps, vm_map_reservation(V, page_res(f), NULL, f))                 \
    X(vm_map_reservation, iterator_returns_cap_null, -1, L, res_maps,                                                  \
      vm_map_reservation(V, page_res(f), null_iterator, NULL))                                                         \
    X(vm_map_reservation, second_page_fails_rolls_back, -1, L, NULL, ({                                                \
          f->res = reserve(f, 0x100000, 0x2000);                                                                       \
          int r_ = vm_map_reservation(V, f->res, frame_iterator, f) == 0 ? 0 : -2;                                     \
          assert_int_equal(vm_free_reserved_memory(V, f->res), 0);                                                     \
          f->res = reserve(f, 0x100000, 0x2000);                                                                       \
          r_ == 0 ? vm_map_reservation(V, f->res, null_iterator, NULL) : r_;                                           \
      }))                                                                                                              \
    X(vm_map_reservation, already_mapped, -1, L, NULL, vm_map_reservation(V, mapped_res(f), frame_iterator, f))        \
    X(vm_map_reservation_frames, null_frames, -1, L, res_maps, vm_map_reservation_frames(V, page_res(f), NULL, 1, 12)) \
    X(vm_map_reservation_frames, zero_frames, -1, L, res_maps, ({                                                      \
          seL4_CPtr fr_[1] = {0};                                                                                      \
          vm_map_reservation_frames(V, page_res(f), fr_, 0, 12);                                                       \
      }))                                                                                                              \
    X(vm_map_reservation_frames, frames_do_not_cover, -1, L, NULL, ({                                                  \
          vka_object_t fo_;                                                                                            \
          assert_int_equal(vka_alloc_frame(&f->env.vka, 12, &fo_), 0);                                                 \
          vm_map_reservation_frames(V, reserve(f, 0x100000, 0x2000), &fo_.cptr, 1, 12);                                \
      }))                                                                                                              \
    X(vm_map_reservation_frames, bad_frame_size, -1, L, res_maps, ({                                                   \
          vka_object_t fo_;                                                                                            \
          assert_int_equal(vka_alloc_frame(&f->env.vka, 12, &fo_), 0);                                                 \
          vm_map_reservation_frames(V, page_res(f), &fo_.cptr, 1, 13);                                                 \
      }))                                                                                                              \
    X(vm_map_reservation_frames, null_reservation, -1, L, NULL, ({                                                     \
          seL4_CPtr fr_[1] = {0};                                                                                      \
          vm_map_reservation_frames(V, NULL, fr_, 1, 12);                                                              \
      }))                                                                                                              \
    X(vm_get_reservation_memory_region, null_reservation_sets_nothing, 7, L, NULL, ({                                  \
          uintptr_t a_ = 3;                                                                                            \
          size_t s_ = 4;                                                                                               \
          vm_get_reservation_memory_region(NULL, &a_, &s_);                                                            \
          a_ + s_;                                                                                                     \
      }))                                                                                                              \
    X(vm_get_reservation_memory_region, null_outputs, 0, L, res_faults,                                                \
      (vm_get_reservation_memory_region(page_res(f), NULL, NULL), 0))                                                  \
    X(default_error_fault_callback, logs_and_errors, FAULT_ERROR, L, NULL,                                             \
      default_error_fault_callback(V, C, 0x1234, 4, NULL))                                                             \
    X(default_error_fault_callback, null_vm, FAULT_ERROR, L, NULL,                                                     \
      default_error_fault_callback(NULL, NULL, 0, 0, NULL))                                                            \
    X(vm_guest_ram_read_callback, null_vaddr, -1, L, NULL, ({                                                          \
          char b_[4];                                                                                                  \
          vm_guest_ram_read_callback(V, 0x200000, NULL, 4, 0, b_);                                                     \
      }))                                                                                                              \
    X(vm_guest_ram_read_callback, null_buf, -1, L, NULL, ({                                                            \
          char b_[4];                                                                                                  \
          vm_guest_ram_read_callback(V, 0x200000, b_, 4, 0, NULL);                                                     \
      }))                                                                                                              \
    X(vm_guest_ram_write_callback, null_vaddr, -1, L, NULL, ({                                                         \
          char b_[4] = {0};                                                                                            \
          vm_guest_ram_write_callback(V, 0x200000, NULL, 4, 0, b_);                                                    \
      }))                                                                                                              \
    X(vm_guest_ram_write_callback, null_buf, -1, L, NULL, ({                                                           \
          char b_[4];                                                                                                  \
          vm_guest_ram_write_callback(V, 0x200000, b_, 4, 0, NULL);                                                    \
      }))                                                                                                              \
    X(vm_ram_touch, null_vm, -1, L, NULL, vm_ram_touch(NULL, 0x200000, 4, touch_nothing, NULL))                        \
    X(vm_ram_touch, null_callback, -1, L, NULL, (register_ram(f), vm_ram_touch(V, 0x200000, 4, NULL, NULL)))           \
    X(vm_ram_touch, zero_size, -1, L, NULL, (register_ram(f), vm_ram_touch(V, 0x200000, 0, touch_nothing, NULL)))      \
    X(vm_ram_touch, range_wraps, -1, L, NULL, (register_ram(f), vm_ram_touch(V, 0x200000, SIZE_MAX, touch_nothing, 0)))\
    X(vm_ram_touch, not_ram, -1, L, NULL, (register_ram(f), vm_ram_touch(V, 0x100000, 4, touch_nothing, NULL)))        \
    X(vm_ram_touch, runs_past_ram, -1, L, NULL, (register_ram(f), vm_ram_touch(V, 0x203ffc, 8, touch_nothing, NULL)))  \
    X(vm_ram_find_largest_free_region, null_vm, -1, L, NULL, ({                                                        \
          uintptr_t a_;                                                                                                \
          size_t s_;                                                                                                   \
          vm_ram_find_largest_free_region(NULL, &a_, &s_);                                                             \
      }))                                                                                                              \
    X(vm_ram_find_largest_free_region, null_outputs, -1, L, ram_allocates,                                             \
      (register_ram(f), vm_ram_find_largest_free_region(V, NULL, NULL)))                                               \
    X(vm_ram_find_largest_free_region, no_ram, -1, Q, NULL, ({                                                         \
          uintptr_t a_;                                                                                                \
          size_t s_;                                                                                                   \
          vm_ram_find_largest_free_region(V, &a_, &s_);                                                                \
      }))                                                                                                              \
    X(vm_ram_register, null_vm, 0, L, NULL, vm_ram_register(NULL, 0x1000))                                             \
    X(vm_ram_register, zero_bytes, 0, L, NULL, vm_ram_register(V, 0))                                                  \
    X(vm_ram_register, max_bytes, 0, L, NULL, vm_ram_register(V, SIZE_MAX))                                            \
    X(vm_ram_register, no_anon_region, 0, L, NULL, vm_ram_register(V, 0x1000))                                         \
    X(vm_ram_register_at, null_vm, -1, L, NULL, vm_ram_register_at(NULL, 0x300000, 0x2000, false))                     \
    X(vm_ram_register_at, unaligned_start, -1, L, ram_range_free, vm_ram_register_at(V, 0x300010, 0x2000, false))      \
    X(vm_ram_register_at, unaligned_bytes, -1, L, ram_range_free, vm_ram_register_at(V, 0x300000, 0x1010, false))      \
    X(vm_ram_register_at, zero_bytes, -1, L, ram_range_free, vm_ram_register_at(V, 0x300000, 0, false))                \
    X(vm_ram_register_at, range_wraps, -1, L, ram_range_free, vm_ram_register_at(V, MAXW - 0xfff, 0x2000, false))      \
    X(vm_ram_register_at, overlaps_ram, -1, L, ram_allocates,                                                          \
      (register_ram(f), vm_ram_register_at(V, 0x203000, 0x2000, false)))                                               \
    X(vm_ram_register_at, overlaps_reservation, -1, L, res_faults, (page_res(f), vm_ram_register_at(V, 0xff000, 0x2000,\
                                                                                                      false)))         \
    X(vm_ram_register_at, overlaps_anon_region, -1, L, ram_range_free, ({                                              \
          assert_int_equal(vm_memory_make_anon(V, 0x400000, 0x4000), 0);                                               \
          vm_ram_register_at(V, 0x403000, 0x2000, false);                                                              \
      }))                                                                                                              \
    X(vm_ram_register_at, untyped_without_physical_memory, -1, L, ram_range_free,                                      \
      vm_ram_register_at(V, 0x7f0000000000ul, 0x1000, true))                                                           \
    X(vm_ram_register_at_custom_iterator, null_iterator, -1, L, ram_range_free,                                        \
      vm_ram_register_at_custom_iterator(V, 0x300000, 0x2000, NULL, NULL))                                             \
    X(vm_ram_register_at_custom_iterator, iterator_fails, -1, L, ram_range_free,                                       \
      vm_ram_register_at_custom_iterator(V, 0x300000, 0x2000, null_iterator, NULL))                                    \
    X(vm_ram_register_at_custom_iterator, unaligned_start, -1, L, ram_range_free,                                      \
      vm_ram_register_at_custom_iterator(V, 0x300800, 0x2000, frame_iterator, f))                                      \
    X(vm_ram_mark_allocated, null_vm, 0, L, NULL, (vm_ram_mark_allocated(NULL, 0x200000, 0x1000), 0))                  \
    X(vm_ram_mark_allocated, not_ram, 0, L, ram_allocates,                                                             \
      (register_ram(f), vm_ram_mark_allocated(V, 0x100000, 0x1000), 0))                                                \
    X(vm_ram_mark_allocated, runs_past_free_region, 0, L, ram_allocates,                                               \
      (register_ram(f), vm_ram_mark_allocated(V, 0x203000, 0x2000), 0))                                                \
    X(vm_ram_mark_allocated, already_allocated, 0, L, ram_allocates, ({                                                \
          register_ram(f);                                                                                             \
          vm_ram_mark_allocated(V, 0x200000, 0x1000);                                                                  \
          vm_ram_mark_allocated(V, 0x200000, 0x1000);                                                                  \
          0;                                                                                                           \
      }))                                                                                                              \
    X(vm_ram_mark_allocated, range_wraps, 0, L, ram_allocates,                                                         \
      (register_ram(f), vm_ram_mark_allocated(V, 0x203000, SIZE_MAX), 0))                                              \
    X(vm_ram_allocate, null_vm, 0, L, NULL, vm_ram_allocate(NULL, 0x1000))                                             \
    X(vm_ram_allocate, zero_bytes, 0, L, ram_allocates, (register_ram(f), vm_ram_allocate(V, 0)))                      \
    X(vm_ram_allocate, larger_than_free_ram, 0, L, ram_allocates, (register_ram(f), vm_ram_allocate(V, 0x5000)))       \
    X(vm_ram_allocate, max_bytes, 0, L, ram_allocates, (register_ram(f), vm_ram_allocate(V, SIZE_MAX)))                \
    X(vm_ram_free, null_vm, 0, L, NULL, (vm_ram_free(NULL, 0x200000, 0x1000), 0))                                      \
    X(vm_ram_free, not_allocated, 0, L, ram_allocates, (register_ram(f), vm_ram_free(V, 0x200000, 0x1000), 0))         \
    X(vm_ram_free, not_ram, 0, L, ram_allocates, (register_ram(f), vm_ram_free(V, 0x100000, 0x1000), 0))               \
    X(vm_ram_free, range_wraps, 0, L, ram_allocates, ({                                                                \
          register_ram(f);                                                                                             \
          assert_int_equal(vm_ram_allocate(V, 0x1000), 0x200000);                                                      \
          vm_ram_free(V, 0x200000, SIZE_MAX);                                                                          \
          vm_ram_free(V, 0x200000, 0x1000);                                                                            \
          0;                                                                                                           \
      }))                                                                                                              \
    X(get_vcpu_fault_address, null_vcpu, 0, L, NULL, get_vcpu_fault_address(NULL))                                     \
    X(get_vcpu_fault_address, not_faulting, 0, L, NULL, get_vcpu_fault_address(C))                                     \
    X(get_vcpu_fault_ip, null_vcpu, 0, L, NULL, get_vcpu_fault_ip(NULL))                                               \
    X(get_vcpu_fault_ip, not_faulting, 0, L, NULL, get_vcpu_fault_ip(C))                                               \
    X(get_vcpu_fault_data, null_vcpu, 0, L, NULL, get_vcpu_fault_data(NULL))                                           \
    X(get_vcpu_fault_data, not_faulting, 0, L, NULL, get_vcpu_fault_data(C))                                           \
    X(get_vcpu_fault_data_mask, null_vcpu, 0, L, NULL, get_vcpu_fault_data_mask(NULL))                                 \
    X(get_vcpu_fault_data_mask, not_faulting, 0, L, NULL, get_vcpu_fault_data_mask(C))                                 \
    X(get_vcpu_fault_size, null_vcpu, 0, L, NULL, get_vcpu_fault_size(NULL))                                           \
    X(get_vcpu_fault_size, not_faulting, 0, L, NULL, get_vcpu_fault_size(C))                                           \
    X(is_vcpu_read_fault, null_vcpu, false, L, NULL, is_vcpu_read_fault(NULL))                                         \
    X(is_vcpu_read_fault, not_faulting, false, L, NULL, is_vcpu_read_fault(C))                                         \
    X(set_vcpu_fault_data, null_vcpu, -1, L, NULL, set_vcpu_fault_data(NULL, 1))                                       \
    X(set_vcpu_fault_data, not_faulting, -1, L, NULL, set_vcpu_fault_data(C, 1))                                       \
    X(emulate_vcpu_fault, null_vcpu_returns_data, 0x77, L, NULL, emulate_vcpu_fault(NULL, 0x77))                       \
    X(emulate_vcpu_fault, not_faulting_returns_data, 0x77, L, NULL, emulate_vcpu_fault(C, 0x77))                       \
    X(advance_vcpu_fault, null_vcpu, 0, L, NULL, (advance_vcpu_fault(NULL), 0))                                        \
    X(advance_vcpu_fault, not_faulting, 0, L, NULL, (advance_vcpu_fault(C), 0))                                        \
    X(restart_vcpu_fault, null_vcpu, 0, L, NULL, (restart_vcpu_fault(NULL), 0))                                        \
    X(restart_vcpu_fault, not_faulting, 0, L, NULL, (restart_vcpu_fault(C), 0))                                        \
    X(vm_inject_irq, null_vcpu, -1, L, irq_works, (irq_vm(f), vm_inject_irq(NULL, 4)))                                 \
    X(vm_inject_irq, negative_irq, -1, L, irq_works, (irq_vm(f), vm_inject_irq(C, -1)))                                \
    X(vm_inject_irq, irq_past_ioapic, -1, L, irq_works, (irq_vm(f), vm_inject_irq(C, 24)))                             \
    X(vm_inject_irq, max_irq, -1, L, irq_works, (irq_vm(f), vm_inject_irq(C, INT32_MAX)))                              \
    X(vm_inject_irq, no_irq_controller, -1, L, irq_works, vm_inject_irq(C, 4))                                         \
    X(vm_set_irq_level, null_vcpu, -1, L, irq_works, (irq_vm(f), vm_set_irq_level(NULL, 4, 1)))                        \
    X(vm_set_irq_level, negative_irq, -1, L, irq_works, (irq_vm(f), vm_set_irq_level(C, -1, 1)))                       \
    X(vm_set_irq_level, irq_past_ioapic, -1, L, irq_works, (irq_vm(f), vm_set_irq_level(C, 24, 1)))                    \
    X(vm_set_irq_level, no_irq_controller, -1, L, irq_works, vm_set_irq_level(C, 4, 1))                                \
    X(vm_register_irq, null_vcpu, -1, L, irq_works, vm_register_irq(NULL, 4, irq_ack, NULL))                           \
    X(vm_register_irq, null_ack, -1, L, irq_works, vm_register_irq(C, 4, NULL, NULL))                                  \
    X(vm_register_irq, negative_irq, -1, L, irq_works, vm_register_irq(C, -1, irq_ack, NULL))                          \
    X(vm_register_irq, irq_past_ioapic, -1, L, irq_works, vm_register_irq(C, 24, irq_ack, NULL))                       \
    X(vm_create_default_irq_controller, null_vm, -1, L, irq_works, vm_create_default_irq_controller(NULL))             \
    X(vm_create_default_irq_controller, uninitialised_vm, -1, L, irq_works,                                            \
      vm_create_default_irq_controller(&uninitialised_vm))                                                             \
    X(vm_create_default_irq_controller, twice, -1, L, irq_works, vm_create_default_irq_controller(irq_vm(f)))          \
    X(vm_io_port_add_handler, null_vm, -1, L, ports_work, vm_io_port_add_handler(NULL, port_range(0x600, 0x607),       \
                                                                                 ports()))                             \
    X(vm_io_port_add_handler, start_after_end, -1, L, ports_work,                                                      \
      vm_io_port_add_handler(V, port_range(0x607, 0x600), ports()))                                                    \
    X(vm_io_port_add_handler, overlaps_at_inclusive_end, -1, L, ports_work, ({                                         \
          assert_int_equal(vm_io_port_add_handler(V, port_range(0x500, 0x507), ports()), 0);                           \
          vm_io_port_add_handler(V, port_range(0x507, 0x50f), ports());                                                \
      }))                                                                                                              \
    X(vm_io_port_add_handler, overlaps_inside, -1, L, ports_work, ({                                                   \
          assert_int_equal(vm_io_port_add_handler(V, port_range(0x500, 0x5ff), ports()), 0);                           \
          vm_io_port_add_handler(V, port_range(0x510, 0x520), ports());                                                \
      }))                                                                                                              \
    X(vm_io_port_add_handler, whole_space_over_a_range, -1, L, ports_work, ({                                          \
          assert_int_equal(vm_io_port_add_handler(V, port_range(0xfff0, 0xffff), ports()), 0);                         \
          vm_io_port_add_handler(V, port_range(0, 0xffff), ports());                                                   \
      }))                                                                                                              \
    X(vm_register_unhandled_ioport_callback, null_vm, -1, L, ports_work,                                               \
      vm_register_unhandled_ioport_callback(NULL, unhandled_port, NULL))                                               \
    X(vm_register_unhandled_ioport_callback, null_callback, -1, L, ports_work,                                         \
      vm_register_unhandled_ioport_callback(V, NULL, NULL))                                                            \
    X(vm_enable_passthrough_ioport, always_fails, -1, L, ports_work, vm_enable_passthrough_ioport(C, 0x60, 0x64))      \
    X(vm_enable_passthrough_ioport, null_vcpu, -1, L, ports_work, vm_enable_passthrough_ioport(NULL, 0x64, 0x60))      \
    X(vm_reg_new_vmcall_handler, null_vm, -1, L, vmcall_works, vm_reg_new_vmcall_handler(NULL, vmcall, 1))             \
    X(vm_reg_new_vmcall_handler, null_func, -1, L, vmcall_works, vm_reg_new_vmcall_handler(V, NULL, 1))                \
    X(vm_reg_new_vmcall_handler, duplicate_token, -1, L, vmcall_works, ({                                              \
          assert_int_equal(vm_reg_new_vmcall_handler(V, vmcall, 1), 0);                                                \
          vm_reg_new_vmcall_handler(V, vmcall, 1);                                                                     \
      }))                                                                                                              \
    X(vm_guest_add_iospace, always_fails, -1, L, NULL, vm_guest_add_iospace(V, &f->env.vspace, seL4_CapIOSpace))       \
    X(vm_guest_add_iospace, null_vm, -1, L, NULL, vm_guest_add_iospace(NULL, NULL, seL4_CapNull))                      \
    X(vm_set_thread_context, null_vcpu, -1, L, regs_work, vm_set_thread_context(NULL, (seL4_VCPUContext) {0}))         \
    X(vm_set_thread_context_reg, null_vcpu, -1, L, regs_work, vm_set_thread_context_reg(NULL, VCPU_CONTEXT_EAX, 1))    \
    X(vm_set_thread_context_reg, bad_reg, -1, L, regs_work, vm_set_thread_context_reg(C, (vcpu_context_reg_t)999, 1))  \
    X(vm_set_thread_context_reg, negative_reg, -1, L, regs_work,                                                       \
      vm_set_thread_context_reg(C, (vcpu_context_reg_t)-1, 1))                                                         \
    X(vm_get_thread_context, null_vcpu, -1, L, regs_work, vm_get_thread_context(NULL, &context))                       \
    X(vm_get_thread_context, null_context, -1, L, regs_work, vm_get_thread_context(C, NULL))                           \
    X(vm_get_thread_context_reg, null_vcpu, -1, L, regs_work, vm_get_thread_context_reg(NULL, VCPU_CONTEXT_EAX, &word))\
    X(vm_get_thread_context_reg, null_value, -1, L, regs_work, vm_get_thread_context_reg(C, VCPU_CONTEXT_EAX, NULL))   \
    X(vm_get_thread_context_reg, bad_reg, -1, L, regs_work,                                                            \
      vm_get_thread_context_reg(C, (vcpu_context_reg_t)999, &word))                                                    \
    X(vm_set_vmcs_field, null_vcpu, -1, L, regs_work, vm_set_vmcs_field(NULL, VMX_GUEST_RIP, 0))                       \
    X(vm_set_vmcs_field, unsupported_field, -1, L, regs_work, vm_set_vmcs_field(C, VMX_CONTROL_EXCEPTION_BITMAP, 0))   \
    X(vm_set_vmcs_field, max_field, -1, L, regs_work, vm_set_vmcs_field(C, ~(seL4_Word)0, 0))                          \
    X(vm_get_vmcs_field, null_vcpu, -1, L, regs_work, vm_get_vmcs_field(NULL, VMX_GUEST_RIP, &word))                   \
    X(vm_get_vmcs_field, null_value, -1, L, regs_work, vm_get_vmcs_field(C, VMX_GUEST_RIP, NULL))                      \
    X(vm_get_vmcs_field, unsupported_field, -1, L, regs_work,                                                          \
      vm_get_vmcs_field(C, VMX_CONTROL_EXCEPTION_BITMAP, &word))                                                       \
    X(vm_get_vcpu_tcb, null_vcpu, seL4_CapNull, L, NULL, vm_get_vcpu_tcb(NULL))                                        \
    X(vm_get_vcpu, null_vm, seL4_CapNull, L, NULL, vm_get_vcpu(NULL, 0))                                               \
    X(vm_get_vcpu, unknown_id, seL4_CapNull, L, NULL, vm_get_vcpu(V, 99))                                              \
    X(vm_get_vcpu, negative_id, seL4_CapNull, L, NULL, vm_get_vcpu(V, -1))                                             \
    X(vm_vcpu_for_target_cpu, null_vm, NULL, L, NULL, vm_vcpu_for_target_cpu(NULL, 0))                                 \
    X(vm_vcpu_for_target_cpu, unassigned_target, NULL, Q, NULL, vm_vcpu_for_target_cpu(V, 0))                          \
    X(vm_vcpu_for_target_cpu, below_unassigned, NULL, Q, NULL,                                                         \
      vm_vcpu_for_target_cpu(V, -2))                                                                                   \
    X(vm_find_free_unassigned_vcpu, null_vm, NULL, L, NULL, vm_find_free_unassigned_vcpu(NULL))                        \
    X(vm_find_free_unassigned_vcpu, all_assigned, NULL, Q, NULL,                                                       \
      (vcpu_works(f), vm_find_free_unassigned_vcpu(V)))                                                                \
    X(vm_find_free_unassigned_cpu, null_vm, -1, L, NULL, vm_find_free_unassigned_cpu(NULL))                            \
    X(vm_find_free_unassigned_cpu, all_taken, -1, Q, NULL, (vcpu_works(f), vm_find_free_unassigned_cpu(V)))            \
    X(is_vcpu_online, null_vcpu, false, L, NULL, is_vcpu_online(NULL))                                                 \
    X(vm_get_vspace, null_vm, NULL, L, NULL, vm_get_vspace(NULL))                                                      \
    X(vm_get_vmm_vspace, null_vm, NULL, L, NULL, vm_get_vmm_vspace(NULL))
/* clang-format on */

ROWS(BI_DEFINE_CALL)

static const struct bad_input_case rows[] = { ROWS(BI_DEFINE_ROW) };

static const char *const headers[] = { "sel4vm", NULL };

int main(void)
{
    return bi_run("bad_input_vm", rows, ARRAY_SIZE(rows), headers);
}
