#pragma once

#include <authpp/auth/auth.hpp>
#include <authpp/core/json.hpp>
#include <authpp/http/message.hpp>

#include <functional>

#include <httplib.h>

// authpp on cpp-httplib (Debian's libcpp-httplib-dev): the Auth.js endpoints mounted on an
// httplib::Server, and a guard for the application's own routes. A thin layer: two conversions,
// and the engine's answers passed through.
namespace authpp::cpphttplib {

// to_request converts what cpp-httplib received into the engine's request: method, target,
// headers, body, whether it came over TLS, and the peer's address.
http::request to_request(const ::httplib::Request& req);

// write copies the engine's answer into cpp-httplib's response, each Set-Cookie field apart.
void write(const http::response& res, ::httplib::Response& out);

// mount serves every endpoint of `engine` (GET and POST under its base path) on `server`. The
// engine must outlive the server. cpp-httplib reads a whole body before any handler runs: bound
// it with server.set_payload_max_length (the engine refuses more than limits.max_body_bytes).
void mount(::httplib::Server& server, const authpp::auth& engine);

// session_handler is one of the application's handlers that needs a signed-in user.
using session_handler =
    std::function<void(const ::httplib::Request&, ::httplib::Response&, const json& session)>;

// require_session guards `handler`: a signed-out visitor is sent to sign in and comes back to
// the page after (auth::sign_in_redirect); a signed-in one reaches `handler` with the session
// (auth::session), and the sliding session cookie is added to its response. A session store
// that cannot answer is 503: the visitor may well be signed in.
::httplib::Server::Handler require_session(const authpp::auth& engine, session_handler handler);

}  // namespace authpp::cpphttplib
