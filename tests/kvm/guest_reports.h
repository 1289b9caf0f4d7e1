/* Collects what a test guest writes to GUEST_REPORT_PORT, in order, for tests/kvm to check. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>
#include "kvm_fixture.h"

#define GUEST_REPORTS_MAX 256

struct guest_reports {
    unsigned count; /* every report, including those past GUEST_REPORTS_MAX */
    uint32_t values[GUEST_REPORTS_MAX];
};

/* Empties r and registers the report port handler that fills it (r must outlive the VM's runs). */
void guest_reports_attach(struct kvm_fixture *f, struct guest_reports *r);
