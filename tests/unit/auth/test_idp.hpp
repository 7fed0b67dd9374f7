#pragma once

// A small OpenID Provider for the engine's OAuth tests, on 127.0.0.1 and a free port: discovery,
// JWKS, token and userinfo endpoints over real HTTP, and `approve`, which stands in for the
// user's login at /authorize. It signs ID tokens with keys it generates, and it can misbehave on
// purpose, one `misbehaviour` at a time (the hostile-provider cases of OAuthHostileProviderTest).
// The full interactive flow against a certified provider is tested with oidc-provider (npm).
#include <authpp/core/base64url.hpp>
#include <authpp/core/json.hpp>
#include <authpp/http/form.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/jose/jws.hpp>
#include <authpp/server/http_server.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace authpp::test {

enum class misbehaviour {
  none,
  alg_none,              // ID token with "alg":"none" and no signature
  bad_signature,         // a signature byte flipped
  unknown_kid,           // signed by a key the JWKS does not hold
  hmac_with_public_key,  // HS256 keyed with the RSA public key's JWK text (key confusion)
  wrong_iss,
  wrong_aud,
  multiple_aud_without_azp,
  expired,
  missing_nonce,
  wrong_nonce,
  missing_sub,
  discovery_wrong_issuer,
  token_500,
  token_not_json,
  token_type_mac,
  userinfo_other_sub,
  huge_token_response,  // 2 MiB: over the client's response bound
  huge_expires_in,      // expires_in = 1e300: now + expires_in would overflow
  token_stalls,         // the token endpoint never answers (until the provider is destroyed)
  refresh_other_sub,    // a refresh renews the ID token, for another subject
  refresh_odd_error,    // a refresh is refused with {"error": 5}: not a string
};

class test_idp {
 public:
  struct grant {
    std::string client_id, redirect_uri, code_challenge, nonce;
  };

  // now_seconds supplies iat/exp, so tokens agree with the engine's fixed clock.
  explicit test_idp(long long now_seconds) : now_(now_seconds) {
    server::server_options options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 1;
    server_ = server::http_server::start(options, [this](const http::request& r) {
                return serve(r);
              }).value();
    issuer_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  ~test_idp() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    closing_cv_.notify_all();
    server_->stop();
  }

  const std::string& issuer() const { return issuer_; }
  void set(misbehaviour m) { mode_ = m; }
  // use_key picks the signing key: "rs" (kid rs-1, RS256) or "es" (kid es-1, ES256).
  void use_key(std::string which) {
    std::lock_guard lock(mutex_);
    key_ = std::move(which);
  }
  // rotate replaces the RSA key with a new one under a new kid, as providers roll their keys.
  void rotate() {
    std::lock_guard lock(mutex_);
    rsa_ = jose::private_key::generate(jose::jws_algorithm::rs256).value();
    rsa_kid_ = "rs-" + std::to_string(++rotations_ + 1);
  }
  int token_requests() const { return token_requests_; }
  // Refresh grants. Refresh tokens rotate, one use each: a second use of one is taken as theft
  // and revokes every token of the grant, as providers that rotate do (OAuth 2.1 §4.3.1).
  int refresh_requests() const { return refresh_requests_; }
  int reuses_detected() const { return reuses_detected_; }
  // renew_id_tokens: refresh responses carry a new ID token.
  void renew_id_tokens(bool on) { renew_id_tokens_ = on; }
  // set_now moves the provider's clock (iat/exp of the ID tokens it issues from then on).
  void set_now(long long now_seconds) { now_ = now_seconds; }
  int jwks_requests() const { return jwks_requests_; }
  int discovery_requests() const { return discovery_requests_; }
  std::string last_token_body() const {
    std::lock_guard lock(mutex_);
    return last_token_body_;
  }
  std::string last_token_authorization() const {
    std::lock_guard lock(mutex_);
    return last_token_authorization_;
  }

  // approve plays the user signing in at the authorization URL: it returns the query the
  // provider redirects back with (code, state, iss), or error=... when the request is not one
  // this provider would accept.
  std::string approve(std::string_view authorization_url) {
    const auto q = authorization_url.find('?');
    auto params = http::url_search_params::parse(authorization_url.substr(q + 1)).value();
    http::url_search_params back;
    if (params.get("response_type") != "code" || !params.get("client_id")) {
      back.append("error", "invalid_request");
      return back.to_string();
    }
    const std::string code = "code-" + std::to_string(++codes_);
    {
      std::lock_guard lock(mutex_);
      grants_[code] = {*params.get("client_id"), params.get("redirect_uri").value_or(""),
                       params.get("code_challenge").value_or(""), params.get("nonce").value_or("")};
    }
    back.append("code", code);
    if (auto state = params.get("state")) back.append("state", *state);
    back.append("iss", issuer_);
    return back.to_string();
  }

