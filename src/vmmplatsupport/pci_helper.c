/* Virtual PCI device building blocks: memory-backed headers and BAR, IRQ, capability and passthrough wrappers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include <pci/helper.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include <utils/util.h>

#include "pci_internal.h"

/* Bytes of a type-0 header; capability data of a vmm_pci_device_def_t starts here. */
#define PCI_HEADER_BYTES PCI_STD_HEADER_SIZEOF
/* Configuration space of a conventional PCI function: the header plus 48 dwords of capabilities. */
#define PCI_CONFIG_BYTES 256
#define PCI_MAX_CAPS ((PCI_CONFIG_BYTES - PCI_HEADER_BYTES) / 4)
#define PCI_NUM_BARS 6
#define PCI_BAR_REGS_END (PCI_BASE_ADDRESS_5 + 4)
/* Whole capability structures hidden by vmm_pci_no_msi_cap_emulation: 64-bit MSI with masking, and MSI-X. */
#define PCI_MSI_CAP_BYTES 24
#define PCI_MSIX_CAP_BYTES PCI_CAP_MSIX_SIZEOF

static const vmm_pci_entry_t failed_entry = { .cookie = NULL, .ioread = NULL, .iowrite = NULL };

/*
 * Callbacks are public functions a VMM (or a buggy wrapper) may call with anything, so every access is checked
 * before it touches memory: sizes 1, 2, 4 that stay within one dword, non-negative offsets.
 */
static bool access_ok(const char *what, int offset, int size)
{
    if (offset < 0 || (size != 1 && size != 2 && size != 4) || (offset & 3) + size > 4) {
        ZF_LOGE("Failed to %s PCI config space: bad access of size %d at offset %d", what, size, offset);
        return false;
    }
    return true;
}

/* A wrapper's callback: its cookie, a read's result pointer (pass the cookie again for a write) and the access. */
static bool call_ok(const char *what, const void *cookie, const void *result, int offset, int size)
{
    if (cookie == NULL || result == NULL) {
        ZF_LOGE("Failed to %s PCI config space: NULL %s", what, cookie == NULL ? "cookie" : "result");
        return false;
    }
    return access_ok(what, offset, size);
}

static uint32_t size_mask(int size)
{
    return size == 4 ? UINT32_MAX : (uint32_t)MASK(size * 8);
}

/* Whether [offset, offset + size) contains byte reg. */
static bool covers(int offset, int size, int reg)
{
    return offset <= reg && reg < offset + size;
}

/* Replace the byte at config offset reg inside a value read at offset. */
static uint32_t patch_byte(uint32_t value, int offset, int reg, uint8_t byte)
{
    int shift = (reg - offset) * 8;
    return (value & ~((uint32_t)0xff << shift)) | ((uint32_t)byte << shift);
}

/* The state behind a new entry's cookie; NULL with a message when memory runs out. */
static void *new_cookie(const char *what, size_t size)
{
    void *cookie = calloc(1, size);
    if (cookie == NULL) {
        ZF_LOGE("Failed to create %s: out of memory", what);
    }
    return cookie;
}

static bool entry_ok(const char *what, vmm_pci_entry_t existing)
{
    if (existing.ioread == NULL || existing.iowrite == NULL) {
        ZF_LOGE("Failed to create %s: the wrapped entry has no %s callback", what,
                existing.ioread == NULL ? "read" : "write");
        return false;
    }
    return true;
}

int vmm_pci_entry_ignore_write(UNUSED void *cookie, int offset, int size, UNUSED uint32_t value)
{
    ZF_LOGD("Ignoring PCI config write of size %d at offset 0x%x", size, offset);
    return 0;
}

int vmm_pci_mem_device_read(void *cookie, int offset, int size, uint32_t *result)
{
    if (!call_ok("read", cookie, result, offset, size)) {
        return -1;
    }
    const vmm_pci_device_def_t *def = cookie;
    const uint8_t *header = cookie;
    const uint8_t *caps = def->caps;
    size_t caps_len = def->caps_len > 0 ? (size_t)def->caps_len : 0;
    uint32_t value = 0;
    for (int i = 0; i < size; i++) {
        size_t pos = (size_t)offset + (size_t)i;
        uint8_t byte = 0;
        if (pos < PCI_HEADER_BYTES) {
            byte = header[pos];
        } else if (caps != NULL && pos - PCI_HEADER_BYTES < caps_len) {
            byte = caps[pos - PCI_HEADER_BYTES];
        }
        value |= (uint32_t)byte << (8 * i);
    }
    *result = value;
    return 0;
}

