#include <authpp/providers/authorization_server.hpp>
#include <authpp/providers/presets.hpp>

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "unit/providers/profile_support.hpp"

// Each preset's data as Auth.js configures the provider (packages/core/src/providers/<id>.ts),
// and its profile mapping applied to the profile the real provider sends, as its documentation
// shows it. The expected users are written out in full.
namespace authpp::providers {
namespace {

using test::fields;
using test::map_profile;
using test::user_fields;
using params = std::vector<std::pair<std::string, std::string>>;

const client_credentials client{"the-client", "the-secret", ""};

client_credentials with_issuer(std::string issuer) {
  client_credentials c = client;
  c.issuer = std::move(issuer);
  return c;
}

// --- GitHub -------------------------------------------------------------------------------------

TEST(GitHubPresetTest, DataMatchesAuthJs) {
  const oauth_provider p = github(client);
  EXPECT_EQ(p.id, "github");
  EXPECT_EQ(p.name, "GitHub");
  EXPECT_EQ(p.type, oauth_kind::oauth);
  EXPECT_EQ(p.issuer, "https://github.com/login/oauth");
  EXPECT_EQ(p.client_id, "the-client");
  EXPECT_EQ(p.client_secret, "the-secret");
  EXPECT_EQ(p.authorization_endpoint, "https://github.com/login/oauth/authorize");
  EXPECT_EQ(p.token_endpoint, "https://github.com/login/oauth/access_token");
  EXPECT_EQ(p.userinfo_endpoint, "https://api.github.com/user");
  EXPECT_EQ(p.scope, "read:user user:email");
  EXPECT_TRUE(p.authorization_params.empty());
  EXPECT_EQ(p.checks, (oauth_checks{.pkce = true, .state = false, .nonce = false}));
  EXPECT_EQ(p.token_auth, token_auth_method::client_secret_basic);
  EXPECT_TRUE(p.userinfo);
  EXPECT_TRUE(p.profile);
  EXPECT_FALSE(needs_discovery(p));
}

TEST(GitHubPresetTest, EnterpriseServerUsesItsOwnHostAndApiV3) {
  const oauth_provider p = github(with_issuer("https://github.example.com"));
  EXPECT_EQ(p.issuer, "https://github.example.com/login/oauth");
  EXPECT_EQ(p.authorization_endpoint, "https://github.example.com/login/oauth/authorize");
  EXPECT_EQ(p.token_endpoint, "https://github.example.com/login/oauth/access_token");
  EXPECT_EQ(p.userinfo_endpoint, "https://github.example.com/api/v3/user");
}

// GET https://api.github.com/user, the example response of
// https://docs.github.com/en/rest/users/users#get-the-authenticated-user (abridged).
constexpr std::string_view github_user = R"({
  "login": "octocat", "id": 1, "node_id": "MDQ6VXNlcjE=",
  "avatar_url": "https://github.com/images/error/octocat_happy.gif", "gravatar_id": "",
  "url": "https://api.github.com/users/octocat", "html_url": "https://github.com/octocat",
  "type": "User", "site_admin": false, "name": "monalisa octocat", "company": "GitHub",
  "blog": "https://github.com/blog", "location": "San Francisco", "email": "octocat@github.com",
  "hireable": false, "bio": "There once was...", "twitter_username": "monatheoctocat",
  "public_repos": 2, "public_gists": 1, "followers": 20, "following": 0,
  "created_at": "2008-01-14T04:33:35Z", "updated_at": "2008-01-14T04:33:35Z",
  "private_gists": 81, "total_private_repos": 100, "owned_private_repos": 100,
  "disk_usage": 10000, "collaborators": 8, "two_factor_authentication": true
})";

TEST(GitHubPresetTest, MapsTheUserResponse) {
  EXPECT_EQ(fields(map_profile(github(client), github_user)),
            (user_fields{"1", "monalisa octocat", "octocat@github.com",
                         "https://github.com/images/error/octocat_happy.gif"}));
}

