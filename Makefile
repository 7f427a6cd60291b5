# twinsim build. `make` builds the library and the command; `make test` runs every test;
# `make bench` runs the benchmarks side by side with peers; `make install` installs the library
# for C programs (header, static and shared library, pkg-config file) and the command. SAN=1
# builds with ASan+UBSan into build-san/; CC=clang builds with clang into build-clang/.
# Optional parts (MQTT twin, web, MPI) build when their Debian packages are present.

CC ?= cc
IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -q clang && echo 1)

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
OPT = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(SAN),thread)
BUILD ?= build-tsan
OPT = -O1 -g -fsanitize=thread
else ifeq ($(IS_CLANG),1)
# A second compiler checks the code (its warnings, its tests); the fast build is GCC's. No
# link-time optimisation: the system linker reads clang's bitcode only through LLVM's plugin.
BUILD ?= build-clang
OPT = -O2 -g
else
BUILD ?= build
# Link-time optimisation lets the blocks inline the kernel's small functions across files; the
# event loop spends its time in such calls. The objects are fat (machine code beside GCC's
# bytecode): the command and the bench programs link with LTO, the test, example and check
# programs without ($(NOLTO)), from the machine code. An LTO link optimises the whole library
# again, about 16 s of CPU for one unit test against 1 s without: with some 70 such programs, it
# was most of a fresh build's time.
OPT = -O2 -g -flto=auto -ffat-lto-objects
AR = gcc-ar
endif
NOLTO := $(if $(findstring -flto,$(OPT)),-fno-lto)

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter -Werror
# No fused multiply-add anywhere: a Philox run's draws and tick conversions must round as the
# GPU's do (docs/gpu.md, Bit equality). GCC in ISO C mode does not fuse anyway; clang would.
CFLAGS_ALL = -std=c11 $(OPT) $(WARN) -ffp-contract=off -D_GNU_SOURCE -fvisibility=hidden \
             -Iinclude -Isrc $(CFLAGS)
LDLIBS_ALL = -lm -lpthread $(LDLIBS)
# The storage block's stock files are read with libcsv (Debian's libcsv-dev has no pkg-config file).
LDLIBS_ALL += -lcsv

have = $(shell pkg-config --exists $(1) 2>/dev/null && echo 1)
HAVE_FYAML := $(call have,libfyaml)
HAVE_SQLITE := $(call have,sqlite3)
HAVE_MQTT := $(and $(call have,libmosquitto),$(call have,libcjson))
HAVE_HTTP := $(call have,libmicrohttpd)

