#pragma once

#include <authpp/core/result.hpp>
#include <authpp/http/message.hpp>
#include <authpp/version.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

// The client's HTTP exchange, behind an interface so that tests replace the network with a fake
// that records every call. The real transport is libcurl; no public header names curl.
namespace authpp::client {

// http_call is one request: an absolute URL, never followed automatically (the client decides
// what a redirect means).
struct http_call {
  std::string method = "GET";
  std::string url{};
  http::headers headers{};
  std::string body{};
};

// http_reply is one response; several Set-Cookie fields stay separate entries of `headers`.
struct http_reply {
  int status = 0;
  http::headers headers{};
  std::string body{};
};

// transport sends one request and returns the response, whatever its status. Implementations
// must be safe to call from several threads at once.
class transport {
 public:
  virtual ~transport() = default;
  // send fails with
  //   errc::transport_failure  for network, DNS, TLS, proxy and timeout failures (the detail is
  //                            the library's message, e.g. curl's "Operation timed out ..."),
  //   errc::response_too_large if the headers or body exceed the configured limits.
  [[nodiscard]] virtual result<http_reply> send(const http_call& call) = 0;
};

// transport_options configure the libcurl transport. Defaults are safe: TLS peers are verified
// against the system CA store, and every call is bounded in time and size.
struct transport_options {
  std::chrono::milliseconds timeout{30000};          // the whole exchange
  std::chrono::milliseconds connect_timeout{10000};  // TCP and TLS handshake
  // proxy is a curl proxy URL ("http://proxy:3128", "socks5h://..."). Unset: curl's defaults,
  // i.e. the http_proxy / https_proxy / no_proxy environment variables. Empty: no proxy at all.
  std::optional<std::string> proxy{};
  bool verify_tls = true;                        // verify the peer certificate and host name
  std::optional<std::string> ca_file{};          // a PEM bundle instead of the system store
  std::size_t max_response_bytes = 1024 * 1024;  // body; errc::response_too_large beyond
  std::size_t max_header_bytes = 64 * 1024;      // all header lines together
  std::string user_agent = "authpp-client/" AUTHPP_VERSION_STRING;
};

// make_curl_transport returns the libcurl transport. It initialises libcurl once per process
// (thread-safe) and uses one easy handle per call, so calls from several threads never share
// state. Redirects are never followed and curl's own cookie engine is off: the client's jar owns
// cookies.
std::shared_ptr<transport> make_curl_transport(transport_options options = {});

}  // namespace authpp::client
