// authpp::cpphttplib: the conversions between cpp-httplib and the engine, and the guard. The
// example application is driven by a real browser in tests/browser/httplib_app.test.mjs.
#include <authpp/cpphttplib/adapter.hpp>

#include "unit/auth/engine_fixture.hpp"

namespace authpp::test {
namespace {

TEST(CppHttplibAdapterTest, ARequestKeepsTargetHeadersBodyAndPeer) {
  httplib::Request in;
  in.method = "POST";
  in.target = "/api/auth/callback/credentials?x=1";
  in.headers.emplace("Cookie", "a=1");
  in.headers.emplace("Content-Type", "application/x-www-form-urlencoded");
  in.body = "email=a%40b.c";
  in.remote_addr = "192.0.2.9";
  const http::request out = cpphttplib::to_request(in);
  EXPECT_EQ(out.method, "POST");
  EXPECT_EQ(out.target, "/api/auth/callback/credentials?x=1");
  EXPECT_EQ(out.headers.get("Cookie"), "a=1");
  EXPECT_EQ(out.body, "email=a%40b.c");
  EXPECT_EQ(out.client_address, "192.0.2.9");
  EXPECT_FALSE(out.tls);
}

// A session cookie split in chunks is several Set-Cookie fields: folding them into one would
// lose all but the first in a browser.
TEST(CppHttplibAdapterTest, EverySetCookieStaysApart) {
  http::response res;
  res.status = 302;
  res.headers.add("Location", "/next");
  res.headers.add("Set-Cookie", "authjs.session-token.0=a; Path=/");
  res.headers.add("Set-Cookie", "authjs.session-token.1=b; Path=/");
  res.headers.add("Content-Type", "application/json");
  res.body = "{}";
  httplib::Response out;
  cpphttplib::write(res, out);
  EXPECT_EQ(out.status, 302);
  EXPECT_EQ(out.get_header_value_count("Set-Cookie"), 2u);
  EXPECT_EQ(out.get_header_value("Location"), "/next");
  EXPECT_EQ(out.get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(out.body, "{}");
}

class CppHttplibGuardTest : public EngineTest {};

TEST_F(CppHttplibGuardTest, ASignedOutVisitorIsSentToSignInAndASignedInOneGetsThrough) {
  const auto a = build();
  int reached = 0;
  const auto guarded = cpphttplib::require_session(
      a, [&reached](const httplib::Request&, httplib::Response& res, const json& session) {
        ++reached;
        res.set_content(session["user"]["name"].get<std::string>(), "text/plain");
      });
  httplib::Request visit;
  visit.method = "GET";
  visit.target = "/reports";
  httplib::Response signed_out;
  guarded(visit, signed_out);
  EXPECT_EQ(reached, 0);
  EXPECT_EQ(signed_out.status, 302);
  EXPECT_EQ(signed_out.get_header_value("Location"),
            "http://localhost:3000/api/auth/signin?callbackUrl="
            "http%3A%2F%2Flocalhost%3A3000%2Freports");

  jar j;
  sign_in(a, j);
  visit.headers.emplace("Cookie", j.header());
  httplib::Response signed_in;
  guarded(visit, signed_in);
  EXPECT_EQ(reached, 1);
  EXPECT_EQ(signed_in.body, "Alice");
  EXPECT_EQ(signed_in.get_header_value_count("Set-Cookie"), 1u);  // the sliding session cookie
}

}  // namespace
}  // namespace authpp::test
