#include <authpp/providers/authorization_server.hpp>
#include <authpp/providers/presets.hpp>

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

// Discovery (OpenID Connect Discovery 1.0 §3-4, RFC 8414): where the document is, whether a
// provider needs it, and what parse_discovery accepts from it.
namespace authpp::providers {
namespace {

using test::error_of;

// https://accounts.google.com/.well-known/openid-configuration as Google serves it (abridged to
// the members the flows read and a few they ignore).
constexpr std::string_view google_discovery = R"({
 "issuer": "https://accounts.google.com",
 "authorization_endpoint": "https://accounts.google.com/o/oauth2/v2/auth",
 "device_authorization_endpoint": "https://oauth2.googleapis.com/device/code",
 "token_endpoint": "https://oauth2.googleapis.com/token",
 "userinfo_endpoint": "https://openidconnect.googleapis.com/v1/userinfo",
 "revocation_endpoint": "https://oauth2.googleapis.com/revoke",
 "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
 "response_types_supported": ["code", "token", "id_token", "code token", "code id_token",
  "token id_token", "code token id_token", "none"],
 "subject_types_supported": ["public"],
 "id_token_signing_alg_values_supported": ["RS256"],
 "scopes_supported": ["openid", "email", "profile"],
 "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
 "claims_supported": ["aud", "email", "email_verified", "exp", "family_name", "given_name",
  "iat", "iss", "name", "picture", "sub"],
 "code_challenge_methods_supported": ["plain", "S256"],
 "grant_types_supported": ["authorization_code", "refresh_token",
  "urn:ietf:params:oauth:grant-type:device_code",
  "urn:ietf:params:oauth:grant-type:jwt-bearer"]
})";

oauth_provider idp(std::string issuer) { return oidc({"c", "s", std::move(issuer)}); }

// doc is a minimal discovery document for `issuer` with `extra` members appended.
std::string doc(std::string_view issuer, std::string_view extra = "") {
  std::string d = R"({"issuer":")" + std::string(issuer) + R"(",)" +
                  R"("authorization_endpoint":"https://idp.example.com/authorize",)" +
                  R"("token_endpoint":"https://idp.example.com/token",)" +
                  R"("jwks_uri":"https://idp.example.com/jwks")";
  if (!extra.empty()) d += "," + std::string(extra);
  return d + "}";
}

TEST(DiscoveryUrlTest, AppendsToTheIssuersPath) {
  EXPECT_EQ(discovery_url("https://accounts.google.com"),
            "https://accounts.google.com/.well-known/openid-configuration");
  EXPECT_EQ(discovery_url("https://acme.eu.auth0.com/"),
            "https://acme.eu.auth0.com/.well-known/openid-configuration");
  EXPECT_EQ(discovery_url("https://sso.example.com/realms/acme"),
            "https://sso.example.com/realms/acme/.well-known/openid-configuration");
  EXPECT_EQ(discovery_url("https://login.microsoftonline.com/tid/v2.0/"),
            "https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration");
}

TEST(NeedsDiscoveryTest, OidcNeedsAuthorizationTokenAndJwks) {
  oauth_provider p = idp("https://idp.example.com");
  EXPECT_TRUE(needs_discovery(p));
  p.authorization_endpoint = "https://idp.example.com/authorize";
  p.token_endpoint = "https://idp.example.com/token";
  EXPECT_TRUE(needs_discovery(p));  // the JWKS is still missing
  p.jwks_uri = "https://idp.example.com/jwks";
  EXPECT_FALSE(needs_discovery(p));
  // Profile from userinfo: its endpoint is needed too.
  p.use_userinfo = true;
  EXPECT_TRUE(needs_discovery(p));
  p.userinfo_endpoint = "https://idp.example.com/userinfo";
  EXPECT_FALSE(needs_discovery(p));
}

TEST(NeedsDiscoveryTest, OauthNeedsUserinfoButNoJwks) {
  oauth_provider p = idp("");
  p.type = oauth_kind::oauth;
  p.authorization_endpoint = "https://idp.example.com/authorize";
  p.token_endpoint = "https://idp.example.com/token";
  EXPECT_TRUE(needs_discovery(p));
  p.userinfo_endpoint = "https://idp.example.com/user";
  EXPECT_FALSE(needs_discovery(p));
  // A userinfo hook stands in for the endpoint.
  p.userinfo_endpoint.clear();
  p.userinfo = [](const userinfo_input&) -> boost::asio::awaitable<result<json>> {
    co_return json::object();
  };
  EXPECT_FALSE(needs_discovery(p));
}

