# AUTHPP_SANITIZE applies to every target in the tree (tests included): a sanitized library linked
# into an unsanitized test binary would miss the reports that matter.
if(AUTHPP_SANITIZE)
  add_compile_options(-fsanitize=${AUTHPP_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${AUTHPP_SANITIZE})
endif()
