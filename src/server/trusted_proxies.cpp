#include <authpp/server/trusted_proxies.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

#include <arpa/inet.h>

namespace authpp::server {
namespace {

struct address {
  bool v6 = false;
  unsigned char bytes[16] = {};
};

// parse_address reads an IP literal (IPv6 possibly in brackets); IPv4-mapped IPv6 becomes IPv4,
// so that ::ffff:10.0.0.1 matches 10.0.0.0/8.
std::optional<address> parse_address(std::string_view text) {
  text = http::trim_ows(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  address a;
  if (::inet_pton(AF_INET, s.c_str(), a.bytes) == 1) return a;
  if (::inet_pton(AF_INET6, s.c_str(), a.bytes) != 1) return std::nullopt;
  static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes, mapped, 12) == 0) {
    std::memmove(a.bytes, a.bytes + 12, 4);
    std::memset(a.bytes + 4, 0, 12);
    return a;
  }
  a.v6 = true;
  return a;
}

// last_value is the right-most element of a comma-separated field: the one the nearest proxy set.
std::string last_value(std::string_view list) {
  const std::size_t comma = list.rfind(',');
  return std::string(
      http::trim_ows(comma == std::string_view::npos ? list : list.substr(comma + 1)));
}

}  // namespace

result<trusted_proxies> trusted_proxies::parse(const std::vector<std::string>& blocks) {
  trusted_proxies out;
  for (const std::string& text : blocks) {
    const auto bad = [&text] {
      return auth_error{errc::malformed_input,
                        "'" + text + "' is not an IP address or a CIDR block like 10.0.0.0/8"};
    };
    const std::size_t slash = text.find('/');
    const auto a = parse_address(std::string_view(text).substr(0, slash));
    if (!a) return bad();
    block b;
    b.v6 = a->v6;
    std::memcpy(b.bytes, a->bytes, sizeof b.bytes);
    const unsigned width = a->v6 ? 128 : 32;
    b.prefix = width;
    if (slash != std::string::npos) {
      const std::string_view digits = std::string_view(text).substr(slash + 1);
      const auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), b.prefix);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
          b.prefix > width) {
        return bad();
      }
    }
    out.blocks_.push_back(b);
  }
  return out;
}

bool trusted_proxies::contains(std::string_view text) const {
  const auto a = parse_address(text);
  if (!a) return false;
  return std::any_of(blocks_.begin(), blocks_.end(), [&a](const block& b) {
    if (b.v6 != a->v6) return false;
    const unsigned whole = b.prefix / 8;
    const unsigned rest = b.prefix % 8;
    if (std::memcmp(a->bytes, b.bytes, whole) != 0) return false;
    if (rest == 0) return true;
    const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (a->bytes[whole] & mask) == (b.bytes[whole] & mask);
  });
}

void trusted_proxies::apply(http::request& request, std::string_view peer) const {
  request.client_address = std::string(peer);
  if (blocks_.empty()) return;
  http::headers& h = request.headers;
  if (!contains(peer)) {
    // Also the fields that name the original request to forward-auth: only a proxy may say
    // which URL it is asking about.
    for (const char* name : {"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
                             "X-Forwarded-Uri", "X-Forwarded-Method", "X-Original-URL"}) {
      h.remove(name);
    }
    return;
  }
  // Every X-Forwarded-For field, in order, forms one list; walk it from the right.
  std::vector<std::string_view> hops;
  for (std::string_view field : h.get_all("X-Forwarded-For")) {
    while (true) {
      const std::size_t comma = field.find(',');
      hops.push_back(http::trim_ows(field.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      field.remove_prefix(comma + 1);
    }
  }
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    // An entry that is no address cannot have come from a trusted proxy: stop at the last good.
    if (!parse_address(*hop)) break;
    request.client_address = std::string(http::trim_ows(*hop));
    if (!contains(*hop)) break;
  }
  for (const char* name : {"X-Forwarded-Host", "X-Forwarded-Proto"}) {
    const auto values = h.get_all(name);
    if (values.empty()) continue;
    std::string nearest = last_value(values.back());
    h.set(name, std::move(nearest));
  }
}

}  // namespace authpp::server