LIB_SRC := $(wildcard src/core/*.c src/blocks/*.c src/logic/*.c src/model/*.c src/run/*.c src/results/*.c)
# Lua 5.4 runs the models' rules (src/logic/lua.c).
PKGS := libfyaml sqlite3 lua5.4
ifeq ($(HAVE_MQTT),1)
LIB_SRC += $(wildcard src/twin/*.c)
PKGS += libmosquitto libcjson
CFLAGS_ALL += -DTSIM_HAVE_MQTT=1 -DTSIM_HAVE_CJSON=1
endif
ifeq ($(HAVE_HTTP),1)
LIB_SRC += $(wildcard src/web/*.c)
PKGS += libmicrohttpd
CFLAGS_ALL += -DTSIM_HAVE_HTTP=1
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libmosquitto, libmicrohttpd and libsqlite3 are opened when first used (src/core/dynlib.h):
# their headers are needed to build, not linked.
DL_PKGS := libmosquitto libmicrohttpd sqlite3
PKG_LIBS := $(shell pkg-config --libs $(filter-out $(DL_PKGS),$(PKGS)) 2>/dev/null) -ldl
CFLAGS_ALL += $(PKG_CFLAGS)
LDLIBS_ALL := $(PKG_LIBS) $(LDLIBS_ALL)
# What this build's objects were compiled with: when CFLAGS_ALL changes (a flag changed here,
# other CFLAGS given to make), every object of the build folder is compiled again.
FLAGS_STAMP := $(BUILD)/flags
ifneq ($(shell cat $(FLAGS_STAMP) 2>/dev/null),$(strip $(CFLAGS_ALL)))
$(shell mkdir -p $(BUILD) && printf '%s\n' '$(strip $(CFLAGS_ALL))' >$(FLAGS_STAMP))
endif

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
# The dashboard's pages (web/*) are compiled into the library as one generated C file.
WEB_FILES := $(sort $(wildcard web/*))
WEB_GEN := $(if $(filter 1,$(HAVE_HTTP)),$(BUILD)/gen/web_assets.c)
LIB_OBJ += $(WEB_GEN:.c=.o)
CLI_SRC := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=$(BUILD)/examples/%)
# Two bench programs the tests compare run for run (tests/cli/ceiling.sh); bench/run.sh builds
# its own copies with the bench's flags.
CHECK_BIN := $(BUILD)/bench-check/bench_models $(BUILD)/bench-check/bench_ceiling
# The invariant checker of the random models (tests/diff/run.sh, tests/cli/diff.sh).
DIFF_BIN := $(BUILD)/diff/invariants
# The CPU side of the GPU parity check (make test-gpu) and of the multiply-add check.
GPU_REF_BIN := $(BUILD)/gpu-check/philox_ref

.PHONY: all test test-san test-tsan bench clean deps fuzz mpi install uninstall
all: $(BUILD)/libtwinsim.a $(BUILD)/twinsim $(TEST_BIN) $(EXAMPLE_BIN) $(CHECK_BIN) $(DIFF_BIN) \
     $(GPU_REF_BIN)

$(BUILD)/%.o: %.c $(wildcard include/*.h src/*/*.h) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/gen/web_assets.c: $(WEB_FILES) scripts/embed-web.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed-web.sh $(WEB_FILES) >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c src/results/web_assets.h $(FLAGS_STAMP)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/pic/gen/%.o: $(BUILD)/gen/%.c src/results/web_assets.h $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_ALL) $(PIC_FLAGS) -c $< -o $@

$(BUILD)/libtwinsim.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/twinsim: $(CLI_SRC) $(BUILD)/libtwinsim.a
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_ALL) $(CLI_SRC) $(BUILD)/libtwinsim.a $(LDLIBS_ALL) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libtwinsim.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_ALL) $(NOLTO) -Itests/unit $< $(BUILD)/libtwinsim.a $(LDLIBS_ALL) -o $@

$(BUILD)/examples/%: examples/%.c $(BUILD)/libtwinsim.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_ALL) $(NOLTO) $< $(BUILD)/libtwinsim.a $(LDLIBS_ALL) -o $@

$(BUILD)/diff/%: tests/diff/%.c $(BUILD)/libtwinsim.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_ALL) $(NOLTO) $< $(BUILD)/libtwinsim.a $(LDLIBS_ALL) -o $@

$(BUILD)/gpu-check/%: tests/gpu/%.c $(BUILD)/libtwinsim.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_ALL) $(NOLTO) $< $(BUILD)/libtwinsim.a $(LDLIBS_ALL) -o $@

$(BUILD)/bench-check/%: bench/%.c bench/bench_util.h $(BUILD)/libtwinsim.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_ALL) $< $(BUILD)/libtwinsim.a $(LDLIBS_ALL) -o $@

# The library as C programs link it (`make install`): the same sources compiled again as
# position-independent code under $(BUILD)/pic, linked as a shared library with a soname and
# archived as a static one, both in $(BUILD)/lib. Only TSIM_API symbols are exported
# (-fvisibility=hidden). With link-time optimisation the objects are fat (machine code beside
# GCC's bytecode), so that the installed static library links with any compiler. The static
# library above, which the command, the tests and the bench link, is another build and stays as
# it is. SOVERSION goes up whenever a release breaks the ABI.
VERSION := $(shell sed -n 's/^\#define TSIM_VERSION "\(.*\)"/\1/p' include/twinsim.h)
SOVERSION = 0
PIC_OBJ := $(LIB_SRC:%.c=$(BUILD)/pic/%.o) $(WEB_GEN:$(BUILD)/gen/%.c=$(BUILD)/pic/gen/%.o)
PIC_FLAGS = -fPIC $(if $(findstring -flto,$(OPT)),-ffat-lto-objects)
SHLIB = $(BUILD)/lib/libtwinsim.so.$(VERSION)

