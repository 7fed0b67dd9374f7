#pragma once

// A test harness for the engine: a credentials provider with known users, a fixed clock, a
// browser-like cookie jar, and helpers that build requests the way next-auth/react sends them.
#include <authpp/auth/auth.hpp>
#include <authpp/core/hex.hpp>
#include <authpp/http/cookie.hpp>
#include <authpp/http/form.hpp>
#include <authpp/http/uri_component.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/jose/session_token.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::test {

constexpr std::string_view origin = "http://localhost:3000";
constexpr std::string_view secret = "engine-test-secret";
constexpr long long t0 = 1795750743;  // 2026-11-27T03:39:03Z

// jar keeps cookies as a browser would for one origin (path "/" only, as Auth.js sets them).
class jar {
 public:
  void apply(const http::response& res) {
    for (std::string_view line : res.headers.get_all("Set-Cookie")) {
      auto c = http::parse_set_cookie(line);
      ASSERT_TRUE(c) << line;
      if ((c->max_age && *c->max_age <= 0) || c->value.empty()) {
        cookies_.erase(c->name);
      } else {
        cookies_[c->name] = c->value;
      }
    }
  }
  // header is the Cookie header: values percent-encoded as the server set them.
  std::string header() const {
    std::string out;
    for (const auto& [name, value] : cookies_) {
      if (!out.empty()) out += "; ";
      out += name + "=" + http::encode_uri_component(value);
    }
    return out;
  }
  bool has(const std::string& name) const { return cookies_.count(name) != 0; }
  std::string value(const std::string& name) const {
    auto it = cookies_.find(name);
    return it == cookies_.end() ? std::string() : it->second;
  }
  std::map<std::string, std::string>& all() { return cookies_; }

 private:
  std::map<std::string, std::string> cookies_;
};

// set_cookies returns the response's Set-Cookie lines.
inline std::vector<std::string> set_cookies(const http::response& res) {
  std::vector<std::string> out;
  for (auto v : res.headers.get_all("Set-Cookie")) out.emplace_back(v);
  return out;
}

// session_set_cookies returns the Set-Cookie lines of the session cookie (and its chunks).
inline std::vector<std::string> session_set_cookies(
    const http::response& res, std::string_view name = "authjs.session-token") {
  std::vector<std::string> out;
  for (auto v : res.headers.get_all("Set-Cookie")) {
    if (v.starts_with(name)) out.emplace_back(v);
  }
  return out;
}

inline json body_json(const http::response& res) { return json::parse(res.body); }

// run_async answers `req` through handle_async, running `io` on this thread until it is done.
inline http::response run_async(boost::asio::io_context& io, const authpp::auth& a,
                                http::request req) {
  std::optional<http::response> out;
  boost::asio::co_spawn(io, a.handle_async(std::move(req)),
                        [&out](std::exception_ptr e, http::response res) {
                          EXPECT_FALSE(e);
                          out = std::move(res);
                        });
  io.restart();
  io.run();
  EXPECT_TRUE(out.has_value());
  return out.value_or(http::response{});
}

class EngineTest : public ::testing::Test {
 protected:
  fixed_clock clock_{t0};
  std::vector<std::string> logs_;
  std::mutex logs_mutex_;

  // config returns the default test configuration; tests change it before build().
  auth_config config() {
    auth_config c;
    c.secrets = {std::string(secret)};
    c.url = std::string(origin);
    c.clock = &clock_;
    credentials_provider p;
    p.fields = {{"username", "Username", "text", "jsmith", true},
                {"password", "Password", "password", "", true}};
    p.authorize = [](const authorize_request& r) {
      const auto field = [&](const char* k) {
        auto it = r.credentials.find(k);
        return it != r.credentials.end() && it->is_string() ? it->get<std::string>() : "";
      };
      const std::string user = field("username");
      if (user == "alice" && field("password") == "wonderland") {
        return authorize_result::accept(
            {.id = "1", .name = "Alice", .email = "alice@example.com", .image = {}, .extra = {}});
      }
      if (user == "carol") return authorize_result::reject("invalid_pw");
      if (user == "thrower") throw std::runtime_error("database exploded");
      if (user == "broken") return authorize_result::fail("user store unreachable");
      if (user == "offline") return authorize_result::unavailable("database file missing");
      return authorize_result::reject();
    };
    c.providers.push_back(std::move(p));
    c.logger = [this](log_level, std::string_view code, std::string_view message) {
      std::lock_guard lock(logs_mutex_);
      logs_.push_back(std::string(code) + ": " + std::string(message));
    };
    c.log_level = log_level::debug;
    return c;
  }

  authpp::auth build(auth_config c) { return authpp::auth::create(std::move(c)).value(); }
  authpp::auth build() { return build(config()); }

  static http::request get(std::string target, const std::string& cookie = "") {
    http::request r;
    r.method = "GET";
    r.target = std::move(target);
    if (!cookie.empty()) r.headers.add("Cookie", cookie);
    return r;
  }

  // post_form builds a POST as next-auth/react sends it (X-Auth-Return-Redirect unless `plain`).
  static http::request post_form(std::string target, const http::url_search_params& form,
                                 const std::string& cookie = "", bool plain = false) {
    http::request r;
    r.method = "POST";
    r.target = std::move(target);
    r.headers.add("Content-Type", "application/x-www-form-urlencoded");
    if (!plain) r.headers.add("X-Auth-Return-Redirect", "1");
    if (!cookie.empty()) r.headers.add("Cookie", cookie);
    r.body = form.to_string();
    return r;
  }

  static http::request post_json(std::string target, const json& body,
                                 const std::string& cookie = "") {
    http::request r;
    r.method = "POST";
    r.target = std::move(target);
    r.headers.add("Content-Type", "application/json");
    if (!cookie.empty()) r.headers.add("Cookie", cookie);
    r.body = body.dump();
    return r;
  }

  // csrf fetches a CSRF token into `j` and returns it.
  static std::string csrf(const authpp::auth& a, jar& j) {
    auto res = a.handle(get("/api/auth/csrf", j.header()));
    j.apply(res);
    return body_json(res)["csrfToken"].get<std::string>();
  }

  static http::url_search_params form(
      std::initializer_list<std::pair<std::string, std::string>> pairs) {
    http::url_search_params f;
    for (const auto& [k, v] : pairs) f.append(k, v);
    return f;
  }

  // sign_in signs alice in through the credentials callback, as the JS client does.
  static http::response sign_in(const authpp::auth& a, jar& j, const std::string& user = "alice",
                                const std::string& callback = "http://localhost:3000/dashboard") {
    const std::string token = csrf(a, j);
    auto res = a.handle(post_form("/api/auth/callback/credentials?",
                                  form({{"username", user},
                                        {"password", "wonderland"},
                                        {"csrfToken", token},
                                        {"callbackUrl", callback}}),
                                  j.header()));
    j.apply(res);
    return res;
  }

  json decode(const std::string& token, std::string_view salt = "authjs.session-token") {
    const std::vector<std::string> secrets{std::string(secret)};
    return jose::decode_session(token, secrets, salt, clock_).value();
  }

  bool logs_contain(std::string_view needle) {
    std::lock_guard lock(logs_mutex_);
    for (const auto& l : logs_) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

}  // namespace authpp::test
