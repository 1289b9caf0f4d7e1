# sel4vm-kvm: one entry point for build, run, test, bench, docs, format and install (GNU Make).
# SPDX-License-Identifier: BSD-2-Clause
#
# Sources are found by wildcard: adding a .c file under sim/, src/, kvm_backend/, tests/ or examples/ needs no
# edit here. Everything generated goes under $(BUILD); `make V=1` shows full command lines.

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:
# Objects are intermediate files of pattern chains; keep them so that rebuilds stay incremental.
.SECONDARY:

VERSION := 0.1.0
# SANITIZE=1 builds everything but the freestanding guests with AddressSanitizer and UBSan (any UB aborts), in its
# own tree so that switching back and forth rebuilds nothing.
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build/sanitize
endif
BUILD ?= build
OBJ := $(BUILD)/obj
PREFIX ?= /usr/local
DESTDIR ?=
CLANG_FORMAT ?= clang-format
RUN_EXAMPLE ?= hello

CFLAGS ?= -O2 -g
ifeq ($(SANITIZE),1)
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override CFLAGS += $(SANITIZE_FLAGS)
override LDFLAGS += $(SANITIZE_FLAGS)
endif
PROJECT_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Iinclude -Isrc -MMD -MP

V ?= 0
ifeq ($(V),0)
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
else
Q :=
say :=
endif

# Goals that need neither a compiler nor the libraries, so they skip the dependency check.
NO_CONFIG_GOALS := clean format format-check help
NEEDS_CONFIG := $(if $(MAKECMDGOALS),$(filter-out $(NO_CONFIG_GOALS),$(MAKECMDGOALS)),all)

# ---- dependency check: once per build tree; its result caches the pkg-config flags ----------------------------

CONFIG_MK := $(BUILD)/config.mk

ifneq ($(NEEDS_CONFIG),)
include $(CONFIG_MK)
endif

$(CONFIG_MK): tests/tools/deps.sh
	@mkdir -p $(@D)
	$(Q)CC='$(CC)' sh tests/tools/deps.sh
	$(Q){ printf 'GLIB_CFLAGS := %s\n' "$$(pkg-config --cflags glib-2.0)"; \
	      printf 'GLIB_LIBS := %s\n' "$$(pkg-config --libs glib-2.0)"; \
	      printf 'CMOCKA_CFLAGS := %s\n' "$$(pkg-config --cflags cmocka)"; \
	      printf 'CMOCKA_LIBS := %s\n' "$$(pkg-config --libs cmocka)"; } >$@.tmp && mv $@.tmp $@

# Changing the compiler or flags rebuilds everything: objects depend on a file holding the current set.
FLAGS_FILE := $(BUILD)/flags
FLAGS_LINE := $(CC) | $(CPPFLAGS) $(CFLAGS) | $(LDFLAGS)
ifneq ($(NEEDS_CONFIG),)
ifneq ($(FLAGS_LINE),$(file <$(FLAGS_FILE)))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_FILE),$(FLAGS_LINE))
endif
endif
$(FLAGS_FILE):
	@mkdir -p $(@D) && printf '%s\n' '$(FLAGS_LINE)' >$@

