include(GNUInstallDirs)

# authpp_module(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Declares the library authpp_<NAME> (static unless BUILD_SHARED_LIBS) with the alias
# authpp::<NAME>, the name it also has in the installed package. Public headers live in
# include/authpp/<NAME>/, private ones next to the sources. DEPS are authpp modules (or other
# targets) that appear in public headers; PRIVATE_DEPS are implementation details.
function(authpp_module name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(authpp_${name} ${arg_SOURCES})
  add_library(authpp::${name} ALIAS authpp_${name})
  set_target_properties(authpp_${name} PROPERTIES EXPORT_NAME ${name})
  # Carried to consumers: the public headers are C++20.
  target_compile_features(authpp_${name} PUBLIC cxx_std_20)
  target_include_directories(authpp_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  # The warning flags are this build's business, never a consumer's.
  target_link_libraries(authpp_${name} PUBLIC ${arg_DEPS}
                        PRIVATE ${arg_PRIVATE_DEPS} $<BUILD_INTERFACE:authpp_warnings>)
  # Components: shared libraries belong with the program (runtime), the rest to developers.
  install(TARGETS authpp_${name} EXPORT authppTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  set_property(GLOBAL APPEND PROPERTY AUTHPP_MODULES ${name})
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
