# mnas_add_test(NAME SOURCES src... LIBS lib... [LABEL unit|slow])
# One GoogleTest executable registered with CTest; LABEL defaults to `unit` (fast, deterministic).
include(GoogleTest)

function(mnas_add_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} mnas_testing GTest::gtest GTest::gtest_main)
  # One CTest test per GoogleTest case, so `ctest -R` and the summary name the failing case. A
  # case that hangs fails after 10 minutes (the slowest takes ~15 s here) instead of holding CI
  # for CTest's default 25.
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT 600 DISCOVERY_TIMEOUT 60)
endfunction()
