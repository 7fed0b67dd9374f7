#include "request_framing.hpp"

#include <authpp/http/message.hpp>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

namespace authpp::server::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using error_code = boost::system::error_code;

std::size_t buffer_limit(const server_options& o) { return o.max_header_bytes + 8192; }

void start_parser(std::optional<request_parser>& parser, const server_options& o) {
  parser.emplace();
  parser->header_limit(static_cast<std::uint32_t>(o.max_header_bytes));
  parser->body_limit(o.max_body_bytes);
}

error_code parse_buffered(request_parser& parser, beast::flat_buffer& buffer) {
  while (!parser.is_done() && buffer.size() > 0) {
    error_code ec;
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) break;
    if (ec) return ec;
    if (used == 0) break;  // no progress without more bytes
  }
  return {};
}

std::optional<refusal> refusal_for(error_code ec) {
  if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
      ec == beast::error::timeout || ec == asio::error::eof ||
      ec == asio::error::connection_reset) {
    return std::nullopt;
  }
  if (ec == bhttp::error::header_limit) return refusal{431, "\"Request header fields too large.\""};
  if (ec == bhttp::error::body_limit) return refusal{413, "\"Payload too large.\""};
  // The header fitted, so a chunk line or the trailer is what outgrew the buffer.
  if (ec == bhttp::error::buffer_overflow)
    return refusal{400, "\"Chunk line or trailer too long.\""};
  return refusal{400, "\"Bad request.\""};
}

std::optional<refusal> framing_refusal(const wire_request& req) {
  std::size_t codings = 0;
  for (const auto& field : req) {
    if (field.name() != bhttp::field::transfer_encoding) continue;
    std::string_view list = field.value();
    while (true) {
      const std::size_t comma = list.find(',');
      const std::string_view coding = http::trim_ows(list.substr(0, comma));
      if (!coding.empty()) {
        if (!beast::iequals(coding, "chunked"))
          return refusal{400, "\"Unsupported Transfer-Encoding.\""};
        ++codings;
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  if (codings == 0 || (codings == 1 && req.version() == 11)) return std::nullopt;
  return refusal{400, "\"Unsupported Transfer-Encoding.\""};
}

http::request to_request(wire_request&& req, bool tls, const trusted_proxies& proxies,
                         std::string_view peer) {
  http::request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    out.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.tls = tls;
  proxies.apply(out, peer);
  return out;
}

}  // namespace authpp::server::detail
