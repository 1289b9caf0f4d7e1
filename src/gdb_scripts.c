/* Embeds the gdb helpers (tools/gdb/sel4vm.py) in every program linking libsel4vm, as an inline auto-load script. */
/* SPDX-License-Identifier: BSD-2-Clause */

/* A .debug_gdb_scripts entry: type 4 (inline script), its name up to the first newline, the Python text, NUL.
 * gdb runs it when it loads the program, if `set auto-load safe-path` covers the program (docs/debugging.md). */
__asm__(".pushsection \".debug_gdb_scripts\", \"MS\", @progbits, 1\n"
        ".globl sel4vm_gdb_scripts\n"
        "sel4vm_gdb_scripts:\n"
        ".byte 4\n"
        ".ascii \"sel4vm-gdb-helpers\\n\"\n"
        ".incbin \"tools/gdb/sel4vm.py\"\n"
        ".byte 0\n"
        ".popsection\n");