int vmm_pci_mem_device_write(void *cookie, int offset, int size, uint32_t value)
{
    if (!call_ok("write", cookie, cookie, offset, size)) {
        return -1;
    }
    if (offset >= PCI_HEADER_BYTES) {
        ZF_LOGD("Dropping PCI config write of size %d at offset 0x%x, past the header", size, offset);
        return 0;
    }
    uint8_t *header = cookie;
    for (int i = 0; i < size; i++) {
        header[offset + i] = (uint8_t)(value >> (8 * i));
    }
    return 0;
}

void define_pci_host_bridge(vmm_pci_device_def_t *bridge)
{
    if (bridge == NULL) {
        ZF_LOGE("Failed to define PCI host bridge: NULL header");
        return;
    }
    *bridge = (vmm_pci_device_def_t){
        .vendor_id = 0x5E14,
        .device_id = 0x42,
        .revision_id = 0x1,
        .class_code = PCI_BASE_CLASS_BRIDGE,
        .subclass = PCI_CLASS_BRIDGE_HOST & 0xff,
        .header_type = PCI_HEADER_TYPE_NORMAL,
    };
}

/* ---- passthrough ---------------------------------------------------------------------------------------------- */

static int passthrough_read(void *cookie, int offset, int size, uint32_t *result)
{
    pci_passthrough_device_t *dev = cookie;
    if (!call_ok("read", dev, result, offset, size)) {
        return -1;
    }
    vmm_pci_config_t *c = &dev->config;
    switch (size) {
    case 1:
        *result = c->ioread8(c->cookie, dev->addr, (unsigned int)offset);
        break;
    case 2:
        *result = c->ioread16(c->cookie, dev->addr, (unsigned int)offset);
        break;
    default:
        *result = c->ioread32(c->cookie, dev->addr, (unsigned int)offset);
        break;
    }
    return 0;
}

static int passthrough_write(void *cookie, int offset, int size, uint32_t value)
{
    pci_passthrough_device_t *dev = cookie;
    if (!call_ok("write", dev, dev, offset, size)) {
        return -1;
    }
    vmm_pci_config_t *c = &dev->config;
    switch (size) {
    case 1:
        c->iowrite8(c->cookie, dev->addr, (unsigned int)offset, (uint8_t)value);
        break;
    case 2:
        c->iowrite16(c->cookie, dev->addr, (unsigned int)offset, (uint16_t)value);
        break;
    default:
        c->iowrite32(c->cookie, dev->addr, (unsigned int)offset, value);
        break;
    }
    return 0;
}

vmm_pci_entry_t vmm_pci_create_passthrough(vmm_pci_address_t addr, vmm_pci_config_t config)
{
    if (config.ioread8 == NULL || config.ioread16 == NULL || config.ioread32 == NULL || config.iowrite8 == NULL ||
        config.iowrite16 == NULL || config.iowrite32 == NULL) {
        ZF_LOGE("Failed to create PCI passthrough for %02x:%02x.%u: an accessor is NULL", addr.bus, addr.dev, addr.fun);
        return failed_entry;
    }
    pci_passthrough_device_t *dev = new_cookie("PCI passthrough", sizeof(*dev));
    if (dev == NULL) {
        return failed_entry;
    }
    dev->addr = addr;
    dev->config = config;
    return (vmm_pci_entry_t){ .cookie = dev, .ioread = passthrough_read, .iowrite = passthrough_write };
}

/* ---- BARs ----------------------------------------------------------------------------------------------------- */

