/* util_libs' platsupport I/O operations: device-memory mapping, I/O ports, DMA and malloc, bundled for drivers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <utils/util.h>

/***
 * @module io.h
 * The operations a driver or VMM module receives in one `ps_io_ops_t`. The wrappers check their arguments
 * and fail with NULL or -EINVAL where upstream asserts, so a missing operation is an error, not a crash.
 */

typedef struct ps_io_ops ps_io_ops_t;

typedef enum ps_mem_flags {
    PS_MEM_NORMAL,
    PS_MEM_HR,
    PS_MEM_HW,
} ps_mem_flags_t;

typedef void *(*ps_io_map_fn_t)(void *cookie, uintptr_t paddr, size_t size, int cached, ps_mem_flags_t flags);
typedef void (*ps_io_unmap_fn_t)(void *cookie, void *vaddr, size_t size);

typedef struct ps_io_mapper {
    void *cookie;
    ps_io_map_fn_t io_map_fn;
    ps_io_unmap_fn_t io_unmap_fn;
} ps_io_mapper_t;

/***
 * @function ps_io_map(io_mapper, paddr, size, cached, flags)
 * Map physical memory (device registers or RAM) into the caller's address space.
 * @param {const ps_io_mapper_t *} io_mapper The mapper
 * @param {uintptr_t} paddr Physical address
 * @param {size_t} size Bytes to map
 * @param {int} cached Non-zero for cacheable memory
 * @param {ps_mem_flags_t} flags Usage hint
 * @return the virtual address of paddr, or NULL on failure
 */
static inline void *ps_io_map(const ps_io_mapper_t *io_mapper, uintptr_t paddr, size_t size, int cached,
                              ps_mem_flags_t flags)
{
    if (io_mapper == NULL || io_mapper->io_map_fn == NULL) {
        ZF_LOGE("Failed to map I/O memory: no mapper");
        return NULL;
    }
    return io_mapper->io_map_fn(io_mapper->cookie, paddr, size, cached, flags);
}

/***
 * @function ps_io_unmap(io_mapper, vaddr, size)
 * Undo a ps_io_map.
 * @param {const ps_io_mapper_t *} io_mapper The mapper
 * @param {void *} vaddr Address ps_io_map returned
 * @param {size_t} size The size given to ps_io_map
 */
static inline void ps_io_unmap(const ps_io_mapper_t *io_mapper, void *vaddr, size_t size)
{
    if (io_mapper == NULL || io_mapper->io_unmap_fn == NULL) {
        ZF_LOGE("Failed to unmap I/O memory: no mapper");
        return;
    }
    io_mapper->io_unmap_fn(io_mapper->cookie, vaddr, size);
}

typedef int (*ps_io_port_in_fn_t)(void *cookie, uint32_t port, int io_size, uint32_t *result);
typedef int (*ps_io_port_out_fn_t)(void *cookie, uint32_t port, int io_size, uint32_t val);

typedef struct ps_io_port_ops {
    void *cookie;
    ps_io_port_in_fn_t io_port_in_fn;
    ps_io_port_out_fn_t io_port_out_fn;
} ps_io_port_ops_t;

static inline int ps_io_port_in(const ps_io_port_ops_t *port_ops, uint32_t port, int io_size, uint32_t *result)
{
    if (port_ops == NULL || port_ops->io_port_in_fn == NULL) {
        ZF_LOGE("Failed to read I/O port 0x%x: no port operations", port);
        return -EINVAL;
    }
    return port_ops->io_port_in_fn(port_ops->cookie, port, io_size, result);
}

static inline int ps_io_port_out(const ps_io_port_ops_t *port_ops, uint32_t port, int io_size, uint32_t val)
{
    if (port_ops == NULL || port_ops->io_port_out_fn == NULL) {
        ZF_LOGE("Failed to write I/O port 0x%x: no port operations", port);
        return -EINVAL;
    }
    return port_ops->io_port_out_fn(port_ops->cookie, port, io_size, val);
}

typedef enum dma_cache_op {
    DMA_CACHE_OP_CLEAN,
    DMA_CACHE_OP_INVALIDATE,
    DMA_CACHE_OP_CLEAN_INVALIDATE,
} dma_cache_op_t;

typedef void *(*ps_dma_alloc_fn_t)(void *cookie, size_t size, int align, int cached, ps_mem_flags_t flags);
typedef void (*ps_dma_free_fn_t)(void *cookie, void *addr, size_t size);
typedef uintptr_t (*ps_dma_pin_fn_t)(void *cookie, void *addr, size_t size);
typedef void (*ps_dma_unpin_fn_t)(void *cookie, void *addr, size_t size);
typedef void (*ps_dma_cache_op_fn_t)(void *cookie, void *addr, size_t size, dma_cache_op_t op);

