# authpp_module(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Declares the static library authpp_<NAME> with the alias authpp::<NAME>. Public headers live in
# include/authpp/<NAME>/, private ones next to the sources. DEPS are authpp modules (or other
# targets) that appear in public headers; PRIVATE_DEPS are implementation details.
function(authpp_module name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(authpp_${name} STATIC ${arg_SOURCES})
  add_library(authpp::${name} ALIAS authpp_${name})
  target_include_directories(authpp_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(authpp_${name} PUBLIC ${arg_DEPS} PRIVATE ${arg_PRIVATE_DEPS} authpp_warnings)
endfunction()

# authpp_test(MODULE SOURCES ...): one GoogleTest binary per module, labelled `unit`.
function(authpp_test module)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(authpp_${module}_tests ${arg_SOURCES})
  target_include_directories(authpp_${module}_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(authpp_${module}_tests PRIVATE authpp::${module} ${arg_DEPS}
                        authpp_test_support GTest::gtest_main authpp_warnings)
  gtest_discover_tests(authpp_${module}_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()