static bool bar_ok(int index, const vmm_pci_bar_t *bar)
{
    bool io = bar->mem_type == NON_MEM;
    uint64_t limit = io ? BIT(16) : BIT(32);
    size_t min_bits = io ? 2 : 4;
    size_t max_bits = io ? 16 : 31;
    if (bar->mem_type != NON_MEM && bar->mem_type != NON_PREFETCH_MEM && bar->mem_type != PREFETCH_MEM) {
        ZF_LOGE("Failed to create BAR emulation: BAR %d has unknown type %d", index, (int)bar->mem_type);
        return false;
    }
    if (bar->size_bits < min_bits || bar->size_bits > max_bits) {
        ZF_LOGE("Failed to create BAR emulation: BAR %d size_bits %zu is outside %zu..%zu", index, bar->size_bits,
                min_bits, max_bits);
        return false;
    }
    if (!IS_ALIGNED(bar->address, bar->size_bits) || (uint64_t)bar->address + BIT(bar->size_bits) > limit) {
        ZF_LOGE("Failed to create BAR emulation: BAR %d at 0x%" PRIxPTR " is not aligned to its size 0x%lx or "
                "ends past 0x%" PRIx64,
                index, bar->address, BIT(bar->size_bits), limit);
        return false;
    }
    return true;
}

static pci_bar_emulation_t *new_bar_emulation(vmm_pci_entry_t existing, int num_bars, vmm_pci_bar_t *bars)
{
    if (!entry_ok("BAR emulation", existing)) {
        return NULL;
    }
    if (num_bars < 0 || num_bars > PCI_NUM_BARS || (num_bars > 0 && bars == NULL)) {
        ZF_LOGE("Failed to create BAR emulation: %d BARs%s (0 to %d allowed)", num_bars,
                num_bars > 0 && bars == NULL ? " from a NULL array" : "", PCI_NUM_BARS);
        return NULL;
    }
    for (int i = 0; i < num_bars; i++) {
        if (!bar_ok(i, &bars[i])) {
            return NULL;
        }
    }
    pci_bar_emulation_t *emul = new_cookie("BAR emulation", sizeof(*emul));
    if (emul == NULL) {
        return NULL;
    }
    emul->passthrough = existing;
    emul->num_bars = num_bars;
    if (num_bars > 0) {
        memcpy(emul->bars, bars, sizeof(*bars) * (size_t)num_bars);
    }
    return emul;
}

static uint32_t bar_value(const pci_bar_emulation_t *emul, int bar)
{
    if (bar >= emul->num_bars) {
        return 0;
    }
    const vmm_pci_bar_t *b = &emul->bars[bar];
    uint32_t value = (uint32_t)b->address;
    if (b->mem_type == NON_MEM) {
        value |= PCI_BASE_ADDRESS_SPACE_IO;
    } else if (b->mem_type == PREFETCH_MEM) {
        value |= PCI_BASE_ADDRESS_MEM_PREFETCH;
    }
    /* Bits above the size keep what was written: all ones written reads back as the size mask. */
    return value | (emul->bar_writes[bar] & ~(uint32_t)MASK(b->size_bits));
}

static bool in_bar_regs(int offset)
{
    return offset >= PCI_BASE_ADDRESS_0 && offset < PCI_BAR_REGS_END;
}

static int bar_emul_read(void *cookie, int offset, int size, uint32_t *result)
{
    pci_bar_emulation_t *emul = cookie;
    if (!call_ok("read", emul, result, offset, size)) {
        return -1;
    }
    if (!in_bar_regs(offset)) {
        return emul->passthrough.ioread(emul->passthrough.cookie, offset, size, result);
    }
    uint32_t value = bar_value(emul, (offset - PCI_BASE_ADDRESS_0) / 4);
    *result = (value >> ((offset & 3) * 8)) & size_mask(size);
    return 0;
}

static int bar_emul_write(void *cookie, int offset, int size, uint32_t value)
{
    pci_bar_emulation_t *emul = cookie;
    if (!call_ok("write", emul, emul, offset, size)) {
        return -1;
    }
    if (!in_bar_regs(offset)) {
        return emul->passthrough.iowrite(emul->passthrough.cookie, offset, size, value);
    }
    int bar = (offset - PCI_BASE_ADDRESS_0) / 4;
    int shift = (offset & 3) * 8;
    uint32_t mask = size_mask(size) << shift;
    emul->bar_writes[bar] = (emul->bar_writes[bar] & ~mask) | ((value << shift) & mask);
    return 0;
}