// A user who never set a display name: `name` is null, and the login stands in for it.
TEST(GitHubPresetTest, NullNameFallsBackToLogin) {
  constexpr std::string_view no_name = R"({
    "login": "octocat", "id": 583231, "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
    "name": null, "email": null, "type": "User", "site_admin": false
  })";
  EXPECT_EQ(fields(map_profile(github(client), no_name)),
            (user_fields{"583231", "octocat", std::nullopt,
                         "https://avatars.githubusercontent.com/u/583231?v=4"}));
}

// --- Google -------------------------------------------------------------------------------------

TEST(GooglePresetTest, DataMatchesAuthJs) {
  const oauth_provider p = google(client);
  EXPECT_EQ(p.id, "google");
  EXPECT_EQ(p.name, "Google");
  EXPECT_EQ(p.type, oauth_kind::oidc);
  EXPECT_EQ(p.issuer, "https://accounts.google.com");
  EXPECT_TRUE(p.authorization_endpoint.empty());  // from discovery
  EXPECT_TRUE(p.scope.empty());                   // "openid profile email"
  EXPECT_EQ(p.checks, oauth_checks{});
  EXPECT_EQ(p.token_auth, token_auth_method::client_secret_basic);
  EXPECT_FALSE(p.profile);  // default_profile
  EXPECT_TRUE(needs_discovery(p));
}

// An ID token's payload as https://developers.google.com/identity/openid-connect/openid-connect
// ("An ID token's payload") shows it, with the claims the `profile` scope adds (name, picture,
// given_name, family_name, from the same page's claim table).
constexpr std::string_view google_claims = R"({
  "iss": "https://accounts.google.com",
  "azp": "1234987819200.apps.googleusercontent.com",
  "aud": "1234987819200.apps.googleusercontent.com",
  "sub": "10769150350006150715113082367",
  "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
  "hd": "example.com",
  "email": "jsmith@example.com",
  "email_verified": "true",
  "iat": 1353601026,
  "exp": 1353604926,
  "nonce": "0394852-3190485-2490358",
  "name": "Jane Smith",
  "picture": "https://lh3.googleusercontent.com/a/ACg8ocK3xYz=s96-c",
  "given_name": "Jane",
  "family_name": "Smith"
})";

TEST(GooglePresetTest, MapsIdTokenClaims) {
  EXPECT_EQ(fields(map_profile(google(client), google_claims)),
            (user_fields{"10769150350006150715113082367", "Jane Smith", "jsmith@example.com",
                         "https://lh3.googleusercontent.com/a/ACg8ocK3xYz=s96-c"}));
}

// --- GitLab -------------------------------------------------------------------------------------

TEST(GitLabPresetTest, DataMatchesAuthJs) {
  const oauth_provider p = gitlab(client);
  EXPECT_EQ(p.id, "gitlab");
  EXPECT_EQ(p.name, "GitLab");
  EXPECT_EQ(p.type, oauth_kind::oauth);
  EXPECT_EQ(p.issuer, "https://gitlab.com");
  EXPECT_EQ(p.client_id, "the-client");
  EXPECT_EQ(p.client_secret, "the-secret");
  EXPECT_EQ(p.authorization_endpoint, "https://gitlab.com/oauth/authorize");
  EXPECT_EQ(p.token_endpoint, "https://gitlab.com/oauth/token");
  EXPECT_EQ(p.userinfo_endpoint, "https://gitlab.com/api/v4/user");
  EXPECT_EQ(p.jwks_uri, "https://gitlab.com/oauth/discovery/keys");
  EXPECT_EQ(p.scope, "read_user");
  EXPECT_TRUE(p.authorization_params.empty());
  EXPECT_EQ(p.checks, oauth_checks{});
  EXPECT_EQ(p.token_auth, token_auth_method::client_secret_basic);
  EXPECT_FALSE(p.userinfo);
  EXPECT_TRUE(p.profile);
  EXPECT_EQ(p.style.bg, "#FC6D26");
  EXPECT_EQ(p.style.text, "#fff");
  EXPECT_FALSE(needs_discovery(p));
}

TEST(GitLabPresetTest, SelfManagedBaseUrl) {
  const oauth_provider p = gitlab(with_issuer("https://git.example.com/gitlab/"));
  EXPECT_EQ(p.issuer, "https://git.example.com/gitlab");
  EXPECT_EQ(p.authorization_endpoint, "https://git.example.com/gitlab/oauth/authorize");
  EXPECT_EQ(p.token_endpoint, "https://git.example.com/gitlab/oauth/token");
  EXPECT_EQ(p.userinfo_endpoint, "https://git.example.com/gitlab/api/v4/user");
}