typedef struct ps_dma_man {
    void *cookie;
    ps_dma_alloc_fn_t dma_alloc_fn;
    ps_dma_free_fn_t dma_free_fn;
    ps_dma_pin_fn_t dma_pin_fn;
    ps_dma_unpin_fn_t dma_unpin_fn;
    ps_dma_cache_op_fn_t dma_cache_op_fn;
} ps_dma_man_t;

static inline void *ps_dma_alloc(const ps_dma_man_t *dma_man, size_t size, int align, int cache, ps_mem_flags_t flags)
{
    if (dma_man == NULL || dma_man->dma_alloc_fn == NULL) {
        ZF_LOGE("Failed to allocate DMA memory: no DMA manager");
        return NULL;
    }
    return dma_man->dma_alloc_fn(dma_man->cookie, size, align, cache, flags);
}

static inline void ps_dma_free(const ps_dma_man_t *dma_man, void *addr, size_t size)
{
    if (dma_man != NULL && dma_man->dma_free_fn != NULL) {
        dma_man->dma_free_fn(dma_man->cookie, addr, size);
    }
}

static inline uintptr_t ps_dma_pin(const ps_dma_man_t *dma_man, void *addr, size_t size)
{
    if (dma_man == NULL || dma_man->dma_pin_fn == NULL) {
        ZF_LOGE("Failed to pin DMA memory: no DMA manager");
        return 0;
    }
    return dma_man->dma_pin_fn(dma_man->cookie, addr, size);
}

static inline void ps_dma_unpin(const ps_dma_man_t *dma_man, void *addr, size_t size)
{
    if (dma_man != NULL && dma_man->dma_unpin_fn != NULL) {
        dma_man->dma_unpin_fn(dma_man->cookie, addr, size);
    }
}

/* Cache maintenance is a no-op on x86's coherent DMA, so a missing operation is not an error. */
static inline void ps_dma_cache_op(const ps_dma_man_t *dma_man, void *addr, size_t size, dma_cache_op_t op)
{
    if (dma_man != NULL && dma_man->dma_cache_op_fn != NULL) {
        dma_man->dma_cache_op_fn(dma_man->cookie, addr, size, op);
    }
}

static inline void ps_dma_cache_clean(const ps_dma_man_t *dma_man, void *addr, size_t size)
{
    ps_dma_cache_op(dma_man, addr, size, DMA_CACHE_OP_CLEAN);
}

static inline void ps_dma_cache_invalidate(const ps_dma_man_t *dma_man, void *addr, size_t size)
{
    ps_dma_cache_op(dma_man, addr, size, DMA_CACHE_OP_INVALIDATE);
}

static inline void ps_dma_cache_clean_invalidate(const ps_dma_man_t *dma_man, void *addr, size_t size)
{
    ps_dma_cache_op(dma_man, addr, size, DMA_CACHE_OP_CLEAN_INVALIDATE);
}

typedef int (*ps_malloc_fn_t)(void *cookie, size_t size, void **ptr);
typedef int (*ps_calloc_fn_t)(void *cookie, size_t nmemb, size_t size, void **ptr);
typedef int (*ps_free_fn_t)(void *cookie, size_t size, void *ptr);

typedef struct ps_malloc_ops {
    ps_malloc_fn_t malloc;
    ps_calloc_fn_t calloc;
    ps_free_fn_t free;
    void *cookie;
} ps_malloc_ops_t;

/***
 * @function ps_malloc(ops, size, ptr)
 * Allocate memory through the malloc operations.
 * @param {const ps_malloc_ops_t *} ops The operations
 * @param {size_t} size Bytes (non-zero)
 * @param {void **} ptr Receives the memory
 * @return 0 on success, -EINVAL on bad arguments, -ENOMEM when out of memory
 */
static inline int ps_malloc(const ps_malloc_ops_t *ops, size_t size, void **ptr)
{
    if (ops == NULL || ops->malloc == NULL || ptr == NULL || size == 0) {
        ZF_LOGE("Failed to allocate %zu bytes: bad arguments", size);
        return -EINVAL;
    }
    return ops->malloc(ops->cookie, size, ptr);
}

/***
 * @function ps_calloc(ops, nmemb, size, ptr)
 * Allocate zeroed memory for an array through the malloc operations.
 * @param {const ps_malloc_ops_t *} ops The operations
 * @param {size_t} nmemb Elements (non-zero)
 * @param {size_t} size Bytes per element (non-zero)
 * @param {void **} ptr Receives the memory
 * @return 0 on success, -EINVAL on bad arguments, -ENOMEM when out of memory or nmemb * size overflows
 */
static inline int ps_calloc(const ps_malloc_ops_t *ops, size_t nmemb, size_t size, void **ptr)
{
    if (ops == NULL || ops->calloc == NULL || ptr == NULL || nmemb == 0 || size == 0) {
        ZF_LOGE("Failed to allocate %zu x %zu bytes: bad arguments", nmemb, size);
        return -EINVAL;
    }
    return ops->calloc(ops->cookie, nmemb, size, ptr);
}

