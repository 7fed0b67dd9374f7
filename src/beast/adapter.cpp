#include <authpp/beast/adapter.hpp>

#include <boost/beast/http/field.hpp>

namespace authpp::beast {
namespace bhttp = boost::beast::http;

http::request to_request(const request& req, bool tls, std::string client_address) {
  http::request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    out.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = req.body();
  out.tls = tls;
  out.client_address = std::move(client_address);
  return out;
}

response to_response(const http::response& res, const request& req) {
  response out{static_cast<bhttp::status>(res.status), req.version()};
  for (const auto& h : res.headers) {
    if (!http::iequals(h.name, "Content-Length")) out.insert(h.name, h.value);  // prepared below
  }
  out.body() = res.body;
  out.keep_alive(req.keep_alive());
  out.prepare_payload();
  return out;
}

boost::asio::awaitable<std::optional<response>> handle(const authpp::auth& engine,
                                                       const request& req, bool tls,
                                                       std::string client_address) {
  if (!engine.handles(req.target())) co_return std::nullopt;
  const http::response res =
      co_await engine.handle_async(to_request(req, tls, std::move(client_address)));
  co_return to_response(res, req);
}

boost::asio::awaitable<response> require_session(const authpp::auth& engine, const request& req,
                                                 const session_handler& handler, bool tls) {
  http::request probe = to_request(req, tls);
  auto who = co_await engine.session_async(probe);
  if (!who) {
    const bool down = who.error().code == errc::storage_unavailable;
    http::response res;
    res.status = down ? 503 : 400;
    if (down) res.headers.add("Retry-After", "1");
    res.headers.add("Content-Type", "text/plain; charset=utf-8");
    res.body = down ? "The session store cannot answer now.\n" : "Bad request.\n";
    co_return to_response(res, req);
  }
  if (!who->session) {
    auto redirect = engine.sign_in_redirect(probe);
    if (!redirect) {
      http::response res;
      res.status = 400;
      res.body = "Bad request.\n";
      co_return to_response(res, req);
    }
    co_return to_response(*redirect, req);
  }
  response out = handler(req, *who->session);
  for (const auto& cookie : who->headers) out.insert(bhttp::field::set_cookie, cookie.value);
  co_return out;
}

}  // namespace authpp::beast