// GET /api/v4/user, the example response of https://docs.gitlab.com/api/users/ ("For normal
// users", the authenticated user), abridged.
constexpr std::string_view gitlab_user = R"({
  "id": 1,
  "username": "john_smith",
  "email": "john@example.com",
  "name": "John Smith",
  "state": "active",
  "locked": false,
  "avatar_url": "http://localhost:3000/uploads/user/avatar/1/index.jpg",
  "web_url": "http://localhost:3000/john_smith",
  "created_at": "2012-05-23T08:00:58Z",
  "bio": "",
  "location": null,
  "public_email": "john@example.com",
  "linkedin": "",
  "twitter": "",
  "discord": "",
  "website_url": "",
  "organization": "",
  "job_title": "",
  "pronouns": "he/him",
  "bot": false,
  "work_information": null,
  "last_sign_in_at": "2012-06-01T11:41:01Z",
  "confirmed_at": "2012-05-23T09:05:22Z",
  "theme_id": 1,
  "last_activity_on": "2012-05-23",
  "color_scheme_id": 2,
  "projects_limit": 100,
  "current_sign_in_at": "2012-06-02T06:36:55Z",
  "identities": [{"provider": "github", "extern_uid": "2435223452345"}],
  "can_create_group": true,
  "can_create_project": true,
  "two_factor_enabled": true,
  "external": false,
  "private_profile": false,
  "commit_email": "admin@example.com"
})";

TEST(GitLabPresetTest, MapsTheUserResponse) {
  EXPECT_EQ(fields(map_profile(gitlab(client), gitlab_user)),
            (user_fields{"1", "John Smith", "john@example.com",
                         "http://localhost:3000/uploads/user/avatar/1/index.jpg"}));
}

TEST(GitLabPresetTest, NullNameFallsBackToUsername) {
  constexpr std::string_view no_name = R"({"id": 4815162342, "username": "jsmith",
    "name": null, "email": "j@example.com", "avatar_url": null})";
  EXPECT_EQ(fields(map_profile(gitlab(client), no_name)),
            (user_fields{"4815162342", "jsmith", "j@example.com", std::nullopt}));
}

// --- Discord ------------------------------------------------------------------------------------

TEST(DiscordPresetTest, DataMatchesAuthJs) {
  const oauth_provider p = discord(client);
  EXPECT_EQ(p.id, "discord");
  EXPECT_EQ(p.name, "Discord");
  EXPECT_EQ(p.type, oauth_kind::oauth);
  EXPECT_TRUE(p.issuer.empty());
  EXPECT_EQ(p.authorization_endpoint, "https://discord.com/api/oauth2/authorize");
  EXPECT_EQ(p.token_endpoint, "https://discord.com/api/oauth2/token");
  EXPECT_EQ(p.userinfo_endpoint, "https://discord.com/api/users/@me");
  EXPECT_EQ(p.scope, "identify email");
  EXPECT_TRUE(p.authorization_params.empty());
  EXPECT_EQ(p.checks, oauth_checks{});
  EXPECT_EQ(p.token_auth, token_auth_method::client_secret_basic);
  EXPECT_FALSE(p.userinfo);
  EXPECT_TRUE(p.profile);
  EXPECT_EQ(p.style.bg, "#5865F2");
  EXPECT_EQ(p.style.text, "#fff");
  EXPECT_FALSE(needs_discovery(p));
}

// GET /users/@me, the example user of
// https://discord.com/developers/docs/resources/user#user-object ("Example User"): a legacy
// account with a discriminator and no display name.
constexpr std::string_view discord_user = R"({
  "id": "80351110224678912",
  "username": "Nelly",
  "discriminator": "1337",
  "avatar": "8342729096ea3675442027381ff50dfe",
  "verified": true,
  "email": "nelly@discord.com",
  "flags": 64,
  "banner": "06c16474723fe537c283b8efa61a30c8",
  "accent_color": 16711680,
  "premium_type": 1,
  "public_flags": 64,
  "avatar_decoration_data": {"sku_id": "1144058844004233369",
                             "asset": "a_fed43ab12698df65902ba06727e20c0e"}
})";

