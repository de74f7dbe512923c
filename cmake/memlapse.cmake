# Small helpers so every target looks the same.
#   memlapse_library(NAME SOURCES ... DEPS ...)   static library memlapse_NAME
#   memlapse_test(NAME SOURCES ... DEPS ... [LABELS ...])
#   memlapse_bench(NAME SOURCES ... DEPS ...)
set(MEMLAPSE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion -Wno-sign-conversion
    -Wno-conversion)

function(memlapse_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;SYSTEM_DEPS" ${ARGN})
  add_library(memlapse_${name} STATIC ${ARG_SOURCES})
  target_include_directories(memlapse_${name} PUBLIC
    ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_compile_options(memlapse_${name} PRIVATE ${MEMLAPSE_WARNINGS})
  target_link_libraries(memlapse_${name} PUBLIC ${ARG_DEPS})
  if(ARG_SYSTEM_DEPS)
    target_link_libraries(memlapse_${name} PUBLIC ${ARG_SYSTEM_DEPS})
  endif()
endfunction()

function(memlapse_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${MEMLAPSE_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  # One variable only: a ';' inside a property value would be split by the list expansion below.
  set(props ENVIRONMENT "MEMLAPSE_BINARY_DIR=${PROJECT_BINARY_DIR}")
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${props})
endfunction()

function(memlapse_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark benchmark::benchmark_main)
endfunction()