ALL_CFLAGS = $(PROJECT_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(GLIB_CFLAGS)
SYS_LIBS = $(GLIB_LIBS) -lpthread

# ---- sources ------------------------------------------------------------------------------------------------------

# All files under directory $(1) whose names match pattern $(2), recursively.
rwildcard = $(foreach d,$(wildcard $(1:=/*)),$(call rwildcard,$(d),$(2)) $(filter $(subst *,%,$(2)),$(d)))
obj_of = $(patsubst %.c,$(OBJ)/%.o,$(1))

SIM_SRCS := $(sort $(call rwildcard,sim,*.c))
VM_SRCS := $(sort $(call rwildcard,src,*.c))
# kvm_backend/bare: plain KVM programs that benchmarks measure the library against; not part of the library.
BARE_SRCS := $(sort $(wildcard kvm_backend/bare/*.c))
KVM_SRCS := $(filter-out $(BARE_SRCS),$(sort $(call rwildcard,kvm_backend,*.c)))

LIBSIM := $(BUILD)/libsel4sim.a
LIBVM := $(BUILD)/libsel4vm.a

# A library with no sources is not built, linked or installed. The KVM backend goes into libsel4vm: the library
# drives the backend and the backend's run loop calls back into the library's fault and I/O dispatch, so two
# archives would depend on each other. The directory split keeps <linux/kvm.h> out of src/.
LIBS := $(if $(VM_SRCS)$(KVM_SRCS),$(LIBVM)) $(if $(SIM_SRCS),$(LIBSIM))

# tests/unit and tests/kvm: each test_*.c is a binary; any other .c there is linked into that folder's tests.
# tests/bench: each bench_*.c is a benchmark binary, linked with the other .c files there and the bare-KVM baselines;
# bare.c is the baselines' own program, linked with libc only.
TEST_DIRS := tests/unit tests/kvm
TEST_SRCS := $(sort $(foreach d,$(TEST_DIRS),$(wildcard $(d)/test_*.c)))
TEST_BINS := $(TEST_SRCS:%.c=$(BUILD)/%)
# $(call test_helpers,unit/): the helper objects of one folder (its argument ends in a slash).
test_helpers = $(if $(filter bench/,$(1)),$(call obj_of,$(BARE_SRCS) $(BENCH_HELPER_SRCS)) $(EXAMPLE_COMMON_OBJS),$(call obj_of,$(filter-out $(wildcard tests/$(1)test_*.c),$(wildcard \
    tests/$(1)*.c))))
BENCH_SRCS := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_HELPER_SRCS := $(filter-out $(BENCH_SRCS) tests/bench/bare.c,$(wildcard tests/bench/*.c))
BENCH_BARE := $(BUILD)/tests/bench/bare
BENCH_BINS := $(BENCH_SRCS:%.c=$(BUILD)/%) $(BENCH_BARE)

# examples/<name>/*.c make one program, $(BUILD)/examples/<name>.
EXAMPLES := $(sort $(notdir $(patsubst %/main.c,%,$(wildcard examples/*/main.c))))
EXAMPLE_BINS := $(EXAMPLES:%=$(BUILD)/examples/%)
# examples/common/*.c: VMM code several examples share, linked into each.
EXAMPLE_COMMON_OBJS = $(call obj_of,$(wildcard examples/common/*.c))

# examples/<name>/guest/*.c: the example's guest, freestanding 32-bit C linked at 1 MiB with the test guests' library
# (EXAMPLE_GUEST_LIB: entry code, serial, PIC, PCI, cross-VM devices; tests/guests/README.md) and their linker script,
# built with gcc even when CC is clang (GUEST_CC, as for the test guests); $(BUILD)/examples/<name>-guest.elf.
EXAMPLE_GUESTS := $(sort $(notdir $(patsubst %/guest/,%,$(dir $(wildcard examples/*/guest/*.c)))))
EXAMPLE_GUEST_ELFS := $(EXAMPLE_GUESTS:%=$(BUILD)/examples/%-guest.elf)
EXAMPLE_GUEST_LIB := tests/guests/lib
EXAMPLE_GUEST_LD := tests/guests/guest.ld
EXAMPLE_GUEST_CFLAGS := -m32 -O2 -std=gnu11 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
    -fno-stack-protector -fno-asynchronous-unwind-tables -mgeneral-regs-only -I$(EXAMPLE_GUEST_LIB) -nostdlib -static \
    -no-pie -Wl,--build-id=none,-z,max-page-size=0x1000,-z,noexecstack,--no-warn-rwx-segments,--fatal-warnings \
    -T $(EXAMPLE_GUEST_LD)

# tests/unit/headers/*.c: each includes one public header alone; compiling it proves the header stands alone.
HEADER_CHECK_SRCS := $(sort $(wildcard tests/unit/headers/*.c))
HEADER_CHECKS := $(HEADER_CHECK_SRCS:%.c=$(BUILD)/%.ok)

DOCGEN_SRCS := $(sort $(wildcard docs/tools/*.c))
DOCGEN := $(BUILD)/tools/docgen

# ---- build --------------------------------------------------------------------------------------------------------

.PHONY: all run test test-valgrind bench docs docs-check format format-check install install-check clean help FORCE
all: $(LIBS) $(EXAMPLE_BINS) $(EXAMPLE_GUEST_ELFS) $(TEST_BINS) $(BENCH_BINS) $(DOCGEN) $(HEADER_CHECKS)

$(OBJ)/tests/%.o: ALL_CFLAGS += $(CMOCKA_CFLAGS)

$(OBJ)/%.o: %.c $(FLAGS_FILE) $(CONFIG_MK)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -c $< -o $@

# -Iinclude only (not -Isrc), and -O2 because some warnings in inline helpers only appear when optimising.
$(BUILD)/tests/unit/headers/%.ok: tests/unit/headers/%.c $(FLAGS_FILE) $(CONFIG_MK)
	@mkdir -p $(@D)
	$(call say,HDR,$<)$(CC) -std=gnu11 -Wall -Wextra -Werror -Iinclude -O2 -MMD -MP -MT $@ -MF $@.d -c $< -o /dev/null
	@touch $@

$(LIBSIM): $(call obj_of,$(SIM_SRCS))
$(LIBVM): $(call obj_of,$(VM_SRCS) $(KVM_SRCS))
# The gdb helpers are assembled into libsel4vm (.incbin), which dependency files do not record.
$(OBJ)/src/gdb_scripts.o: tools/gdb/sel4vm.py
$(BUILD)/lib%.a:
	@rm -f $@
	$(call say,AR,$@)$(AR) rcs $@ $^

link = $(call say,LD,$@)mkdir -p $(@D) && $(CC) $(LDFLAGS) $(1) -o $@ $(LIBS) $(SYS_LIBS)

.SECONDEXPANSION:
# No '%' inside the $$ parts below: make substitutes the stem there before the second expansion.
$(BUILD)/tests/%: $(OBJ)/tests/%.o $$(call test_helpers,$$(dir $$*)) $(LIBS)
	$(call link,$(filter %.o,$^)) $(CMOCKA_LIBS)

$(BUILD)/examples/%: $$(call obj_of,$$(wildcard examples/$$*/*.c)) $(EXAMPLE_COMMON_OBJS) $(LIBS)
	$(call link,$(filter %.o,$^))