TEST(DiscordPresetTest, MapsTheDocumentedUser) {
  EXPECT_EQ(fields(map_profile(discord(client), discord_user)),
            (user_fields{"80351110224678912", "Nelly", "nelly@discord.com",
                         "https://cdn.discordapp.com/avatars/80351110224678912/"
                         "8342729096ea3675442027381ff50dfe.png"}));
}

// A user of the new username system (discriminator "0") with a display name, an animated avatar,
// and no e-mail granted.
TEST(DiscordPresetTest, AnimatedAvatarIsAGifAndGlobalNameWins) {
  constexpr std::string_view user = R"({"id": "80351110224678912", "username": "nelly",
    "discriminator": "0", "global_name": "Nelly B.",
    "avatar": "a_1269e74af4df7417b13759eae50c83dc", "email": null, "verified": true})";
  EXPECT_EQ(fields(map_profile(discord(client), user)),
            (user_fields{"80351110224678912", "Nelly B.", std::nullopt,
                         "https://cdn.discordapp.com/avatars/80351110224678912/"
                         "a_1269e74af4df7417b13759eae50c83dc.gif"}));
}

// Without an avatar, Discord's default one
// (https://discord.com/developers/docs/reference#image-formatting-cdn-endpoints): index
// (user_id >> 22) % 6 on the new username system, discriminator % 5 on the legacy one.
TEST(DiscordPresetTest, DefaultAvatarWhenThereIsNone) {
  // (80351110224678912 >> 22) = 19157197529; % 6 = 5.
  constexpr std::string_view new_system = R"({"id": "80351110224678912", "username": "nelly",
    "discriminator": "0", "global_name": null, "avatar": null, "email": "nelly@discord.com"})";
  EXPECT_EQ(fields(map_profile(discord(client), new_system)),
            (user_fields{"80351110224678912", "nelly", "nelly@discord.com",
                         "https://cdn.discordapp.com/embed/avatars/5.png"}));
  // 1337 % 5 = 2.
  constexpr std::string_view legacy = R"({"id": "80351110224678912", "username": "Nelly",
    "discriminator": "1337", "avatar": null, "email": "nelly@discord.com"})";
  EXPECT_EQ(fields(map_profile(discord(client), legacy)),
            (user_fields{"80351110224678912", "Nelly", "nelly@discord.com",
                         "https://cdn.discordapp.com/embed/avatars/2.png"}));
  // A snowflake that is not a number gives no image rather than a made-up one.
  constexpr std::string_view odd = R"({"id": "x1", "username": "n", "discriminator": "0",
    "avatar": null})";
  EXPECT_EQ(map_profile(discord(client), odd).image, std::nullopt);
}

// --- Keycloak, Auth0, Okta: OIDC by discovery from a required issuer ----------------------------

TEST(OidcTenantPresetTest, DataMatchesAuthJs) {
  struct expected {
    oauth_provider p;
    const char* id;
    const char* name;
    oauth_checks checks;
  };
  for (const auto& [p, id, name, checks] :
       {expected{keycloak(with_issuer("https://sso.example.com/realms/acme")), "keycloak",
                 "Keycloak", oauth_checks{}},
        expected{auth0(with_issuer("https://acme.eu.auth0.com/")), "auth0", "Auth0",
                 oauth_checks{}},
        expected{okta(with_issuer("https://acme.okta.com/oauth2/default")), "okta", "Okta",
                 oauth_checks{.pkce = true, .state = true, .nonce = false}}}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(p.id, id);
    EXPECT_EQ(p.name, name);
    EXPECT_EQ(p.type, oauth_kind::oidc);
    EXPECT_EQ(p.client_id, "the-client");
    EXPECT_EQ(p.client_secret, "the-secret");
    EXPECT_TRUE(p.authorization_endpoint.empty());
    EXPECT_TRUE(p.token_endpoint.empty());
    EXPECT_TRUE(p.userinfo_endpoint.empty());
    EXPECT_TRUE(p.jwks_uri.empty());
    EXPECT_TRUE(p.scope.empty());
    EXPECT_TRUE(p.authorization_params.empty());
    EXPECT_EQ(p.checks, checks);
    EXPECT_EQ(p.token_auth, token_auth_method::client_secret_basic);
    EXPECT_FALSE(p.userinfo);
    EXPECT_FALSE(p.profile);
    EXPECT_TRUE(needs_discovery(p));
  }
  EXPECT_EQ(keycloak(with_issuer("https://sso.example.com/realms/acme")).issuer,
            "https://sso.example.com/realms/acme");
  EXPECT_EQ(discovery_url(keycloak(with_issuer("https://sso.example.com/realms/acme")).issuer),
            "https://sso.example.com/realms/acme/.well-known/openid-configuration");
  EXPECT_EQ(keycloak(client).style.brand_color, "#428bca");
  EXPECT_EQ(auth0(client).style.bg, "#EB5424");
  EXPECT_EQ(okta(client).style.bg, "#000");
}

