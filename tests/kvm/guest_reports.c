/* The GUEST_REPORT_PORT recorder of tests/kvm. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4vm/arch/ioports.h>
#include "guest_reports.h"

static ioport_fault_result_t report_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                        unsigned int value)
{
    (void)vcpu;
    (void)port_no;
    (void)size;
    struct guest_reports *r = cookie;
    if (r->count < GUEST_REPORTS_MAX) {
        r->values[r->count] = value;
    }
    r->count++;
    return IO_FAULT_HANDLED;
}

void guest_reports_attach(struct kvm_fixture *f, struct guest_reports *r)
{
    memset(r, 0, sizeof(*r));
    vm_ioport_interface_t iface = { .cookie = r, .port_out = report_out, .desc = "guest reports" };
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ GUEST_REPORT_PORT, GUEST_REPORT_PORT + 3 },
                                            iface),
                     0);
}
