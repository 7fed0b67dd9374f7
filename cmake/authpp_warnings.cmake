# authpp_warnings: an INTERFACE target that every authpp target links PRIVATE, so warning flags
# never leak into consumers and never live in global CMAKE_CXX_FLAGS.
add_library(authpp_warnings INTERFACE)
target_compile_options(authpp_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                 -Wnon-virtual-dtor -Wold-style-cast)
if(AUTHPP_WARNINGS_AS_ERRORS)
  target_compile_options(authpp_warnings INTERFACE -Werror)
endif()
