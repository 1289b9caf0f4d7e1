# gdb helpers for VMMs built on libsel4vm: `sel4vm reservations VM`, `sel4vm ram VM`, `sel4vm fault VCPU`.
# SPDX-License-Identifier: BSD-2-Clause
#
# Embedded in libsel4vm's .debug_gdb_scripts section (src/gdb_scripts.c), so gdb loads it with any VMM once
# `set auto-load safe-path` allows it; `source tools/gdb/sel4vm.py` loads it by hand. It also keeps the run
# loop's kick signal (SIGURG) from stopping the program.
import gdb

gdb.execute("handle SIGURG nostop noprint pass", to_string=True)


def _object(expr, type_name):
    """The object an expression names, following one pointer; gdb.GdbError if it is not a type_name."""
    value = gdb.parse_and_eval(expr)
    if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        if int(value) == 0:
            raise gdb.GdbError("%s is NULL" % expr)
        value = value.dereference()
    if value.type.strip_typedefs().tag != type_name:
        raise gdb.GdbError("%s is a %s, not a struct %s" % (expr, value.type, type_name))
    return value


def _symbol(pointer):
    """A function pointer as `name` (or its address when it has no symbol)."""
    address = int(pointer)
    if address == 0:
        return "-"
    block = gdb.block_for_pc(address)
    if block is not None and block.function is not None:
        return block.function.print_name
    return "0x%x" % address


def _gtree_values(tree):
    """The values of a GTree in key order, read from memory: calling into the program is not possible everywhere
    (some hypervisors refuse the register writes an inferior call needs). GLib's GTree starts with its root node
    and has kept this threaded-AVL node layout since 2.0: key, value, left, right, balance, left_child,
    right_child; a link that is not a child points to the in-order neighbour."""
    inferior = gdb.selected_inferior()

    def read_word(address, size=8):
        return int.from_bytes(bytes(inferior.read_memory(address, size)), "little")

    def child_flags(node):
        flags = bytes(inferior.read_memory(node + 33, 2))
        return flags[0] != 0, flags[1] != 0

    node = read_word(tree)
    count = read_word(tree + 40, 4)
    values = []
    while node != 0 and child_flags(node)[0]:
        node = read_word(node + 16)
    while node != 0 and len(values) < count:
        values.append(read_word(node + 8))
        if child_flags(node)[1]:
            node = read_word(node + 24)
            while child_flags(node)[0]:
                node = read_word(node + 16)
        else:
            node = read_word(node + 24)
    return values


def _reservations(vm, index_name):
    """The reservations in one of the VM's range indexes (a struct range starts each reservation)."""
    cookie = vm["mem"]["reservation_cookie"]
    if int(cookie) == 0:
        return []
    cookie = cookie.cast(gdb.lookup_type("struct vm_memory_reservation_cookie").pointer())
    tree = int(cookie.dereference()[index_name]["tree"])
    if tree == 0:
        return []
    reservation = gdb.lookup_type("struct vm_memory_reservation").pointer()
    return [gdb.Value(v).cast(reservation).dereference() for v in _gtree_values(tree)]


class Sel4vm(gdb.Command):
    """Inspect libsel4vm VMs: sel4vm reservations VM, sel4vm ram VM, sel4vm fault VCPU."""

    def __init__(self):
        super().__init__("sel4vm", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class Sel4vmReservations(gdb.Command):
    """List a VM's memory reservations: sel4vm reservations VM (a vm_t or a pointer to one).
Each line: guest-physical range, kind, whether it is mapped, fault callback and cookie."""

    def __init__(self):
        super().__init__("sel4vm reservations", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        vm = _object(arg, "vm")
        rows = [(r, "reservation") for r in _reservations(vm, "regular")]
        rows += [(r, "anonymous") for r in _reservations(vm, "anon")]
        if not rows:
            print("VM %s has no reservations" % vm["vm_name"].string())
        for r, kind in sorted(rows, key=lambda row: int(row[0]["addr"])):
            start = int(r["addr"])
            state = "mapped" if r["mapped"] else "unmapped"
            print("0x%08x-0x%08x %-11s %-8s callback %s cookie 0x%x" % (
                start, start + int(r["size"]), kind, state, _symbol(r["fault_callback"]), int(r["cookie"])))


class Sel4vmRam(gdb.Command):
    """List a VM's RAM regions: sel4vm ram VM (a vm_t or a pointer to one)."""

    def __init__(self):
        super().__init__("sel4vm ram", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        vm = _object(arg, "vm")
        count = int(vm["mem"]["num_ram_regions"])
        if count == 0:
            print("VM %s has no RAM" % vm["vm_name"].string())
        for i in range(count):
            region = vm["mem"]["ram_regions"][i]
            start, size = int(region["start"]), int(region["size"])
            print("0x%08x-0x%08x %8u KiB %s" % (start, start + size, size // 1024,
                                                 "allocated" if region["allocated"] else "free"))


class Sel4vmFault(gdb.Command):
    """Show the memory fault a vCPU is handling: sel4vm fault VCPU (a vm_vcpu_t or a pointer to one)."""

    def __init__(self):
        super().__init__("sel4vm fault", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        vcpu = _object(arg, "vm_vcpu")
        state = vcpu["vcpu_arch"]["guest_state"]
        if int(state) == 0:
            raise gdb.GdbError("vCPU has no guest state")
        state = state.cast(gdb.lookup_type("struct guest_state").pointer())
        f = state.dereference()["fault"]
        if not f["pending"]:
            print("vCPU %d: no memory fault pending" % int(vcpu["vcpu_id"]))
            return
        size = int(f["size"])
        print("vCPU %d: fault 0x%x %s of %d bytes at ip 0x%x, data 0x%x%s%s" % (
            int(vcpu["vcpu_id"]), int(f["addr"]), "read" if f["is_read"] else "write", size, int(f["ip"]),
            int(f["data"]), ", advanced" if f["advanced"] else "", ", restarted" if f["restarted"] else ""))


Sel4vm()
Sel4vmReservations()
Sel4vmRam()
Sel4vmFault()
