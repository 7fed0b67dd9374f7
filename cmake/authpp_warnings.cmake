# authpp_warnings: an INTERFACE target that every authpp target links PRIVATE, so warning flags
# never leak into consumers and never live in global CMAKE_CXX_FLAGS.
add_library(authpp_warnings INTERFACE)
target_compile_options(authpp_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                 -Wnon-virtual-dtor -Wold-style-cast)
if(AUTHPP_WARNINGS_AS_ERRORS)
  target_compile_options(authpp_warnings INTERFACE -Werror)
endif()
# GCC 12 reports false -Wrestrict errors inside libstdc++'s std::string when optimising
# (GCC bug 105329: "literal" + std::string&& at -O2/-O3). The warning stays on elsewhere.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
  target_compile_options(authpp_warnings INTERFACE -Wno-restrict)
endif()
