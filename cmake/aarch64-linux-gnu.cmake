# Cross-compiling for arm64 (aarch64) Linux with Debian's g++-aarch64-linux-gnu, against a sysroot
# of unpacked arm64 .debs (scripts/cross-arm64.sh makes it). Only MNAS_DEVICE_ONLY builds this way.
#
# The sysroot comes from the environment (MNAS_ARM64_SYSROOT): CMake re-reads this file inside
# try_compile without the -D variables of the first run.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(MNAS_ARM64_SYSROOT "$ENV{MNAS_ARM64_SYSROOT}")
if(NOT MNAS_ARM64_SYSROOT OR NOT EXISTS "${MNAS_ARM64_SYSROOT}/usr/include/xnnpack.h")
  message(FATAL_ERROR "MNAS_ARM64_SYSROOT='${MNAS_ARM64_SYSROOT}' is not an arm64 sysroot with "
                      "XNNPACK; run scripts/cross-arm64.sh, which makes one")
endif()

# Libraries, headers and CMake packages from the sysroot only; programs from the host. Not
# CMAKE_SYSROOT: the sysroot has no C library headers (the cross compiler brings its own).
set(CMAKE_FIND_ROOT_PATH "${MNAS_ARM64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CXX_FLAGS_INIT
    "-isystem ${MNAS_ARM64_SYSROOT}/usr/include/aarch64-linux-gnu -isystem ${MNAS_ARM64_SYSROOT}/usr/include")
# XNNPACK is a shared library on arm64 (NEEDED: cpuinfo, pthreadpool): let the linker find those.
set(_lib "${MNAS_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu")
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "-L${_lib} -Wl,-rpath-link,${_lib} -Wl,-rpath-link,${MNAS_ARM64_SYSROOT}/lib/aarch64-linux-gnu")

# pkg-config (cpp-httplib and what it requires) must read the arm64 .pc files.
set(ENV{PKG_CONFIG_LIBDIR} "${_lib}/pkgconfig:${MNAS_ARM64_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${MNAS_ARM64_SYSROOT}")

# Runs arm64 programs (ctest, try_run) under qemu-user with the sysroot as the library prefix.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L "${MNAS_ARM64_SYSROOT}")
