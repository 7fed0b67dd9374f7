# The installed package: headers, libraries, authppConfig.cmake with its version file, and
# authpp.pc. Included last by the top-level CMakeLists.txt, once every module is declared.
include(CMakePackageConfigHelpers)

# authpp::authpp: every library.
get_property(modules GLOBAL PROPERTY AUTHPP_MODULES)
add_library(authpp_all INTERFACE)
add_library(authpp::authpp ALIAS authpp_all)
set_target_properties(authpp_all PROPERTIES EXPORT_NAME authpp)
foreach(module IN LISTS modules)
  target_link_libraries(authpp_all INTERFACE authpp_${module})
endforeach()
install(TARGETS authpp_all EXPORT authppTargets COMPONENT dev)

# The headers of the modules this build has (no client/ without curl, no cpphttplib/ without it).
set(left_out_headers "")
foreach(module IN ITEMS client cpphttplib)
  if(NOT module IN_LIST modules)
    list(APPEND left_out_headers PATTERN ${module} EXCLUDE)
  endif()
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/authpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev ${left_out_headers})

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/authpp)
install(EXPORT authppTargets NAMESPACE authpp:: DESTINATION ${config_dir} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/authppConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/authppConfig.cmake
                              INSTALL_DESTINATION ${config_dir})
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/authppConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/authppConfig.cmake ${PROJECT_BINARY_DIR}/authppConfigVersion.cmake
        DESTINATION ${config_dir} COMPONENT dev)

# authpp.pc. Libraries in link order (each before those it uses). With static libraries their
# dependencies are needed by every program, so they are Requires rather than Requires.private.
set(link_order cpphttplib beast server redis auth cookies mfa webauthn providers pages net mail client
               adapters http jose core)
foreach(module IN LISTS modules)
  if(NOT module IN_LIST link_order)
    message(FATAL_ERROR "cmake/authpp_package.cmake: add the new module ${module} to link_order")
  endif()
endforeach()
set(pc_libs "")
foreach(module IN LISTS link_order)
  if(module IN_LIST modules)
    list(APPEND pc_libs -lauthpp_${module})
  endif()
endforeach()
list(JOIN pc_libs " " AUTHPP_PC_LIBS)
# authpp_with_names(OUT OPTION:NAME ...) sets OUT to the NAMEs whose AUTHPP_WITH_<OPTION> is on:
# what a package depends on for the components this build has.
function(authpp_with_names out)
  set(names "")
  foreach(pair IN LISTS ARGN)
    string(REPLACE ":" ";" pair ${pair})
    list(GET pair 0 option)
    list(GET pair 1 name)
    if(AUTHPP_WITH_${option})
      list(APPEND names ${name})
    endif()
  endforeach()
  set(${out} ${names} PARENT_SCOPE)
endfunction()

authpp_with_names(pc_components CURL:libcurl SQLITE:sqlite3 POSTGRES:libpq)
list(JOIN pc_components " " pc_components)
string(STRIP "openssl libsodium hiredis tomlplusplus ${pc_components}" pc_dependencies)
if(AUTHPP_WITH_CPP_HTTPLIB)
  string(APPEND pc_dependencies " cpp-httplib")
endif()
set(pc_libraries "-lboost_url -pthread")
if(BUILD_SHARED_LIBS)
  set(AUTHPP_PC_REQUIRES_PRIVATE "${pc_dependencies}")
  set(AUTHPP_PC_LIBS_PRIVATE "${pc_libraries}")
else()
  set(AUTHPP_PC_REQUIRES "${pc_dependencies}")
  string(APPEND AUTHPP_PC_LIBS " ${pc_libraries}")
endif()
# Relocatable: the prefix is found from the .pc file's own place.
file(RELATIVE_PATH AUTHPP_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" AUTHPP_PC_TO_PREFIX "${AUTHPP_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/authpp.pc.in ${PROJECT_BINARY_DIR}/authpp.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/authpp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