  // profile is the user the provider signs in.
  json profile() const {
    return {{"sub", "alice-sub"},
            {"name", "Alice Liddell"},
            {"email", "Alice@Example.com"},
            {"email_verified", true},
            {"picture", "https://example.com/alice.png"}};
  }

 private:
  http::response json_response(int status, const json& body) {
    http::response r;
    r.status = status;
    r.headers.add("Content-Type", "application/json");
    r.body = body.dump();
    return r;
  }

  http::response serve(const http::request& r) {
    const std::string path = r.target.substr(0, r.target.find('?'));
    if (path == "/.well-known/openid-configuration") {
      ++discovery_requests_;
      return json_response(
          200, {{"issuer",
                 mode_ == misbehaviour::discovery_wrong_issuer ? "https://evil.example" : issuer_},
                {"authorization_endpoint", issuer_ + "/authorize"},
                {"token_endpoint", issuer_ + "/token"},
                {"userinfo_endpoint", issuer_ + "/userinfo"},
                {"jwks_uri", issuer_ + "/jwks"},
                {"id_token_signing_alg_values_supported", {"RS256", "ES256"}},
                {"code_challenge_methods_supported", {"S256"}}});
    }
    if (path == "/jwks") {
      ++jwks_requests_;
      std::lock_guard lock(mutex_);
      return json_response(
          200, {{"keys",
                 {json::parse(rsa_.public_jwk(rsa_kid_)), json::parse(es_.public_jwk("es-1"))}}});
    }
    if (path == "/token" && r.method == "POST") return token(r);
    if (path == "/userinfo") {
      json p = profile();
      if (mode_ == misbehaviour::userinfo_other_sub) p["sub"] = "mallory-sub";
      return json_response(200, p);
    }
    return json_response(404, "not found");
  }

  http::response token(const http::request& r) {
    ++token_requests_;
    auto form = http::url_search_params::parse(r.body).value();
    if (form.get("grant_type") == "refresh_token") return refresh(form);
    grant g;
    {
      std::lock_guard lock(mutex_);
      last_token_body_ = r.body;
      last_token_authorization_ = std::string(r.headers.get("Authorization").value_or(""));
      const auto it = grants_.find(form.get("code").value_or(""));
      // A code is used once: a replayed one finds nothing.
      if (it == grants_.end()) return json_response(400, {{"error", "invalid_grant"}});
      g = it->second;
      grants_.erase(it);
    }
    if (!g.code_challenge.empty()) {
      const std::string verifier = form.get("code_verifier").value_or("");
      if (base64url::encode(byte_view(jose::sha256(verifier))) != g.code_challenge) {
        return json_response(400, {{"error", "invalid_grant"}});
      }
    }
    switch (mode_.load()) {
      case misbehaviour::token_500:
        return json_response(500, {{"error", "server_error"}});
      case misbehaviour::token_not_json: {
        http::response res;
        res.body = "<html>oops</html>";
        return res;
      }
      case misbehaviour::token_stalls: {
        std::unique_lock lock(mutex_);
        closing_cv_.wait(lock, [this] { return closing_; });
        return json_response(503, {{"error", "temporarily_unavailable"}});
      }
      case misbehaviour::huge_token_response: {
        http::response res;
        res.headers.add("Content-Type", "application/json");
        res.body = "{\"access_token\":\"" + std::string(2 << 20, 'a') + "\"}";
        return res;
      }
      default:
        break;
    }
    return json_response(
        200, {{"access_token", "at-" + std::to_string(token_requests_)},
              {"token_type", mode_ == misbehaviour::token_type_mac ? "mac" : "Bearer"},
              {"expires_in", mode_ == misbehaviour::huge_expires_in ? json(1e300) : json(3600)},
              {"refresh_token", new_refresh_token(g)},
              {"scope", "openid profile email"},
              {"id_token", id_token(g)}});
  }

  std::string new_refresh_token(const grant& g) {
    std::lock_guard lock(mutex_);
    std::string token = "rt-" + std::to_string(++refresh_tokens_issued_);
    live_refresh_tokens_[token] = g;
    return token;
  }