// Without an issuer the preset stays incomplete: the engine refuses it at startup ("issuer:
// required for oidc") rather than guessing one.
TEST(OidcTenantPresetTest, IssuerIsNotInvented) {
  EXPECT_TRUE(keycloak(client).issuer.empty());
  EXPECT_TRUE(auth0(client).issuer.empty());
  EXPECT_TRUE(okta(client).issuer.empty());
  EXPECT_TRUE(microsoft_entra_id(client).issuer.empty());
}

// A Keycloak ID token's payload (Keycloak 24, a realm user with the default client scopes
// "profile" and "email"; claims as listed by
// https://www.keycloak.org/docs/latest/server_admin/#_protocol-mappers).
constexpr std::string_view keycloak_claims = R"({
  "exp": 1714480800, "iat": 1714480500, "auth_time": 1714480499,
  "jti": "5e1f6a3c-0a0e-4d0e-9d8a-3f5bb1c3a1d2",
  "iss": "https://sso.example.com/realms/acme", "aud": "authpp",
  "sub": "f1c4e0a2-7b4e-4d43-9f3e-2a1b9c8d7e6f", "typ": "ID", "azp": "authpp",
  "nonce": "kq3B9fUxmJt0yL4oW2Zr8Hc1VnA7sEeD5pGqTiRwXy0",
  "session_state": "0b7e1d4c-2f3a-4b5c-8d9e-1a2b3c4d5e6f", "at_hash": "6yPq0l2rW1h0cE5nJ3tK8w",
  "acr": "1", "sid": "0b7e1d4c-2f3a-4b5c-8d9e-1a2b3c4d5e6f",
  "email_verified": true, "name": "Jane Doe", "preferred_username": "jdoe",
  "given_name": "Jane", "family_name": "Doe", "email": "jane.doe@example.com"
})";

TEST(OidcTenantPresetTest, KeycloakClaims) {
  const oauth_provider p = keycloak(with_issuer("https://sso.example.com/realms/acme"));
  EXPECT_EQ(fields(map_profile(p, keycloak_claims)),
            (user_fields{"f1c4e0a2-7b4e-4d43-9f3e-2a1b9c8d7e6f", "Jane Doe", "jane.doe@example.com",
                         std::nullopt}));
  // A user with no first or last name gets no `name` claim: preferred_username stands in.
  constexpr std::string_view nameless = R"({"iss": "https://sso.example.com/realms/acme",
    "sub": "0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d", "aud": "authpp", "exp": 1714480800,
    "iat": 1714480500, "typ": "ID", "email_verified": false, "preferred_username": "svc-build"})";
  EXPECT_EQ(fields(map_profile(p, nameless)),
            (user_fields{"0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d", "svc-build", std::nullopt,
                         std::nullopt}));
}

// The ID token of https://auth0.com/docs/secure/tokens/id-tokens/id-token-structure ("Sample ID
// token"), with the nickname Auth0 adds for the `profile` scope.
constexpr std::string_view auth0_claims = R"({
  "iss": "http://my-domain.auth0.com",
  "sub": "auth0|123456",
  "aud": "my_client_id",
  "exp": 1311281970,
  "iat": 1311280970,
  "name": "Jane Doe",
  "given_name": "Jane",
  "family_name": "Doe",
  "gender": "female",
  "birthdate": "0000-10-31",
  "email": "janedoe@example.com",
  "picture": "http://example.com/janedoe/me.jpg",
  "nickname": "janedoe"
})";

