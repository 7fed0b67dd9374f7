#pragma once

#include <authpp/core/result.hpp>
#include <authpp/http/message.hpp>

#include <string>
#include <string_view>
#include <vector>

// trusted_proxies decides who the client is when requests come through reverse proxies. Each
// proxy appends the address it received the request from to X-Forwarded-For; only the entries
// appended by proxies we trust are facts, everything to their left is whatever the client sent.
namespace authpp::server {

class trusted_proxies {
 public:
  // parse reads CIDR blocks ("10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8"). It fails with
  // errc::malformed_input naming the first entry that is not an address or a block.
  static result<trusted_proxies> parse(const std::vector<std::string>& blocks);

  bool empty() const { return blocks_.empty(); }
  // contains tells whether `address` (an IP literal, IPv4-mapped IPv6 read as IPv4) lies in a
  // trusted block; anything else is not trusted.
  bool contains(std::string_view address) const;

  // apply makes `request` say who the client is: client_address becomes `peer`, or, when the peer
  // is a trusted proxy, the right-most X-Forwarded-For entry that is not one (a walk leftwards
  // through trusted hops); X-Forwarded-Host and -Proto keep only their right-most value, the one
  // the nearest trusted proxy set. From a peer that is not trusted, the X-Forwarded-* fields (and
  // X-Original-URL, forward-auth's) are removed: with trusted proxies configured, only they may
  // speak for the client. Without any trusted proxy, client_address is the peer and the fields are
  // left as they came.
  void apply(http::request& request, std::string_view peer) const;

 private:
  struct block {
    bool v6 = false;
    unsigned char bytes[16] = {};
    unsigned prefix = 0;
  };
  std::vector<block> blocks_;
};

}  // namespace authpp::server
