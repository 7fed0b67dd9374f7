// authpp::beast: the conversions between Boost.Beast and the engine, the drop-in handler and the
// guard. The example application is driven by a real browser in tests/browser/example_app.test.mjs.
#include <authpp/beast/adapter.hpp>

#include "unit/auth/engine_fixture.hpp"

namespace authpp::test {
namespace {

namespace bhttp = boost::beast::http;

template <class T>
T run(boost::asio::awaitable<T> work) {
  boost::asio::io_context io;
  std::optional<T> out;
  boost::asio::co_spawn(io, std::move(work), [&out](std::exception_ptr e, T value) {
    EXPECT_FALSE(e);
    out = std::move(value);
  });
  io.run();
  return std::move(out.value());
}

beast::request beast_get(std::string target, std::string cookie = "") {
  beast::request req{bhttp::verb::get, target, 11};
  if (!cookie.empty()) req.set(bhttp::field::cookie, cookie);
  req.keep_alive(true);
  return req;
}

TEST(BeastAdapterTest, ARequestKeepsMethodTargetHeadersBodyAndWhatTheSocketSays) {
  beast::request in{bhttp::verb::post, "/api/auth/callback/credentials?x=1", 11};
  in.set(bhttp::field::cookie, "a=1");
  in.body() = "email=a%40b.c";
  const http::request out = beast::to_request(in, true, "192.0.2.9");
  EXPECT_EQ(out.method, "POST");
  EXPECT_EQ(out.target, "/api/auth/callback/credentials?x=1");
  EXPECT_EQ(out.headers.get("Cookie"), "a=1");
  EXPECT_EQ(out.body, "email=a%40b.c");
  EXPECT_TRUE(out.tls);
  EXPECT_EQ(out.client_address, "192.0.2.9");
}

// Chunked session cookies are several Set-Cookie fields; folding them would lose all but one.
TEST(BeastAdapterTest, EverySetCookieStaysApartAndThePayloadIsPrepared) {
  http::response res;
  res.status = 302;
  res.headers.add("Location", "/next");
  res.headers.add("Set-Cookie", "authjs.session-token.0=a; Path=/");
  res.headers.add("Set-Cookie", "authjs.session-token.1=b; Path=/");
  res.body = "{}";
  const beast::response out = beast::to_response(res, beast_get("/"));
  EXPECT_EQ(out.result_int(), 302);
  EXPECT_EQ(std::distance(out.equal_range(bhttp::field::set_cookie).first,
                          out.equal_range(bhttp::field::set_cookie).second),
            2);
  EXPECT_EQ(out[bhttp::field::content_length], "2");
  EXPECT_TRUE(out.keep_alive());
  EXPECT_EQ(out.version(), 11u);
}

class BeastHandlerTest : public EngineTest {};

TEST_F(BeastHandlerTest, HandleAnswersTheEndpointsAndLeavesTheRestToTheApplication) {
  const auto a = build();
  const auto csrf = run(beast::handle(a, beast_get("/api/auth/csrf")));
  ASSERT_TRUE(csrf);
  EXPECT_EQ(csrf->result_int(), 200);
  EXPECT_NE(csrf->body().find("csrfToken"), std::string::npos);
  EXPECT_FALSE(run(beast::handle(a, beast_get("/dashboard"))));
}

TEST_F(BeastHandlerTest, ASignedOutVisitorIsSentToSignInAndASignedInOneGetsThrough) {
  const auto a = build();
  int reached = 0;
  const beast::session_handler page = [&reached](const beast::request& req, const json& session) {
    ++reached;
    beast::response res{bhttp::status::ok, req.version()};
    res.body() = session["user"]["name"].get<std::string>();
    res.prepare_payload();
    return res;
  };
  const auto signed_out = run(beast::require_session(a, beast_get("/reports"), page));
  EXPECT_EQ(reached, 0);
  EXPECT_EQ(signed_out.result_int(), 302);
  EXPECT_EQ(signed_out[bhttp::field::location],
            "http://localhost:3000/api/auth/signin?callbackUrl="
            "http%3A%2F%2Flocalhost%3A3000%2Freports");
  jar j;
  sign_in(a, j);
  const auto signed_in = run(beast::require_session(a, beast_get("/reports", j.header()), page));
  EXPECT_EQ(reached, 1);
  EXPECT_EQ(signed_in.body(), "Alice");
  EXPECT_EQ(signed_in.count(bhttp::field::set_cookie), 1u);  // the sliding session cookie
}

}  // namespace
}  // namespace authpp::test
