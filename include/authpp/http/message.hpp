#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// HTTP request and response values: what the engine consumes and produces. No sockets here; the
// server (or any other HTTP stack) converts to and from its own types.
namespace authpp::http {

// trim_ows drops the optional whitespace (spaces and tabs, RFC 9110 §5.6.3) around a field value
// or a list element.
inline std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// iequals compares ASCII case-insensitively, as HTTP field names are compared.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

struct header {
  std::string name;
  std::string value;
  friend bool operator==(const header&, const header&) = default;
};

// headers is an ordered multimap of fields. Several `Set-Cookie` fields stay separate entries.
class headers {
 public:
  headers() = default;
  headers(std::initializer_list<header> init) : fields_(init) {}

  // get returns the first field named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> get(std::string_view name) const {
    for (const auto& f : fields_) {
      if (iequals(f.name, name)) return f.value;
    }
    return std::nullopt;
  }
  bool contains(std::string_view name) const { return get(name).has_value(); }
  std::vector<std::string_view> get_all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& f : fields_) {
      if (iequals(f.name, name)) out.push_back(f.value);
    }
    return out;
  }
  void add(std::string name, std::string value) {
    fields_.push_back({std::move(name), std::move(value)});
  }
  // set replaces every field named `name` with one.
  void set(std::string name, std::string value) {
    remove(name);
    add(std::move(name), std::move(value));
  }
  void remove(std::string_view name) {
    std::erase_if(fields_, [&](const header& f) { return iequals(f.name, name); });
  }
  // byte_size is the size of the fields as sent on the wire ("name: value\r\n" each).
  std::size_t byte_size() const {
    std::size_t n = 0;
    for (const auto& f : fields_) n += f.name.size() + f.value.size() + 4;
    return n;
  }

  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<header> fields_;
};

// request is one HTTP request as the engine sees it.
struct request {
  std::string method = "GET";
  // target is the request-target in origin form: path and query, e.g. "/api/auth/csrf?x=1".
  std::string target = "/";
  http::headers headers{};
  std::string body{};
  // tls tells whether the request arrived over TLS (the scheme when no public URL is configured).
  bool tls = false;
  // client_address is who sent the request: the peer's IP address, or, behind trusted proxies,
  // the address they forwarded. Empty when the server does not know (a test, an embedder).
  std::string client_address{};
};

// response is the engine's answer.
struct response {
  int status = 200;
  http::headers headers{};
  std::string body{};
};

}  // namespace authpp::http