static int bar_passthrough_read(void *cookie, int offset, int size, uint32_t *result)
{
    pci_bar_emulation_t *emul = cookie;
    if (emul == NULL) {
        ZF_LOGE("Failed to read PCI config space: NULL BAR passthrough");
        return -1;
    }
    return emul->passthrough.ioread(emul->passthrough.cookie, offset, size, result);
}

static int bar_passthrough_write(void *cookie, int offset, int size, uint32_t value)
{
    pci_bar_emulation_t *emul = cookie;
    if (emul == NULL) {
        ZF_LOGE("Failed to write PCI config space: NULL BAR passthrough");
        return -1;
    }
    return emul->passthrough.iowrite(emul->passthrough.cookie, offset, size, value);
}

vmm_pci_entry_t vmm_pci_create_bar_emulation(vmm_pci_entry_t existing, int num_bars, vmm_pci_bar_t *bars)
{
    pci_bar_emulation_t *emul = new_bar_emulation(existing, num_bars, bars);
    if (emul == NULL) {
        return failed_entry;
    }
    return (vmm_pci_entry_t){ .cookie = emul, .ioread = bar_emul_read, .iowrite = bar_emul_write };
}

vmm_pci_entry_t vmm_pci_create_passthrough_bar_emulation(vmm_pci_entry_t existing, int num_bars, vmm_pci_bar_t *bars)
{
    pci_bar_emulation_t *emul = new_bar_emulation(existing, num_bars, bars);
    if (emul == NULL) {
        return failed_entry;
    }
    return (vmm_pci_entry_t){ .cookie = emul, .ioread = bar_passthrough_read, .iowrite = bar_passthrough_write };
}

/* ---- interrupt line ------------------------------------------------------------------------------------------- */

static int irq_emul_read(void *cookie, int offset, int size, uint32_t *result)
{
    pci_irq_emulation_t *emul = cookie;
    if (!call_ok("read", emul, result, offset, size)) {
        return -1;
    }
    int err = emul->passthrough.ioread(emul->passthrough.cookie, offset, size, result);
    if (err == 0 && covers(offset, size, PCI_INTERRUPT_LINE)) {
        *result = patch_byte(*result, offset, PCI_INTERRUPT_LINE, (uint8_t)emul->irq);
    }
    return err;
}

static int irq_emul_write(void *cookie, int offset, int size, uint32_t value)
{
    pci_irq_emulation_t *emul = cookie;
    if (!call_ok("write", emul, emul, offset, size)) {
        return -1;
    }
    if (offset == PCI_INTERRUPT_LINE && size == 1) {
        return 0;
    }
    /* Wider writes reach the wrapped entry whole; its copy of the line is never read back through us. */
    return emul->passthrough.iowrite(emul->passthrough.cookie, offset, size, value);
}

vmm_pci_entry_t vmm_pci_create_irq_emulation(vmm_pci_entry_t existing, int irq)
{
    if (!entry_ok("IRQ emulation", existing)) {
        return failed_entry;
    }
    if (irq < 0 || irq > 255) {
        ZF_LOGE("Failed to create IRQ emulation: line %d does not fit the 8-bit register", irq);
        return failed_entry;
    }
    pci_irq_emulation_t *emul = new_cookie("IRQ emulation", sizeof(*emul));
    if (emul == NULL) {
        return failed_entry;
    }
    emul->passthrough = existing;
    emul->irq = irq;
    return (vmm_pci_entry_t){ .cookie = emul, .ioread = irq_emul_read, .iowrite = irq_emul_write };
}

/* ---- capability list ------------------------------------------------------------------------------------------ */

static bool in_ignored_range(const pci_cap_emulation_t *emul, int offset, int size)
{
    for (int i = 0; i < emul->num_ignore; i++) {
        if (offset < emul->ignore_end[i] && offset + size > emul->ignore_start[i]) {
            return true;
        }
    }
    return false;
}

