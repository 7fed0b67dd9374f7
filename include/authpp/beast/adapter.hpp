#pragma once

#include <authpp/auth/auth.hpp>
#include <authpp/core/json.hpp>
#include <authpp/http/message.hpp>

#include <functional>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

// authpp on Boost.Beast: a drop-in handler for your own Beast server, and a guard for the
// application's own routes. A thin layer: two conversions, and the engine's asynchronous answers
// awaited on the caller's executor (password checks and OAuth calls never block its thread).
namespace authpp::beast {

using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;

// to_request converts Beast's request into the engine's. Whether it came over TLS and from which
// address the server knows from its socket, not from the message.
http::request to_request(const request& req, bool tls = false, std::string client_address = {});

// to_response converts the engine's answer into Beast's, with the request's HTTP version and
// keep-alive, each Set-Cookie field apart, and the payload prepared.
response to_response(const http::response& res, const request& req);

// handle answers `req` when it lies under the engine's base path (awaiting auth::handle_async),
// and is nullopt for a request the application answers itself.
boost::asio::awaitable<std::optional<response>> handle(const authpp::auth& engine,
                                                       const request& req, bool tls = false,
                                                       std::string client_address = {});

// session_handler is one of the application's handlers that needs a signed-in user.
using session_handler = std::function<response(const request&, const json& session)>;

// require_session guards `handler`: a signed-out visitor gets a redirect to sign in and back
// (auth::sign_in_redirect); a signed-in one reaches `handler` with the session (awaiting
// auth::session_async), and the sliding session cookie is added to its response. A session
// store that cannot answer is 503: the visitor may well be signed in.
boost::asio::awaitable<response> require_session(const authpp::auth& engine, const request& req,
                                                 const session_handler& handler, bool tls = false);

}  // namespace authpp::beast
