#pragma once

// Internal to the server: how a connection turns bytes into requests, apart from its sockets,
// so that the raw-bytes fuzz target (fuzz/http_request_fuzz.cpp) runs the very code the server
// does. Beast parses; these functions set its limits, bound the buffer, refuse what Beast would
// let through, and name the answer to each failure.
#include <authpp/http/message.hpp>
#include <authpp/server/http_server.hpp>
#include <authpp/server/trusted_proxies.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace authpp::server::detail {

using wire_request = boost::beast::http::request<boost::beast::http::string_body>;
using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// buffer_limit bounds a connection's read buffer: a whole header, plus room to read on. Chunk
// lines and trailers must fit in it too; Beast bounds neither, and a chunk extension that never
// ends would otherwise grow the buffer until the process dies.
std::size_t buffer_limit(const server_options& o);

// start_parser readies `parser` for the next request under the configured limits.
void start_parser(std::optional<request_parser>& parser, const server_options& o);

// parse_buffered feeds what `buffer` holds to `parser`, consuming what it used. It returns an
// error when the bytes cannot be a request; otherwise the parser is done, or needs more bytes.
boost::system::error_code parse_buffered(request_parser& parser, boost::beast::flat_buffer& buffer);

// refusal is the answer to a request the server will not take; the connection closes after it.
struct refusal {
  int status;
  std::string_view body;  // a JSON string
};

// refusal_for names the answer to a read that failed with `ec`, or nullopt when there is no one
// to answer (the peer closed or reset the connection, or the read timed out).
std::optional<refusal> refusal_for(boost::system::error_code ec);

// framing_refusal refuses a parsed request whose body length the server would read differently
// from a front end: Transfer-Encoding other than one final `chunked` (RFC 9112 §6.3), or any
// with HTTP/1.0 (§6.1).
std::optional<refusal> framing_refusal(const wire_request& req);

// to_request converts Beast's parsed message to the engine's value type; `peer` is the socket's
// address, and the trusted proxies decide the client's.
http::request to_request(wire_request&& req, bool tls, const trusted_proxies& proxies,
                         std::string_view peer);

}  // namespace authpp::server::detail
