#pragma once

#include <authpp/auth/auth.hpp>
#include <authpp/http/message.hpp>
#include <authpp/server/config.hpp>

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

// Forward authentication: a reverse proxy (nginx auth_request, Caddy forward_auth, Traefik
// forwardAuth) asks authpp whether the request it holds may pass, and hands who the user is to
// the application behind it, which then needs no authentication code of its own.
namespace authpp::server {

// forward_auth_path is the endpoint's path: {base_path}/forward.
std::string forward_auth_path(std::string_view base_path);

// forward_auth answers the proxy's question about the request it holds. The original URL comes
// from X-Original-URL (nginx), or X-Forwarded-Proto, -Host and -Uri (Caddy, Traefik): fields
// that the HTTP server keeps only from trusted proxies (server.trusted_proxies). It answers
//   200  with X-Auth-Request-User, -Email and -Name, and the renewed session cookie, for a user
//        who may pass;
//   401  for a visitor who is not signed in, or, with `?mode=redirect` in the request-target, a
//        302 to the sign-in page with the original URL as callbackUrl (Caddy returns the answer
//        as it is; nginx's auth_request only understands 2xx, 401 and 403, so its `error_page
//        401` asks again in redirect mode);
//   200  with those headers empty, for anyone on one of public_paths (named if signed in);
//   403  for a signed-in user the lists leave out (emails, email_domains, and the groups asked
//        for with `?group=NAME`), or an original URL on a host not allowed;
//   400  when no original URL was forwarded; 500 for a `?group=` the configuration does not
//        define; 503 when the session store cannot answer.
// Every answer is `Cache-Control: no-store`: it is about one user.
boost::asio::awaitable<http::response> forward_auth(const authpp::auth& engine,
                                                    const forward_auth_options& options,
                                                    http::request request);

}  // namespace authpp::server