TEST(OidcTenantPresetTest, Auth0Claims) {
  EXPECT_EQ(fields(map_profile(auth0(with_issuer("https://my-domain.auth0.com/")), auth0_claims)),
            (user_fields{"auth0|123456", "Jane Doe", "janedoe@example.com",
                         "http://example.com/janedoe/me.jpg"}));
}

// The ID token payload of https://developer.okta.com/docs/reference/api/oidc/#id-token-payload
// (sample, with every scope granted).
constexpr std::string_view okta_claims = R"({
  "sub": "00uid4BxXw6I6TV4m0g3",
  "name": "John Doe",
  "nickname": "Jimmy",
  "given_name": "John",
  "middle_name": "James",
  "family_name": "Doe",
  "profile": "https://example.com/john.doe",
  "zoneinfo": "America/Los_Angeles",
  "locale": "en-US",
  "updated_at": 1311280970,
  "email": "john.doe@example.com",
  "email_verified": true,
  "address": {"street_address": "123 Hollywood Blvd.", "locality": "Los Angeles",
              "region": "CA", "postal_code": "90210", "country": "US"},
  "phone_number": "+1 (425) 555-1212",
  "ver": 1,
  "iss": "https://acme.okta.com",
  "aud": "uAaunofWkaDJxukCFeBx",
  "iat": 1311280970,
  "exp": 1311284570,
  "jti": "ID.pKTuonV4gl5mWDy9aGfupjeyrXCrDQWvj7t9dNcvwJs",
  "amr": ["pwd"],
  "idp": "00ouid4BxXw6I6TV4m0g3",
  "nonce": "n-0S6_WzA2Mj",
  "preferred_username": "john.doe@example.com",
  "auth_time": 1311280969,
  "at_hash": "preHSH4pZR2IbStlkyISLw",
  "c_hash": "xH6bsPy6Ij5ILC4bKRvk7g"
})";

TEST(OidcTenantPresetTest, OktaClaims) {
  EXPECT_EQ(
      fields(map_profile(okta(with_issuer("https://acme.okta.com")), okta_claims)),
      (user_fields{"00uid4BxXw6I6TV4m0g3", "John Doe", "john.doe@example.com", std::nullopt}));
}

// --- Microsoft Entra ID -------------------------------------------------------------------------

constexpr std::string_view tenant = "aaaabbbb-0000-cccc-1111-dddd2222eeee";

TEST(EntraIdPresetTest, DataMatchesAuthJs) {
  const oauth_provider p = microsoft_entra_id(with_issuer(entra_id_issuer(tenant)));
  EXPECT_EQ(p.id, "microsoft-entra-id");
  EXPECT_EQ(p.name, "Microsoft Entra ID");
  EXPECT_EQ(p.type, oauth_kind::oidc);
  EXPECT_EQ(p.issuer,
            "https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/v2.0");
  EXPECT_EQ(p.client_id, "the-client");
  EXPECT_EQ(p.client_secret, "the-secret");
  EXPECT_TRUE(p.authorization_endpoint.empty());
  EXPECT_EQ(p.scope, "openid profile email User.Read");
  EXPECT_TRUE(p.authorization_params.empty());
  EXPECT_EQ(p.checks, oauth_checks{});
  EXPECT_EQ(p.token_auth, token_auth_method::client_secret_basic);
  EXPECT_FALSE(p.userinfo);
  EXPECT_TRUE(p.profile);
  EXPECT_EQ(p.style.bg, "#0072c6");
  EXPECT_EQ(p.style.text, "#fff");
  EXPECT_TRUE(needs_discovery(p));
}

TEST(EntraIdPresetTest, IssuerFromATenantOrAsGiven) {
  EXPECT_EQ(microsoft_entra_id(with_issuer(std::string(tenant))).issuer,
            "https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/v2.0");
  // Auth.js's documented form, with a trailing slash, is kept: discovery treats both alike.
  const std::string slash =
      "https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/v2.0/";
  EXPECT_EQ(microsoft_entra_id(with_issuer(slash)).issuer, slash);
}