/***
 * @function ps_free(ops, size, ptr)
 * Free memory from ps_malloc or ps_calloc.
 * @param {const ps_malloc_ops_t *} ops The operations
 * @param {size_t} size The size allocated
 * @param {void *} ptr The memory
 * @return 0 on success, -EINVAL on bad arguments
 */
static inline int ps_free(const ps_malloc_ops_t *ops, size_t size, void *ptr)
{
    if (ops == NULL || ops->free == NULL || ptr == NULL) {
        ZF_LOGE("Failed to free memory: bad arguments");
        return -EINVAL;
    }
    return ops->free(ops->cookie, size, ptr);
}

typedef char *(*ps_io_fdt_get_fn_t)(void *cookie);

typedef struct ps_io_fdt {
    void *cookie;
    ps_io_fdt_get_fn_t get_fn;
} ps_io_fdt_t;

static inline char *ps_io_fdt_get(const ps_io_fdt_t *io_fdt)
{
    if (io_fdt == NULL || io_fdt->get_fn == NULL) {
        return NULL;
    }
    return io_fdt->get_fn(io_fdt->cookie);
}

typedef int irq_id_t;
typedef void (*ps_irq_acknowledge_fn_t)(void *ack_data);
typedef void (*irq_callback_fn_t)(void *data, ps_irq_acknowledge_fn_t acknowledge_fn, void *ack_data);

typedef enum irq_type {
    PS_NONE,
    PS_MSI,
    PS_IOAPIC,
    PS_INTERRUPT,
    PS_TRIGGER,
    PS_PER_CPU,
} irq_type_t;

typedef struct ps_irq {
    irq_type_t type;
    union {
        struct {
            long ioapic;
            long pin;
            long level;
            long polarity;
            long vector;
        } ioapic;
        struct {
            long pci_bus;
            long pci_dev;
            long pci_func;
            long handle;
            long vector;
        } msi;
        struct {
            long number;
        } irq;
        struct {
            long number;
            long trigger;
        } trigger;
        struct {
            long number;
            long trigger;
            long cpu_idx;
        } cpu;
    };
} ps_irq_t;

typedef irq_id_t (*ps_irq_register_fn_t)(void *cookie, ps_irq_t irq, irq_callback_fn_t callback, void *callback_data);
typedef int (*ps_irq_unregister_fn_t)(void *cookie, irq_id_t irq_id);

typedef struct ps_irq_ops {
    void *cookie;
    ps_irq_register_fn_t irq_register_fn;
    ps_irq_unregister_fn_t irq_unregister_fn;
} ps_irq_ops_t;

typedef enum ps_interface_type {
    PS_NULL_INTERFACE,
    PS_CLOCK_INTERFACE,
    PS_RESET_INTERFACE,
    PS_TIMER_INTERFACE,
    PS_SERIAL_INTERFACE,
    PS_ETHERNET_INTERFACE,
} ps_interface_type_t;

typedef int (*ps_interface_register_fn_t)(void *cookie, ps_interface_type_t interface_type, void *interface_instance,
                                          char **properties);
typedef int (*ps_interface_unregister_fn_t)(void *cookie, ps_interface_type_t interface_type, void *interface_instance);
typedef int (*ps_interface_search_handler_t)(void *handler_data, void *interface_instance, char **properties);
typedef int (*ps_interface_find_fn_t)(void *cookie, ps_interface_type_t interface_type,
                                      ps_interface_search_handler_t handler, void *handler_data);

typedef struct ps_interface_registration_ops {
    void *cookie;
    ps_interface_register_fn_t interface_register_fn;
    ps_interface_unregister_fn_t interface_unregister_fn;
    ps_interface_find_fn_t interface_find_fn;
} ps_interface_registration_ops_t;

/***
 * @struct ps_io_ops_t
 * Everything a driver needs from its environment.
 * @param {ps_io_mapper_t} io_mapper Physical memory mapping
 * @param {ps_io_port_ops_t} io_port_ops x86 I/O port access
 * @param {ps_dma_man_t} dma_manager DMA memory
 * @param {ps_io_fdt_t} io_fdt Device tree access (none on x86)
 * @param {ps_malloc_ops_t} malloc_ops Heap memory
 * @param {ps_irq_ops_t} irq_ops Interrupt registration
 * @param {ps_interface_registration_ops_t} interface_registration_ops Driver interface registry
 */
struct ps_io_ops {
    ps_io_mapper_t io_mapper;
    ps_io_port_ops_t io_port_ops;
    ps_dma_man_t dma_manager;
    ps_io_fdt_t io_fdt;
    ps_malloc_ops_t malloc_ops;
    ps_irq_ops_t irq_ops;
    ps_interface_registration_ops_t interface_registration_ops;
};