TEST(NeedsDiscoveryTest, Presets) {
  const client_credentials c{"c", "s", "https://idp.example.com"};
  EXPECT_FALSE(needs_discovery(github(c)));
  EXPECT_FALSE(needs_discovery(gitlab(c)));
  EXPECT_FALSE(needs_discovery(discord(c)));
  EXPECT_TRUE(needs_discovery(google(c)));
  EXPECT_TRUE(needs_discovery(keycloak(c)));
  EXPECT_TRUE(needs_discovery(auth0(c)));
  EXPECT_TRUE(needs_discovery(okta(c)));
  EXPECT_TRUE(needs_discovery(microsoft_entra_id(c)));
}

TEST(ConfiguredServerTest, CopiesTheProvidersEndpoints) {
  const authorization_server s = configured_server(github({"c", "s", ""}));
  EXPECT_EQ(s.issuer, "https://github.com/login/oauth");
  EXPECT_EQ(s.authorization_endpoint, "https://github.com/login/oauth/authorize");
  EXPECT_EQ(s.token_endpoint, "https://github.com/login/oauth/access_token");
  EXPECT_EQ(s.userinfo_endpoint, "https://api.github.com/user");
  EXPECT_EQ(s.jwks_uri, "");
  EXPECT_TRUE(s.id_token_signing_alg_values_supported.empty());
  EXPECT_FALSE(s.authorization_response_iss_parameter_supported);
}

TEST(ParseDiscoveryTest, GooglesDocument) {
  auto s = parse_discovery(google_discovery, google({"c", "s", ""}));
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->issuer, "https://accounts.google.com");
  EXPECT_EQ(s->authorization_endpoint, "https://accounts.google.com/o/oauth2/v2/auth");
  EXPECT_EQ(s->token_endpoint, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(s->userinfo_endpoint, "https://openidconnect.googleapis.com/v1/userinfo");
  EXPECT_EQ(s->jwks_uri, "https://www.googleapis.com/oauth2/v3/certs");
  EXPECT_EQ(s->id_token_signing_alg_values_supported, std::vector<std::string>{"RS256"});
  EXPECT_FALSE(s->authorization_response_iss_parameter_supported);
}

// Mix-up defence (RFC 8414 §3.3, OIDC Discovery §4.3): another server's metadata is refused.
TEST(ParseDiscoveryTest, RefusesAnotherIssuer) {
  const oauth_provider p = idp("https://idp.example.com");
  for (const std::string_view other :
       {"https://evil.example.com", "https://idp.example.com.evil.example",
        "https://idp.example.com/tenant", "http://idp.example.com", "HTTPS://idp.example.com",
        "https://IDP.example.com", "https://idp.example.com//", ""}) {
    SCOPED_TRACE(other);
    EXPECT_EQ(error_of(parse_discovery(doc(other), p)), errc::invalid_response);
  }
}

// `https://idp` and `https://idp/` are one issuer; the document's spelling is kept, since that is
// what ID tokens and the RFC 9207 `iss` parameter carry.
TEST(ParseDiscoveryTest, TrailingSlashIsTheSameIssuer) {
  auto a = parse_discovery(doc("https://acme.eu.auth0.com/"), idp("https://acme.eu.auth0.com"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->issuer, "https://acme.eu.auth0.com/");
  auto b = parse_discovery(doc("https://sso.example.com/realms/acme"),
                           idp("https://sso.example.com/realms/acme/"));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->issuer, "https://sso.example.com/realms/acme");
}

// Microsoft's multi-tenant "common" endpoint publishes a templated issuer: the engine cannot
// check ID tokens against it, so it is refused (see microsoft_entra_id).
TEST(ParseDiscoveryTest, EntraCommonTemplatedIssuerIsRefused) {
  const std::string common = R"({"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0",)"
                             R"("authorization_endpoint":)"
                             R"("https://login.microsoftonline.com/common/oauth2/v2.0/authorize",)"
                             R"("token_endpoint":)"
                             R"("https://login.microsoftonline.com/common/oauth2/v2.0/token",)"
                             R"("jwks_uri":)"
                             R"("https://login.microsoftonline.com/common/discovery/v2.0/keys"})";
  EXPECT_EQ(error_of(parse_discovery(common, microsoft_entra_id({"c", "s", "common"}))),
            errc::invalid_response);
}