$(BUILD)/pic/%.o: %.c $(wildcard include/*.h src/*/*.h) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (PIC)"
	@$(CC) $(CFLAGS_ALL) $(PIC_FLAGS) -c $< -o $@

$(SHLIB): $(PIC_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_ALL) $(PIC_FLAGS) -shared -Wl,-soname,libtwinsim.so.$(SOVERSION) \
	    -Wl,--no-undefined $(PIC_OBJ) $(LDLIBS_ALL) -o $@

$(BUILD)/lib/libtwinsim.a: $(PIC_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@ && $(AR) rcs $@ $^

# The shared library alone, for the Python binding run from the tree (python/, docs/ai.md).
.PHONY: shlib
shlib: $(SHLIB)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

# Into $(DESTDIR)$(PREFIX). The pkg-config file's private libraries are those the library calls
# (for `pkg-config --static`; a program that links the shared library needs none of them), as
# plain -l flags: their own .pc files would add include paths that twinsim.h does not need.
# ldconfig runs for an install into the live system, as root.
install: $(BUILD)/twinsim $(SHLIB) $(BUILD)/lib/libtwinsim.a
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 include/twinsim.h $(DESTDIR)$(INCLUDEDIR)/twinsim.h
	install -m 644 include/twinsim_drivers.h $(DESTDIR)$(INCLUDEDIR)/twinsim_drivers.h
	install -m 644 include/twinsim_web.h $(DESTDIR)$(INCLUDEDIR)/twinsim_web.h
	install -m 644 include/twinsim_logic.h $(DESTDIR)$(INCLUDEDIR)/twinsim_logic.h
	install -m 644 $(BUILD)/lib/libtwinsim.a $(DESTDIR)$(LIBDIR)/libtwinsim.a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libtwinsim.so.$(VERSION)
	ln -sf libtwinsim.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libtwinsim.so.$(SOVERSION)
	ln -sf libtwinsim.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libtwinsim.so
	install -m 755 $(BUILD)/twinsim $(DESTDIR)$(BINDIR)/twinsim
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	    'Name: twinsim' \
	    'Description: discrete-event simulation engine for factories and logistics' \
	    'Version: $(VERSION)' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -ltwinsim' \
	    'Libs.private: $(strip $(LDLIBS_ALL))' \
	    > $(DESTDIR)$(PKGCONFIGDIR)/twinsim.pc
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
	    ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/twinsim.h $(DESTDIR)$(INCLUDEDIR)/twinsim_drivers.h \
	    $(DESTDIR)$(INCLUDEDIR)/twinsim_web.h \
	    $(DESTDIR)$(INCLUDEDIR)/twinsim_logic.h \
	    $(DESTDIR)$(LIBDIR)/libtwinsim.a \
	    $(DESTDIR)$(LIBDIR)/libtwinsim.so $(DESTDIR)$(LIBDIR)/libtwinsim.so.$(SOVERSION) \
	    $(DESTDIR)$(LIBDIR)/libtwinsim.so.$(VERSION) $(DESTDIR)$(BINDIR)/twinsim \
	    $(DESTDIR)$(PKGCONFIGDIR)/twinsim.pc

# Every test: unit tests, command tests, golden runs. Prints "N passed, N failed".
test: all
	BUILD=$(BUILD) sh tests/run.sh

test-san:
	$(MAKE) SAN=1 test

# ThreadSanitizer where threads meet: replications, the experiment pool, the twin.
TSAN_TESTS = test_replicate test_experiment test_twin_forecast test_twin_mqtt test_env test_env_model
test-tsan:
	@$(MAKE) --no-print-directory SAN=thread $(TSAN_TESTS:%=build-tsan/tests/%)
	@for t in $(TSAN_TESTS); do TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/$$t || echo "FAIL $$t (exit $$?)"; done

bench: all
	BUILD=$(BUILD) sh bench/run.sh

deps:
	sh scripts/install-deps.sh

# The MPI build of the command (cluster scale, docs/experiments.md): every source compiled again
# with mpicc and -DTSIM_HAVE_MPI=1 under $(BUILD)/mpi, linked as $(BUILD)/twinsim-mpi. Optional:
# without mpicc it says so and succeeds, and no other target depends on it. MPICC picks the MPI:
# `make BUILD=build/openmpi MPICC=mpicc.openmpi mpi` builds Open MPI's beside the default one.
MPICC ?= mpicc
.PHONY: mpi
mpi:
	@if command -v $(MPICC) >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory BUILD=$(BUILD)/mpi CC=$(MPICC) \
	    CFLAGS="$(CFLAGS) -DTSIM_HAVE_MPI=1" $(BUILD)/mpi/twinsim && \
	  cp $(BUILD)/mpi/twinsim $(BUILD)/twinsim-mpi; \
	else echo "mpi: skipped: no '$(MPICC)' (Debian: apt-get install mpich libmpich-dev)"; fi

# The GPU part (docs/gpu.md), where nvcc exists: the CUDA objects of src/gpu under
# $(BUILD)/gpu/cuda, the parity program $(BUILD)/gpu/parity, and the command with GPU support,
# $(BUILD)/gpu/twinsim (every C source compiled again with -DTSIM_HAVE_CUDA=1 under $(BUILD)/gpu).
# -fmad=false: no fused multiply-add, as -ffp-contract=off on the C side. Optional: without nvcc
# it says so and succeeds, and no other target depends on it. `make test-gpu` runs the parity
# check where a device is there and says "no GPU: skipped" where not.
CUDA_HOME ?= /usr/local/cuda
NVCC ?= $(shell command -v nvcc 2>/dev/null || \
          { [ -x $(CUDA_HOME)/bin/nvcc ] && echo $(CUDA_HOME)/bin/nvcc; })
NVCC_ARCH ?= -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90
NVCC_FLAGS = -std=c++17 -O2 -fmad=false $(NVCC_ARCH) -Iinclude -Isrc -Xcompiler -Wall
CUDA_SRC := $(wildcard src/gpu/*.cu)
CUDA_OBJ := $(CUDA_SRC:src/gpu/%.cu=$(BUILD)/gpu/cuda/%.o)
CUDA_LIBS = -L$(CUDA_HOME)/lib64 -lcudart_static -ldl -lrt -lpthread -lstdc++

.PHONY: gpu test-gpu
gpu:
	@if [ -n "$(NVCC)" ]; then \
	  $(MAKE) --no-print-directory $(BUILD)/gpu/parity $(GPU_REF_BIN) && \
	  $(MAKE) --no-print-directory BUILD=$(BUILD)/gpu CFLAGS="$(CFLAGS) -DTSIM_HAVE_CUDA=1" \
	    LDLIBS="$(abspath $(CUDA_OBJ)) $(CUDA_LIBS)" $(BUILD)/gpu/twinsim; \
	else echo "gpu: skipped: no nvcc (CUDA toolkit) on PATH or in $(CUDA_HOME)/bin"; fi

$(BUILD)/gpu/cuda/%.o: src/gpu/%.cu src/gpu/gpu.h src/core/philox.h
	@mkdir -p $(dir $@)
	@echo "  NVCC    $<"
	@$(NVCC) $(NVCC_FLAGS) -c $< -o $@

$(BUILD)/gpu/parity: tests/gpu/parity.cu $(CUDA_OBJ)
	@mkdir -p $(dir $@)
	@echo "  NVCC    $@"
	@$(NVCC) $(NVCC_FLAGS) $< $(CUDA_OBJ) -o $@

test-gpu: all
	@if [ -n "$(NVCC)" ]; then $(MAKE) --no-print-directory gpu; fi
	@BUILD=$(BUILD) sh tests/gpu/run.sh

clean:
	rm -rf build build-san build-tsan build-clang
