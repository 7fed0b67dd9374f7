#include <authpp/cpphttplib/adapter.hpp>

namespace authpp::cpphttplib {

http::request to_request(const ::httplib::Request& req) {
  http::request out;
  out.method = req.method;
  out.target = req.target;
  for (const auto& [name, value] : req.headers) out.headers.add(name, value);
  out.body = req.body;
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  out.tls = req.ssl != nullptr;
#endif
  out.client_address = req.remote_addr;
  return out;
}

void write(const http::response& res, ::httplib::Response& out) {
  out.status = res.status;
  std::string content_type;
  for (const auto& h : res.headers) {
    if (http::iequals(h.name, "Content-Type")) {
      content_type = h.value;
    } else if (!http::iequals(h.name, "Content-Length")) {  // cpp-httplib counts the body itself
      out.headers.emplace(h.name, h.value);
    }
  }
  if (!content_type.empty()) {
    out.set_content(res.body, content_type);
  } else {
    out.body = res.body;
  }
}

void mount(::httplib::Server& server, const authpp::auth& engine) {
  const std::string pattern = engine.config().base_path + "(/.*)?";
  const auto answer = [&engine](const ::httplib::Request& req, ::httplib::Response& res) {
    write(engine.handle(to_request(req)), res);
  };
  server.Get(pattern, answer);
  server.Post(pattern, answer);
}

::httplib::Server::Handler require_session(const authpp::auth& engine, session_handler handler) {
  return [&engine, handler = std::move(handler)](const ::httplib::Request& req,
                                                 ::httplib::Response& res) {
    const http::request request = to_request(req);
    auto who = engine.session(request);
    if (!who) {
      const bool down = who.error().code == errc::storage_unavailable;
      res.status = down ? 503 : 400;
      if (down) res.set_header("Retry-After", "1");
      res.set_content(down ? "The session store cannot answer now.\n" : "Bad request.\n",
                      "text/plain; charset=utf-8");
      return;
    }
    if (!who->session) {
      auto redirect = engine.sign_in_redirect(request);
      if (!redirect) {
        res.status = 400;
        res.set_content("Bad request.\n", "text/plain; charset=utf-8");
        return;
      }
      write(*redirect, res);
      return;
    }
    handler(req, res, *who->session);
    for (const auto& cookie : who->headers) res.headers.emplace(cookie.name, cookie.value);
  };
}

}  // namespace authpp::cpphttplib