# This test is of the mmio-device example's device model, so it links that device (examples/common).
$(BUILD)/tests/unit/test_example_mmio_device: $(OBJ)/examples/common/timer_device.o

$(BUILD)/examples/%-guest.elf: $$(wildcard examples/$$*/guest/*.c examples/$$*/guest/*.h) \
    $(wildcard $(EXAMPLE_GUEST_LIB)/*.S $(EXAMPLE_GUEST_LIB)/*.c $(EXAMPLE_GUEST_LIB)/*.h) $(EXAMPLE_GUEST_LD) \
    $(FLAGS_FILE) Makefile
	@mkdir -p $(@D)
	$(call say,GUEST,$@)$(GUEST_CC) $(EXAMPLE_GUEST_CFLAGS) $(filter %.c %.S,$^) -o $@

# Examples find their guests where this build put them.
$(OBJ)/examples/%.o: ALL_CFLAGS += -DEXAMPLE_GUEST_DIR='"$(abspath $(BUILD))/examples"'
# The bad-input matrix checks that every function of the public headers has a row, reading them from the tree.
$(OBJ)/tests/unit/test_bad_input_%.o: ALL_CFLAGS += -DSEL4KVM_SOURCE_INCLUDE='"$(abspath include)"'

$(DOCGEN): $(call obj_of,$(DOCGEN_SRCS))
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(LDFLAGS) $^ -o $@ $(GLIB_LIBS)

# ---- test guests --------------------------------------------------------------------------------------------------

# Tiny x86 guests for tests/kvm, built from tests/guests (README.md there) with GCC whatever CC is: clang's
# assembler and freestanding -m32 output differ in details the guests rely on. Name suffixes give the mode:
# <name>_16.S is real mode, <name>_32.{S,c} 32-bit, <name>_64.{S,c} 64-bit; <name>.{S,c} builds both
# <name>_32 and <name>_64. C guests are linked with tests/guests/lib; assembly guests stand alone.
GUEST_CC ?= gcc
GUEST_OBJCOPY ?= objcopy
GUEST_SRC_DIR := tests/guests
GUEST_DIR := $(BUILD)/tests/guests
GUEST_OBJ := $(OBJ)/tests/guests
GUEST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -ffreestanding -fno-builtin -fno-pic -fno-pie \
    -fno-stack-protector -fno-asynchronous-unwind-tables -mgeneral-regs-only -I$(GUEST_SRC_DIR)/lib -MMD -MP
GUEST_ARCH_FLAGS_16 := -m32
GUEST_ARCH_FLAGS_32 := -m32
GUEST_ARCH_FLAGS_64 := -m64 -mno-red-zone
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none,-z,max-page-size=0x1000,-z,noexecstack \
    -Wl,--no-warn-rwx-segments,--fatal-warnings

GUEST_MODE_SRCS := $(wildcard $(foreach m,16 32 64,$(GUEST_SRC_DIR)/*_$(m).S $(GUEST_SRC_DIR)/*_$(m).c))
GUEST_BOTH_SRCS := $(filter-out $(GUEST_MODE_SRCS) $(GUEST_SRC_DIR)/*_16.c,$(wildcard $(GUEST_SRC_DIR)/*.S \
    $(GUEST_SRC_DIR)/*.c))
GUEST_NAMES := $(sort $(notdir $(basename $(GUEST_MODE_SRCS))) \
    $(foreach s,$(notdir $(basename $(GUEST_BOTH_SRCS))),$(s)_32 $(s)_64))
GUEST_ELFS := $(GUEST_NAMES:%=$(GUEST_DIR)/%.elf)
GUEST_IMAGES := $(GUEST_ELFS) $(GUEST_ELFS:.elf=.bin)
GUEST_LIB_SRCS := $(wildcard $(GUEST_SRC_DIR)/lib/*.S $(GUEST_SRC_DIR)/lib/*.c)

# $(call guest_src,name,mode): the source of guest <name>_<mode>.
guest_src = $(firstword $(wildcard $(GUEST_SRC_DIR)/$(1)_$(2).S $(GUEST_SRC_DIR)/$(1)_$(2).c $(GUEST_SRC_DIR)/$(1).S \
    $(GUEST_SRC_DIR)/$(1).c))
guest_obj = $(patsubst $(GUEST_SRC_DIR)/%,$(GUEST_OBJ)/$(2)/%.o,$(basename $(1)))
# $(call guest_objs,name,mode): its objects, with the library for a C guest.
guest_objs = $(call guest_obj,$(call guest_src,$(1),$(2)),$(2)) $(if $(filter %.c,$(call guest_src,$(1),$(2))),$(foreach \
    s,$(GUEST_LIB_SRCS),$(call guest_obj,$(s),$(2))))

all: $(GUEST_IMAGES)
# The kvm tests find the images through GUEST_DIR and share lib/layout.h with them.
$(OBJ)/tests/kvm/%.o: ALL_CFLAGS += -DGUEST_DIR=\"$(abspath $(GUEST_DIR))\" -I$(GUEST_SRC_DIR)/lib
$(filter $(BUILD)/tests/kvm/%,$(TEST_BINS)): $(GUEST_IMAGES)
# Some kvm tests run the examples as a user would.
$(OBJ)/tests/kvm/%.o: ALL_CFLAGS += -DEXAMPLE_DIR=\"$(abspath $(BUILD))/examples\"
$(filter $(BUILD)/tests/kvm/%,$(TEST_BINS)): $(EXAMPLE_BINS) $(EXAMPLE_GUEST_ELFS)
# Benchmarks run test guests too, on the examples' VMM code (examples/common).
$(OBJ)/tests/bench/%.o: ALL_CFLAGS += -DGUEST_DIR=\"$(abspath $(GUEST_DIR))\" -I$(GUEST_SRC_DIR)/lib -Iexamples/common
$(BENCH_BINS): $(GUEST_IMAGES)
# The suite runs the bare program and examples/hello from where this build put them.
$(OBJ)/tests/bench/%.o: ALL_CFLAGS += -DBENCH_BUILD_DIR=\"$(abspath $(BUILD))\"
$(BENCH_BARE): $(OBJ)/tests/bench/bare.o $(call obj_of,$(BARE_SRCS))
	$(call say,LD,$@)$(CC) $(LDFLAGS) $(filter %.o,$^) -o $@

define guest_mode_rules
$(GUEST_OBJ)/$(1)/%.o: $(GUEST_SRC_DIR)/%.S
	@mkdir -p $$(@D)
	$$(call say,GUEST,$$<)$(GUEST_CC) $(GUEST_ARCH_FLAGS_$(1)) $(GUEST_CFLAGS) -c $$< -o $$@
$(GUEST_OBJ)/$(1)/%.o: $(GUEST_SRC_DIR)/%.c
	@mkdir -p $$(@D)
	$$(call say,GUEST,$$<)$(GUEST_CC) $(GUEST_ARCH_FLAGS_$(1)) $(GUEST_CFLAGS) -c $$< -o $$@
$(GUEST_DIR)/%_$(1).elf: $$$$(call guest_objs,$$$$*,$(1)) $(GUEST_SRC_DIR)/$(if $(filter 16,$(1)),real,guest).ld
	@mkdir -p $$(@D)
	$$(call say,GUEST,$$@)$(GUEST_CC) $(GUEST_ARCH_FLAGS_$(1)) $(GUEST_LDFLAGS) -T $$(filter %.ld,$$^) \
	    $$(filter %.o,$$^) -o $$@
endef
$(foreach m,16 32 64,$(eval $(call guest_mode_rules,$(m))))

$(GUEST_DIR)/%.bin: $(GUEST_DIR)/%.elf
	$(call say,GUEST,$@)$(GUEST_OBJCOPY) -O binary $< $@

-include $(wildcard $(GUEST_OBJ)/*/*.d $(GUEST_OBJ)/*/lib/*.d)
# The header checks' own dependency files, so a changed header is checked again.
-include $(wildcard $(HEADER_CHECKS:=.d))

# ---- run, test, bench ---------------------------------------------------------------------------------------------

# `make run-<example>` builds and runs one example (its guest, and every other example guest it may load);
# `make run` runs RUN_EXAMPLE.
run: run-$(RUN_EXAMPLE)
run-%: $(BUILD)/examples/% $(EXAMPLE_GUEST_ELFS)
	$(BUILD)/examples/$*

# Every binary runs even after a failure, so one run shows all of them; the goal fails if any did.
test: all fuzz-regress
	@failed=; for t in $(TEST_BINS); do \
	    printf '\n== %s\n' "$$t"; "$$t" || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then printf '\nFAILED:%s\n' "$$failed"; exit 1; fi; \
	printf '\nAll %s test binaries passed.\n' '$(words $(TEST_BINS))'

# The test-backend unit tests under memcheck: any memory error or definite leak fails (KVM tests are left out:
# valgrind does not know the KVM ioctls' effects on memory). A binary fails alone, as in `make test`.
VALGRIND ?= valgrind
VALGRIND_FLAGS := --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite
UNIT_TEST_BINS := $(filter $(BUILD)/tests/unit/%,$(TEST_BINS))
test-valgrind: $(UNIT_TEST_BINS)
	$(Q)SEL4KVM_TOOLS=valgrind CC='$(CC)' sh tests/tools/deps.sh
	@failed=; for t in $(UNIT_TEST_BINS); do \
	    printf '\n== valgrind %s\n' "$$t"; $(VALGRIND) $(VALGRIND_FLAGS) "$$t" || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then printf '\nFAILED under valgrind:%s\n' "$$failed"; exit 1; fi; \
	printf '\nAll %s unit test binaries passed under valgrind.\n' '$(words $(UNIT_TEST_BINS))'

# One table from tests/bench/bench_suite (docs/performance.md explains it), also written to $(BUILD)/bench.json.
bench: $(BENCH_BINS) $(filter %/hello,$(EXAMPLE_BINS)) $(filter %/hello-guest.elf,$(EXAMPLE_GUEST_ELFS))
	$(BUILD)/tests/bench/bench_suite --json $(BUILD)/bench.json

# ---- fuzzing ------------------------------------------------------------------------------------------------------

# tests/fuzz/fuzz_<name>.c: libFuzzer harnesses (tests/fuzz/README.md). `make test` runs each once over the inputs
# kept in tests/fuzz/regressions/<name>/ and its seeds in tests/fuzz/corpus/<name>/, built normally with
# regress_main.c as main; `make fuzz` builds them with clang's libFuzzer, ASan and UBSan in $(FUZZ_BUILD) and runs
# each for FUZZ_SECONDS from its seeds (new inputs go to $(FUZZ_BUILD)/corpus, findings to $(FUZZ_BUILD)/findings),
# failing on the first finding.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build/fuzz
FUZZ_CC ?= clang
FUZZ_NAMES := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_REGRESS_BINS := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/regress_%)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: fuzz fuzz-bins fuzz-regress
all: $(FUZZ_REGRESS_BINS)
$(BUILD)/tests/fuzz/regress_%: $(OBJ)/tests/fuzz/fuzz_%.o $(OBJ)/tests/fuzz/regress_main.o $(LIBS)
	$(call link,$(filter %.o,$^))
$(BUILD)/tests/fuzz/fuzz_%: $(OBJ)/tests/fuzz/fuzz_%.o $(LIBS)
	$(call link,$(filter %.o,$^))

fuzz-regress: $(FUZZ_REGRESS_BINS)
	@for n in $(FUZZ_NAMES); do \
	    $(BUILD)/tests/fuzz/regress_$$n $$(ls -d tests/fuzz/regressions/$$n tests/fuzz/corpus/$$n 2>/dev/null) || exit 1; \
	done

# Run in the sub-make that builds $(FUZZ_BUILD), whose flags make every program a libFuzzer one.
fuzz-bins: $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%)

fuzz:
	$(Q)SEL4KVM_FUZZ=1 $(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    CFLAGS='-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link' LDFLAGS='$(FUZZ_SAN) -fsanitize=fuzzer' fuzz-bins
	@for n in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$n $(FUZZ_BUILD)/findings tests/fuzz/corpus/$$n; \
	    printf '\n==== fuzz %s: %s s\n' $$n '$(FUZZ_SECONDS)'; \
	    $(FUZZ_BUILD)/tests/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_BUILD)/findings/$$n- $(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n || { \
	        echo "fuzz $$n: finding in $(FUZZ_BUILD)/findings/ (fix it, keep the input in tests/fuzz/regressions/$$n/)"; \
	        exit 1; }; \
	done

# ---- docs ---------------------------------------------------------------------------------------------------------

docs: $(DOCGEN)
	$(DOCGEN) --output docs/api include

docs-check: $(DOCGEN)
	@rm -rf $(BUILD)/docs-check
	$(Q)$(DOCGEN) --quiet --output $(BUILD)/docs-check include
	@diff -ru docs/api $(BUILD)/docs-check || { echo "docs/api is stale: run make docs"; exit 1; }
	@awk '/^```c$$/{f=1;next} /^```$$/{f=0} f' docs/unit-testing-fault-handlers.md | \
	    diff -q - tests/unit/test_example_device.c >/dev/null || \
	    { echo "docs/unit-testing-fault-handlers.md: its example differs from tests/unit/test_example_device.c"; exit 1; }
	@echo "docs/api is up to date."

# ---- format -------------------------------------------------------------------------------------------------------

FORMAT_DIRS := include src sim kvm_backend tests examples docs/tools
format_files = $(shell find $(FORMAT_DIRS) -name '*.[ch]' 2>/dev/null | LC_ALL=C sort)
need_clang_format = $(Q)command -v $(CLANG_FORMAT) >/dev/null || SEL4KVM_TOOLS=clang-format CC='$(CC)' sh tests/tools/deps.sh

format:
	$(need_clang_format)
	$(CLANG_FORMAT) -i $(format_files)

format-check:
	$(need_clang_format)
	@bad=; for f in $(format_files); do \
	    $(CLANG_FORMAT) "$$f" | diff -u --label "$$f" --label "$$f (formatted)" "$$f" - || bad="$$bad $$f"; \
	done; \
	if [ -n "$$bad" ]; then printf '\nNot formatted (make format fixes):%s\n' "$$bad"; exit 1; fi

# ---- install ------------------------------------------------------------------------------------------------------

# Headers go into their own folder so generic names (autoconf.h, utils/, simple/) cannot clash with others.
PC_DIR := $(BUILD)/pkgconfig
# sel4vm.pc exists even while src/ is empty (it then adds no library), so users can name it from the start.
PC_NAMES := sel4sim sel4vm sel4vm-kvm
PC_FILES := $(PC_NAMES:%=$(PC_DIR)/%.pc)

# $(call pc_text,name,description,requires,libs)
define pc_text
prefix=$(PREFIX)
includedir=$${prefix}/include/sel4vm-kvm
libdir=$${prefix}/lib

Name: $(1)
Description: $(2)
Version: $(VERSION)
Requires: $(strip $(3))
Cflags: -I$${includedir}
Libs: $(strip -L$${libdir} $(4) -lpthread)
endef

pc_sel4sim = $(call pc_text,sel4sim,Simulated seL4 kernel with vka/vspace/simple for Linux processes,glib-2.0,-lsel4sim)
pc_sel4vm = $(call pc_text,sel4vm,libsel4vm and libsel4vmmplatsupport with the KVM and test backends,sel4sim \
    glib-2.0,$(if $(VM_SRCS)$(KVM_SRCS),-lsel4vm))
pc_sel4vm-kvm = $(call pc_text,sel4vm-kvm,seL4 VMM libraries on Linux (all of sel4vm-kvm),sel4vm sel4sim glib-2.0,)

# Rewritten on every install so that the prefix in them is the one being installed to.
$(PC_DIR)/%.pc: FORCE | $(PC_DIR)/
	$(file >$@,$(pc_$*))
$(PC_DIR)/:
	@mkdir -p $@

# The guest runner (examples/sel4vm-run) is the one program installed, with its man page.
install: $(LIBS) $(PC_FILES) $(BUILD)/examples/sel4vm-run
	install -d '$(DESTDIR)$(PREFIX)/include/sel4vm-kvm' '$(DESTDIR)$(PREFIX)/lib/pkgconfig' \
	    '$(DESTDIR)$(PREFIX)/bin' '$(DESTDIR)$(PREFIX)/share/man/man1'
	cd include && find . -name '*.h' -exec install -D -m 644 '{}' '$(DESTDIR)$(PREFIX)/include/sel4vm-kvm/{}' ';'
	install -m 644 $(LIBS) '$(DESTDIR)$(PREFIX)/lib/'
	install -m 644 $(PC_FILES) '$(DESTDIR)$(PREFIX)/lib/pkgconfig/'
	install -m 755 $(BUILD)/examples/sel4vm-run '$(DESTDIR)$(PREFIX)/bin/'
	install -m 644 docs/sel4vm-run.1 '$(DESTDIR)$(PREFIX)/share/man/man1/'

# Installs into a temporary prefix and builds tests/install/smoke.c the way a user would, through pkg-config.
install-check: $(LIBS)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(MAKE) --no-print-directory install PREFIX="$$tmp" >/dev/null && \
	flags=$$(PKG_CONFIG_PATH="$$tmp/lib/pkgconfig" pkg-config --cflags --libs sel4vm-kvm) && \
	echo "pkg-config --cflags --libs sel4vm-kvm: $$flags" && \
	$(CC) -std=gnu11 -Wall -Wextra -Werror tests/install/smoke.c -o "$$tmp/smoke" $$flags && \
	"$$tmp/smoke" && echo "install-check: tests/install/smoke.c built against the installed tree and ran." && \
	"$$tmp/bin/sel4vm-run" --help >/dev/null && test -s "$$tmp/share/man/man1/sel4vm-run.1" && \
	echo "install-check: bin/sel4vm-run --help runs; its man page is installed."

# ---- housekeeping -------------------------------------------------------------------------------------------------

clean:
	rm -rf $(BUILD)

help:
	@echo "make [all]          build libraries, examples, tests, benchmarks and the docs generator"
	@echo "make run            run examples/$(RUN_EXAMPLE)"
	@echo "make test           build everything, run every test binary (SANITIZE=1: under ASan+UBSan, in build/sanitize)"
	@echo "make test-valgrind  run the unit tests (tests/unit) under valgrind memcheck"
	@echo "make bench          run the benchmarks in tests/bench/"
	@echo "make fuzz           run each libFuzzer harness in tests/fuzz for FUZZ_SECONDS (60) with clang, ASan, UBSan"
	@echo "make docs           regenerate docs/api/ from the /*** comments in include/"
	@echo "make docs-check     fail if docs/api/ is stale"
	@echo "make format         clang-format every .c/.h in place; format-check only reports"
	@echo "make install        PREFIX=$(PREFIX) DESTDIR=: headers, static libraries, pkg-config files, sel4vm-run"
	@echo "make install-check  install into a temporary prefix and build a program against it"
	@echo "make clean          remove $(BUILD)/"
	@echo "Options: CC=clang V=1 BUILD=dir SEL4KVM_NO_INSTALL=1 (report missing packages, do not apt-get them)"

DEP_SRCS := $(SIM_SRCS) $(VM_SRCS) $(KVM_SRCS) $(BARE_SRCS) $(DOCGEN_SRCS) $(wildcard tests/*/*.c examples/*/*.c)
-include $(patsubst %.o,%.d,$(call obj_of,$(DEP_SRCS)))
