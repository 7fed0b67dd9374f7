#pragma once

// OAuthTest: an engine with an OIDC provider at test_idp, and the browser's side of a sign-in
// there (the sign-in POST, the provider's approval, the callback).
#include <authpp/providers/presets.hpp>

#include "engine_fixture.hpp"
#include "test_idp.hpp"

namespace authpp::test {

class OAuthTest : public EngineTest {
 protected:
  test_idp idp_{t0};

  oauth_provider provider(oauth_checks checks = {true, true, true}) {
    oauth_provider p =
        providers::oidc({.client_id = "cid", .client_secret = "c sec", .issuer = idp_.issuer()});
    p.checks = checks;
    return p;
  }
  authpp::auth build_with(oauth_provider p) {
    auth_config c = config();
    c.providers.push_back(std::move(p));
    return build(std::move(c));
  }

  // start posts the sign-in form as next-auth/react does and returns the authorization URL.
  std::string start(const authpp::auth& a, jar& j, std::string query = "") {
    const std::string token = csrf(a, j);
    auto res = a.handle(post_form(
        "/api/auth/signin/oidc" + query,
        form({{"csrfToken", token}, {"callbackUrl", "http://localhost:3000/after"}}), j.header()));
    j.apply(res);
    EXPECT_EQ(res.status, 200) << res.body;
    return body_json(res)["url"].get<std::string>();
  }

  // finish brings the provider's answer back to the callback.
  http::response finish(const authpp::auth& a, jar& j, const std::string& query) {
    auto res = a.handle(get("/api/auth/callback/oidc?" + query, j.header()));
    j.apply(res);
    return res;
  }

  http::response sign_in_through(const authpp::auth& a, jar& j) {
    return finish(a, j, idp_.approve(start(a, j)));
  }

  // refused asserts the Auth.js outcome of a failed callback: a redirect to the error page (or
  // sign-in page) naming `error`, and no session.
  void refused(
      const http::response& res, const jar& j,
      std::string_view location = "http://localhost:3000/api/auth/error?error=Configuration") {
    EXPECT_EQ(res.status, 302) << res.body;
    EXPECT_EQ(res.headers.get("Location").value_or(""), location);
    EXPECT_FALSE(j.has("authjs.session-token"));
    EXPECT_TRUE(session_set_cookies(res).empty());
  }
};

}  // namespace authpp::test
