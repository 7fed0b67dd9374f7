# The Debian packages, made with `cpack -G DEB` in a build directory (tests/package/deb_test.sh):
# - authpp: the program, its man pages, a hardened systemd unit and /etc/authpp/authpp.toml; its
#   postinst generates the secret into /etc/authpp/authpp.env (packaging/).
# - authpp-dev: headers, static libraries, the CMake package and authpp.pc.
# The unit and /etc belong to the package only: `cmake --install` into a prefix leaves them out.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/authpp.service
        DESTINATION lib/systemd/system COMPONENT system EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/authpp.toml
        DESTINATION /etc/authpp COMPONENT system EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/docs/authpp.example.toml ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME authpp)
set(CPACK_PACKAGE_CONTACT "authpp developers <dev@authpp.invalid>" CACHE STRING "Maintainer of the .deb")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime system dev)
set(CPACK_COMPONENT_RUNTIME_GROUP server)
set(CPACK_COMPONENT_SYSTEM_GROUP server)
set(CPACK_COMPONENT_DEV_GROUP dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from the libraries the program links

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME authpp)
# The summary line is the project's description; these are the paragraphs under it.
set(CPACK_DEBIAN_SERVER_DESCRIPTION
    "authpp serve answers the Auth.js (NextAuth.js v5) endpoints under /api/auth: credentials, \
OAuth 2 / OpenID Connect and e-mail sign-in, JWT or database sessions, and forward-auth for nginx \
and Caddy. The unmodified next-auth/react client works against it. It runs as a hardened systemd \
service, authpp.service, configured in /etc/authpp.")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/postinst ${PROJECT_SOURCE_DIR}/packaging/postrm
    ${PROJECT_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME authpp-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "Development files: headers, static libraries, and the find_package(authpp) and pkg-config \
files of the authpp client SDK, engine and server.")
authpp_with_names(dev_components CURL:libcurl4-openssl-dev SQLITE:libsqlite3-dev
                  POSTGRES:libpq-dev)
set(dev_depends "libssl-dev, nlohmann-json3-dev, libboost-url1.81-dev, libtomlplusplus-dev"
                "libsodium-dev, libhiredis-dev, pkg-config" ${dev_components})
if(AUTHPP_WITH_CPP_HTTPLIB)
  list(APPEND dev_depends libcpp-httplib-dev)
endif()
list(JOIN dev_depends ", " CPACK_DEBIAN_DEV_PACKAGE_DEPENDS)

include(CPack)