TEST(ParseDiscoveryTest, ConfiguredEndpointsWin) {
  oauth_provider p = idp("https://idp.example.com");
  p.token_endpoint = "https://proxy.example.com/token";
  p.jwks_uri = "https://proxy.example.com/jwks";
  auto s = parse_discovery(
      doc("https://idp.example.com", R"("userinfo_endpoint":"https://idp.example.com/userinfo")"),
      p);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->authorization_endpoint, "https://idp.example.com/authorize");  // discovered
  EXPECT_EQ(s->token_endpoint, "https://proxy.example.com/token");            // configured
  EXPECT_EQ(s->userinfo_endpoint, "https://idp.example.com/userinfo");        // discovered
  EXPECT_EQ(s->jwks_uri, "https://proxy.example.com/jwks");                   // configured
}

// Every endpoint member present must be an http(s) URL string, even one the configuration
// overrides: a document that lies about one is not trusted for the others.
TEST(ParseDiscoveryTest, RefusesEndpointsThatAreNotHttpUrls) {
  for (const std::string_view member :
       {"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"}) {
    for (const std::string_view value :
         {"\"javascript:alert(1)\"", R"("/token")", R"("ftp://idp.example.com/x")", R"("")",
          R"("https://idp.example.com/a b")", R"(42)", R"(["https://idp.example.com/x"])",
          R"({"url":"https://idp.example.com/x"})", R"(true)"}) {
      SCOPED_TRACE(std::string(member) + " = " + std::string(value));
      oauth_provider p = idp("https://idp.example.com");
      p.token_endpoint = "https://configured.example.com/token";
      const std::string body = R"({"issuer":"https://idp.example.com",")" + std::string(member) +
                               R"(":)" + std::string(value) + "}";
      EXPECT_EQ(error_of(parse_discovery(body, p)), errc::invalid_response);
    }
  }
}

TEST(ParseDiscoveryTest, NullEndpointIsAbsent) {
  auto s = parse_discovery(doc("https://idp.example.com", R"("userinfo_endpoint":null)"),
                           idp("https://idp.example.com"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->userinfo_endpoint, "");
}

TEST(ParseDiscoveryTest, RefusesDocumentsThatAreNotObjectsWithAnIssuer) {
  const oauth_provider p = idp("https://idp.example.com");
  for (const std::string_view body :
       {"", "not json", "[]", "\"https://idp.example.com\"", "null", "{}", R"({"issuer":null})",
        R"({"issuer":["https://idp.example.com"]})", R"({"issuer":"https://idp.example.com")",
        R"({"issuer":"https://idp.example.com"} {})"}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(error_of(parse_discovery(body, p)), errc::invalid_response);
  }
}

TEST(ParseDiscoveryTest, RefusesDeepNesting) {
  const std::string deep =
      doc("https://idp.example.com", R"("x":)" + std::string(100, '[') + std::string(100, ']'));
  EXPECT_EQ(error_of(parse_discovery(deep, idp("https://idp.example.com"))),
            errc::invalid_response);
}

// The size is checked before parsing: 64 KiB is accepted, one byte more is not.
TEST(ParseDiscoveryTest, SizeBound) {
  const oauth_provider p = idp("https://idp.example.com");
  std::string body = doc("https://idp.example.com");
  body.append(max_discovery_bytes - body.size(), ' ');  // JSON allows trailing whitespace
  ASSERT_EQ(body.size(), max_discovery_bytes);
  EXPECT_TRUE(parse_discovery(body, p));
  body.push_back(' ');
  EXPECT_EQ(error_of(parse_discovery(body, p)), errc::limit_exceeded);
}

TEST(ParseDiscoveryTest, AlgorithmsAndIssParameterSupport) {
  const oauth_provider p = idp("https://idp.example.com");
  auto s = parse_discovery(
      doc("https://idp.example.com",
          R"("id_token_signing_alg_values_supported":["RS256",7,"ES256",null,"none"],)"
          R"("authorization_response_iss_parameter_supported":true)"),
      p);
  ASSERT_TRUE(s);
  // Non-strings are skipped; the names are kept as published (the engine drops those it lacks).
  EXPECT_EQ(s->id_token_signing_alg_values_supported,
            (std::vector<std::string>{"RS256", "ES256", "none"}));
  EXPECT_TRUE(s->authorization_response_iss_parameter_supported);
  // Types other than the expected ones are ignored rather than refused.
  auto t = parse_discovery(
      doc("https://idp.example.com", R"("id_token_signing_alg_values_supported":"RS256",)"
                                     R"("authorization_response_iss_parameter_supported":"true")"),
      p);
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->id_token_signing_alg_values_supported.empty());
  EXPECT_FALSE(t->authorization_response_iss_parameter_supported);
}

}  // namespace
}  // namespace authpp::providers