static int cap_emul_read(void *cookie, int offset, int size, uint32_t *result)
{
    pci_cap_emulation_t *emul = cookie;
    if (!call_ok("read", emul, result, offset, size)) {
        return -1;
    }
    if (in_ignored_range(emul, offset, size)) {
        *result = 0;
        return 0;
    }
    int err = emul->passthrough.ioread(emul->passthrough.cookie, offset, size, result);
    if (err != 0) {
        return err;
    }
    if (covers(offset, size, PCI_STATUS)) {
        int shift = (PCI_STATUS - offset) * 8;
        *result &= ~((uint32_t)PCI_STATUS_CAP_LIST << shift);
        if (emul->num_caps > 0) {
            *result |= (uint32_t)PCI_STATUS_CAP_LIST << shift;
        }
    }
    if (covers(offset, size, PCI_CAPABILITY_LIST)) {
        *result = patch_byte(*result, offset, PCI_CAPABILITY_LIST, emul->num_caps > 0 ? emul->caps[0] : 0);
    }
    for (int i = 0; i < emul->num_caps; i++) {
        int next_reg = emul->caps[i] + PCI_CAP_LIST_NEXT;
        if (covers(offset, size, next_reg)) {
            *result = patch_byte(*result, offset, next_reg, i + 1 < emul->num_caps ? emul->caps[i + 1] : 0);
        }
    }
    return 0;
}

static int cap_emul_write(void *cookie, int offset, int size, uint32_t value)
{
    pci_cap_emulation_t *emul = cookie;
    if (!call_ok("write", emul, emul, offset, size)) {
        return -1;
    }
    if (in_ignored_range(emul, offset, size)) {
        return 0;
    }
    return emul->passthrough.iowrite(emul->passthrough.cookie, offset, size, value);
}

static bool cap_args_ok(int num_caps, const uint8_t *caps, int num_ranges, const uint8_t *starts, const uint8_t *ends)
{
    if (num_caps < 0 || num_caps > PCI_MAX_CAPS || num_ranges < 0 || num_ranges > PCI_MAX_CAPS) {
        ZF_LOGE("Failed to create capability emulation: %d capabilities and %d ranges (0 to %d each allowed)", num_caps,
                num_ranges, PCI_MAX_CAPS);
        return false;
    }
    if ((num_caps > 0 && caps == NULL) || (num_ranges > 0 && (starts == NULL || ends == NULL))) {
        ZF_LOGE("Failed to create capability emulation: NULL array");
        return false;
    }
    for (int i = 0; i < num_caps; i++) {
        if (caps[i] < PCI_HEADER_BYTES || (caps[i] & 3) != 0) {
            ZF_LOGE("Failed to create capability emulation: capability offset 0x%x is in the header or unaligned",
                    caps[i]);
            return false;
        }
    }
    for (int i = 0; i < num_ranges; i++) {
        if (starts[i] >= ends[i]) {
            ZF_LOGE("Failed to create capability emulation: empty range 0x%x-0x%x", starts[i], ends[i]);
            return false;
        }
    }
    return true;
}

static uint8_t *copy_bytes(const uint8_t *src, int n)
{
    uint8_t *dst = calloc(n > 0 ? (size_t)n : 1, 1);
    if (dst != NULL && n > 0) {
        memcpy(dst, src, (size_t)n);
    }
    return dst;
}

vmm_pci_entry_t vmm_pci_create_cap_emulation(vmm_pci_entry_t existing, int num_caps, uint8_t *caps, int num_ranges,
                                             uint8_t *range_starts, uint8_t *range_ends)
{
    if (!entry_ok("capability emulation", existing) ||
        !cap_args_ok(num_caps, caps, num_ranges, range_starts, range_ends)) {
        return failed_entry;
    }
    pci_cap_emulation_t *emul = calloc(1, sizeof(*emul));
    if (emul != NULL) {
        emul->caps = copy_bytes(caps, num_caps);
        emul->ignore_start = copy_bytes(range_starts, num_ranges);
        emul->ignore_end = copy_bytes(range_ends, num_ranges);
    }
    if (emul == NULL || emul->caps == NULL || emul->ignore_start == NULL || emul->ignore_end == NULL) {
        ZF_LOGE("Failed to create capability emulation: out of memory");
        if (emul != NULL) {
            free(emul->caps);
            free(emul->ignore_start);
            free(emul->ignore_end);
            free(emul);
        }
        return failed_entry;
    }
    emul->passthrough = existing;
    emul->num_caps = num_caps;
    emul->num_ignore = num_ranges;
    return (vmm_pci_entry_t){ .cookie = emul, .ioread = cap_emul_read, .iowrite = cap_emul_write };
}