// The v2.0 ID token of
// https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference ("v2.0"
// sample): no `email` claim (it is optional), so the user has no e-mail; preferred_username is not
// taken for one, as in Auth.js.
constexpr std::string_view entra_claims = R"({
  "aud": "00001111-aaaa-2222-bbbb-3333cccc4444",
  "iss": "https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/v2.0",
  "iat": 1536361411,
  "nbf": 1536361411,
  "exp": 1536365311,
  "aio": "AXQAi/8IAAAAqxsuB+R4D2rFQqOETO4YdXbLD9kZ8xfXadeAM0Q2NkNT5izfg3uwbWSXhuSSj6UT5hy2D6WqAp",
  "idp": "https://sts.windows.net/99990000-9999-0000-9999-000099990000/",
  "name": "Abe Lincoln",
  "oid": "00000000-0000-0000-66f3-3332eca7ea81",
  "preferred_username": "AbeLi@microsoft.com",
  "rh": "I",
  "sub": "HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ",
  "tid": "aaaabbbb-0000-cccc-1111-dddd2222eeee",
  "uti": "fqiBqXLPj0eQa82S-IYFAA",
  "ver": "2.0"
})";

TEST(EntraIdPresetTest, MapsIdTokenClaimsWithoutGraphPhoto) {
  const oauth_provider p = microsoft_entra_id(with_issuer(std::string(tenant)));
  EXPECT_EQ(fields(map_profile(p, entra_claims)),
            (user_fields{"HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ", "Abe Lincoln", std::nullopt,
                         std::nullopt}));
  // With the `email` optional claim configured, it is the e-mail.
  json with_email = parse_json(entra_claims).value();
  with_email["email"] = "abe@contoso.com";
  EXPECT_EQ(fields(map_profile(p, with_email.dump())),
            (user_fields{"HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ", "Abe Lincoln",
                         "abe@contoso.com", std::nullopt}));
  // No nickname / preferred_username fallback for the name either (Auth.js maps `name` alone).
  json nameless = parse_json(entra_claims).value();
  nameless.erase("name");
  EXPECT_EQ(map_profile(p, nameless.dump()).name, std::nullopt);
}

// Every preset's button is styled with colours the sign-in page accepts, and a logo name.
TEST(PresetStyleTest, EveryPresetHasALogoName) {
  for (const oauth_provider& p :
       {github(client), google(client), gitlab(client), discord(client), keycloak(client),
        auth0(client), okta(client), microsoft_entra_id(client)}) {
    SCOPED_TRACE(p.id);
    EXPECT_EQ(p.style.logo, p.id + ".svg");
  }
}

TEST(PresetTableTest, EveryNamedTypeMakesItsProvider) {
  const client_credentials credentials{"cid", "secret", "https://idp.example.com"};
  const std::vector<std::pair<std::string, std::string>> expected{
      {"oidc", "oidc"},         {"oauth", "oauth"},
      {"github", "github"},     {"google", "google"},
      {"gitlab", "gitlab"},     {"discord", "discord"},
      {"keycloak", "keycloak"}, {"auth0", "auth0"},
      {"okta", "okta"},         {"microsoft-entra-id", "microsoft-entra-id"},
      {"apple", "apple"}};
  for (const auto& [type, id] : expected) {
    SCOPED_TRACE(type);
    EXPECT_TRUE(is_preset(type));
    const auto p = preset(type, credentials);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->id, id);
    EXPECT_EQ(p->client_id, "cid");
    EXPECT_NE(preset_names().find(type), std::string::npos);
  }
  EXPECT_EQ(preset("oauth", credentials)->type, oauth_kind::oauth);
  EXPECT_EQ(preset("oidc", credentials)->type, oauth_kind::oidc);
  EXPECT_EQ(preset_names(),
            "oidc, oauth, github, google, gitlab, discord, keycloak, auth0, okta, "
            "microsoft-entra-id or apple");
}

TEST(PresetTableTest, UnknownTypesMakeNothing) {
  for (std::string_view type : {"", "Apple", "GitHub", "facebook", "oidc "}) {
    EXPECT_FALSE(is_preset(type)) << type;
    EXPECT_FALSE(preset(type, {})) << type;
  }
}

}  // namespace
}  // namespace authpp::providers
