// The HTTP server on raw bytes: arbitrary input read as one keep-alive connection's requests,
// through the server's own framing code (src/server/request_framing.hpp), fed in pieces as
// socket reads would bring it. Invariants: every failure has an answer or is a closed
// connection; bodies stay within the limit; no field reaches the engine with CR, LF or NUL; the
// buffer never outgrows its bound.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>

#include "../src/server/request_framing.hpp"

namespace {

using namespace authpp;
namespace bhttp = boost::beast::http;

void require(bool ok) {
  if (!ok) std::abort();
}

bool clean(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) == s.npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  server::server_options o;
  o.max_header_bytes = 1024;  // small limits, so that inputs reach them
  o.max_body_bytes = 2048;
  static const auto proxies = server::trusted_proxies::parse({"127.0.0.1/32"}).value();
  // The first byte sets the read size (1..256): requests split at every kind of boundary.
  if (size == 0) return 0;
  const std::size_t read_size = std::size_t{data[0]} + 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  boost::beast::flat_buffer buffer(server::detail::buffer_limit(o));
  std::optional<server::detail::request_parser> parser;
  for (int served = 0; served < 32; ++served) {
    server::detail::start_parser(parser, o);
    boost::system::error_code ec;
    while (true) {
      ec = server::detail::parse_buffered(*parser, buffer);
      if (ec || parser->is_done()) break;
      if (input.empty()) return 0;  // the connection waits; its read timeout ends it
      const std::size_t room = buffer.max_size() - buffer.size();
      if (room == 0) {
        ec = bhttp::error::buffer_overflow;  // what the socket read reports
        break;
      }
      const std::size_t n = std::min({room, read_size, input.size()});
      std::memcpy(buffer.prepare(n).data(), input.data(), n);
      buffer.commit(n);
      input.remove_prefix(n);
    }
    require(buffer.size() <= buffer.max_size());
    if (ec) {
      const auto refused = server::detail::refusal_for(ec);
      require(refused && refused->status >= 400 && refused->status <= 431);
      return 0;  // the connection closes after the answer
    }
    auto req = parser->release();
    if (const auto refused = server::detail::framing_refusal(req)) {
      require(refused->status == 400);
      return 0;
    }
    require(req.body().size() <= o.max_body_bytes);
    const http::request out =
        server::detail::to_request(std::move(req), false, proxies, "127.0.0.1");
    require(clean(out.method) && clean(out.target));
    for (const auto& h : out.headers) require(clean(h.name) && clean(h.value));
    require(!out.client_address.empty() && clean(out.client_address));
  }
  return 0;
}
