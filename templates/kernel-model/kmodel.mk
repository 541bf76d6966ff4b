# kmodel.mk: the spincheck kernel model for a driver's Makefile (GNU make).
#
#   CC = x86_64-w64-mingw32-gcc              # or i686-w64-mingw32-gcc; through spincheck: spincheck-cc <compiler>
#   include path/to/templates/kernel-model/kmodel.mk
#   CPPFLAGS += $(KM_CPPFLAGS)               # the DDK headers, kmodel.h, and the port header force-included
#   harness.exe: driver.o harness.o $(KM_OBJS)
#   	$(CC) -o $@ $^ $(KM_LIBS)
#
# The model's own objects are built with SPINCHECK_DISABLE=1: spincheck checks the driver, not the model
# (which implements the lock API and would otherwise be instrumented as driver code). They go to a directory
# per target ($(CC) -dumpmachine: x86_64-w64-mingw32, i686-w64-mingw32), so builds for both targets can share
# one tree; set CC before including this file. The cancel semantics come from ../io-core/io_core.h (shared
# with the harness kit): keep templates/io-core beside templates/kernel-model.
# km_stubs.c is generated (km_stubs.sh) from the toolchain's libntoskrnl.a and libhal.a, the DDK headers and the
# model's own objects: every export the DDK declares and the model does not implement links, and stops the run
# naming itself and its caller. A harness that links more libraries than the defaults (the CRT, kernel32) names
# them before the include, as file names: KM_HOST_LIBS = libntdll.a. Their exports get no stub, so the link takes
# theirs (ntdll exports NtClose, RtlInitUnicodeString ... as ntoskrnl does).
KM_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
KM_TARGET := $(shell $(CC) -dumpmachine)
ifeq ($(filter x86_64-%-mingw32 i686-%-mingw32 x86_64-%-windows-gnu i686-%-windows-gnu,$(KM_TARGET)),)
$(error kmodel.mk: CC ($(CC)) targets '$(KM_TARGET)'; the kernel model needs an x86_64 or i686 Windows compiler)
endif
KM_DDK ?= /usr/share/mingw-w64/include/ddk
KM_BUILD ?= kmodel/$(KM_TARGET)
KM_CFLAGS ?= -O1 -g -std=gnu99 -Wall -Wextra
KM_CPPFLAGS = -I$(KM_DDK) -I$(KM_DIR) -include $(KM_DIR)/kmodel_port.h
KM_SRCS = km_io.c km_ke.c km_ex.c km_port_win32.c
KM_OBJS = $(KM_SRCS:%.c=$(KM_BUILD)/%.o) $(KM_BUILD)/km_stubs.o
KM_LIBS =

$(KM_BUILD)/km_port_win32.o: $(KM_DIR)/km_port_win32.c
	@mkdir -p $(KM_BUILD)
	SPINCHECK_DISABLE=1 $(CC) $(KM_CFLAGS) -c -o $@ $<

$(KM_BUILD)/%.o: $(KM_DIR)/%.c $(KM_DIR)/km_internal.h $(KM_DIR)/kmodel.h $(KM_DIR)/kmodel_port.h $(KM_DIR)/../io-core/io_core.h
	@mkdir -p $(KM_BUILD)
	SPINCHECK_DISABLE=1 $(CC) $(KM_CPPFLAGS) $(KM_CFLAGS) -c -o $@ $<

$(KM_BUILD)/km_stubs.c: $(KM_SRCS:%.c=$(KM_BUILD)/%.o) $(KM_DIR)/km_stubs.sh
	SPINCHECK_DISABLE=1 KM_HOST_LIBS="$(KM_HOST_LIBS)" sh $(KM_DIR)/km_stubs.sh "$(CC)" $(KM_DDK) $@ $(KM_SRCS:%.c=$(KM_BUILD)/%.o)

$(KM_BUILD)/km_stubs.o: $(KM_BUILD)/km_stubs.c
	SPINCHECK_DISABLE=1 $(CC) $(KM_CFLAGS) -c -o $@ $<