static int read_byte(vmm_pci_entry_t e, int offset, uint8_t *byte)
{
    uint32_t value = 0;
    int err = e.ioread(e.cookie, offset, 1, &value);
    *byte = (uint8_t)value;
    return err;
}

void pci_entry_release(vmm_pci_entry_t entry)
{
    /* Wrappers are told apart by their read callback; anything else (a device's own cookie) is the caller's. */
    while (entry.cookie != NULL) {
        void *cookie = entry.cookie;
        if (entry.ioread == bar_emul_read || entry.ioread == bar_passthrough_read) {
            entry = ((pci_bar_emulation_t *)cookie)->passthrough;
        } else if (entry.ioread == irq_emul_read) {
            entry = ((pci_irq_emulation_t *)cookie)->passthrough;
        } else if (entry.ioread == cap_emul_read) {
            pci_cap_emulation_t *emul = cookie;
            entry = emul->passthrough;
            free(emul->caps);
            free(emul->ignore_start);
            free(emul->ignore_end);
        } else if (entry.ioread == passthrough_read) {
            entry = failed_entry;
        } else {
            return;
        }
        free(cookie);
    }
}

vmm_pci_entry_t vmm_pci_no_msi_cap_emulation(vmm_pci_entry_t existing)
{
    if (!entry_ok("MSI hiding", existing)) {
        return failed_entry;
    }
    uint8_t header_type = 0;
    uint8_t status = 0;
    uint8_t ptr = 0;
    if (read_byte(existing, PCI_HEADER_TYPE, &header_type) != 0 || read_byte(existing, PCI_STATUS, &status) != 0 ||
        read_byte(existing, PCI_CAPABILITY_LIST, &ptr) != 0) {
        ZF_LOGE("Failed to hide MSI capabilities: the device's header cannot be read");
        return failed_entry;
    }
    if ((header_type & ~BIT(7)) != PCI_HEADER_TYPE_NORMAL) {
        ZF_LOGE("Failed to hide MSI capabilities: header type 0x%x is not a type-0 device", header_type);
        return failed_entry;
    }
    if (!(status & PCI_STATUS_CAP_LIST)) {
        return existing;
    }
    uint8_t caps[PCI_MAX_CAPS];
    uint8_t starts[PCI_MAX_CAPS];
    uint8_t ends[PCI_MAX_CAPS];
    int num_caps = 0;
    int num_ignore = 0;
    bool seen[PCI_CONFIG_BYTES / 4] = { false };
    for (ptr &= ~MASK(2); ptr != 0;) {
        if (ptr < PCI_HEADER_BYTES || seen[ptr / 4]) {
            ZF_LOGW("Capability list of the device %s at 0x%x; ending it there",
                    ptr < PCI_HEADER_BYTES ? "points into the header" : "loops", ptr);
            break;
        }
        seen[ptr / 4] = true;
        uint8_t id = 0;
        uint8_t next = 0;
        if (read_byte(existing, ptr + PCI_CAP_LIST_ID, &id) != 0 ||
            read_byte(existing, ptr + PCI_CAP_LIST_NEXT, &next) != 0) {
            ZF_LOGE("Failed to hide MSI capabilities: the capability at 0x%x cannot be read", ptr);
            return failed_entry;
        }
        if (id == PCI_CAP_ID_MSI || id == PCI_CAP_ID_MSIX) {
            int len = id == PCI_CAP_ID_MSI ? PCI_MSI_CAP_BYTES : PCI_MSIX_CAP_BYTES;
            starts[num_ignore] = ptr;
            ends[num_ignore] = (uint8_t)MIN(ptr + len, UINT8_MAX);
            num_ignore++;
        } else {
            caps[num_caps++] = ptr;
        }
        ptr = next & ~MASK(2);
    }
    if (num_ignore == 0) {
        return existing;
    }
    return vmm_pci_create_cap_emulation(existing, num_caps, caps, num_ignore, starts, ends);
}