  http::response refresh(const http::url_search_params& form) {
    ++refresh_requests_;
    if (mode_ == misbehaviour::refresh_odd_error) return json_response(400, {{"error", 5}});
    const std::string used = form.get("refresh_token").value_or("");
    grant g;
    {
      std::lock_guard lock(mutex_);
      if (spent_refresh_tokens_.contains(used)) {
        // Reuse: whoever holds a spent token stole it, or raced. The whole grant ends.
        ++reuses_detected_;
        live_refresh_tokens_.clear();
        return json_response(400, {{"error", "invalid_grant"}});
      }
      const auto it = live_refresh_tokens_.find(used);
      if (it == live_refresh_tokens_.end()) return json_response(400, {{"error", "invalid_grant"}});
      g = it->second;
      g.nonce.clear();  // renewed ID tokens carry no nonce
      live_refresh_tokens_.erase(it);
      spent_refresh_tokens_.insert(used);
    }
    json body = {{"access_token", "at-r" + std::to_string(refresh_requests_)},
                 {"token_type", "Bearer"},
                 {"expires_in", 3600},
                 {"refresh_token", new_refresh_token(g)}};
    if (renew_id_tokens_ || mode_ == misbehaviour::refresh_other_sub)
      body["id_token"] = id_token(g);
    return json_response(200, body);
  }

  std::string id_token(const grant& g) {
    json claims = profile();
    if (mode_ == misbehaviour::refresh_other_sub) claims["sub"] = "mallory-sub";
    claims["iss"] = issuer_;
    claims["aud"] = g.client_id;
    claims["iat"] = now_.load();
    claims["exp"] = now_.load() + 300;
    if (!g.nonce.empty()) claims["nonce"] = g.nonce;
    switch (mode_.load()) {
      case misbehaviour::wrong_iss:
        claims["iss"] = "https://evil.example";
        break;
      case misbehaviour::wrong_aud:
        claims["aud"] = "another-client";
        break;
      case misbehaviour::multiple_aud_without_azp:
        claims["aud"] = {g.client_id, "another-client"};
        break;
      case misbehaviour::expired:
        claims["exp"] = now_.load() - 3600;
        claims["iat"] = now_.load() - 7200;
        break;
      case misbehaviour::missing_nonce:
        claims.erase("nonce");
        break;
      case misbehaviour::wrong_nonce:
        claims["nonce"] = "not-the-nonce";
        break;
      case misbehaviour::missing_sub:
        claims.erase("sub");
        break;
      default:
        break;
    }
    const std::string payload = claims.dump();
    std::lock_guard lock(mutex_);
    switch (mode_.load()) {
      case misbehaviour::alg_none:
        return base64url::encode(std::string_view(R"({"alg":"none"})")) + "." +
               base64url::encode(payload) + ".";
      case misbehaviour::hmac_with_public_key: {
        const std::string header =
            base64url::encode(std::string_view(R"({"alg":"HS256","kid":")" + rsa_kid_ + "\"}"));
        const std::string input = header + "." + base64url::encode(payload);
        const auto mac = jose::hmac_sha256(as_bytes(rsa_.public_jwk(rsa_kid_)), as_bytes(input));
        return input + "." + base64url::encode(byte_view(mac));
      }
      case misbehaviour::unknown_kid:
        return jose::sign_jws({{"kid", "stranger"}}, payload, stranger_, jose::jws_algorithm::rs256)
            .value();
      default:
        break;
    }
    std::string token =
        key_ == "es"
            ? jose::sign_jws({{"kid", "es-1"}}, payload, es_, jose::jws_algorithm::es256).value()
            : jose::sign_jws({{"kid", rsa_kid_}}, payload, rsa_, jose::jws_algorithm::rs256)
                  .value();
    if (mode_ == misbehaviour::bad_signature) {
      char& last = token[token.size() - 5];
      last = last == 'A' ? 'B' : 'A';
    }
    return token;
  }

  std::atomic<long long> now_;
  std::atomic<misbehaviour> mode_{misbehaviour::none};
  std::condition_variable closing_cv_;  // releases a stalled token request
  bool closing_ = false;
  mutable std::mutex mutex_;
  // RSA key generation costs tens of milliseconds: the keys are made once per test binary.
  static const jose::private_key& shared_key(int which) {
    static const std::vector<jose::private_key> keys{
        jose::private_key::generate(jose::jws_algorithm::rs256).value(),
        jose::private_key::generate(jose::jws_algorithm::es256).value(),
        jose::private_key::generate(jose::jws_algorithm::rs256).value()};
    return keys[which];
  }
  jose::private_key rsa_ = shared_key(0);
  jose::private_key es_ = shared_key(1);
  jose::private_key stranger_ = shared_key(2);
  std::string rsa_kid_ = "rs-1";
  int rotations_ = 0;
  std::string key_ = "rs";
  std::map<std::string, grant> grants_;
  std::map<std::string, grant> live_refresh_tokens_;
  std::set<std::string> spent_refresh_tokens_;
  int refresh_tokens_issued_ = 0;
  std::atomic<bool> renew_id_tokens_{false};
  std::atomic<int> codes_{0}, token_requests_{0}, refresh_requests_{0}, reuses_detected_{0},
      jwks_requests_{0}, discovery_requests_{0};
  std::string last_token_body_, last_token_authorization_;
  std::string issuer_;
  std::unique_ptr<server::http_server> server_;
};

}  // namespace authpp::test
