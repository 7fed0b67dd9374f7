# AUTHPP_SANITIZE applies to every target in the tree (tests included): a sanitized library linked
# into an unsanitized test binary would miss the reports that matter.
if(AUTHPP_SANITIZE)
  add_compile_options(-fsanitize=${AUTHPP_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${AUTHPP_SANITIZE})
  # Clang 14's UBSan `function` check cannot compile C++20 coroutines ("Cannot represent a
  # difference across sections"); the other checks stay on.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND AUTHPP_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize=function)
  endif()
endif()
