// The default sign-in mail, as Auth.js composes it (server-flows.md §8.1).
#include <authpp/mail/mail.hpp>

#include <string>

#include <gtest/gtest.h>

namespace authpp::mail {
namespace {

constexpr const char* url =
    "https://example.com/api/auth/callback/email?callbackUrl=https%3A%2F%2Fexample.com&token="
    "0123abcd&email=ada%40example.org";

sign_in_link link_to(std::string u) { return {.to = "ada@example.org", .url = std::move(u)}; }

std::size_t count(const std::string& haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(MailSignInMessageTest, SubjectAndTextAreAuthJsDefaults) {
  const message m = sign_in_message(link_to(url), "Example <auth@example.com>");
  EXPECT_EQ(m.from, "Example <auth@example.com>");
  EXPECT_EQ(m.to, "ada@example.org");
  EXPECT_EQ(m.subject, "Sign in to example.com");
  EXPECT_EQ(m.text, std::string("Sign in to example.com\n") + url + "\n\n");
}

// Auth.js takes `new URL(url).host`: the port stays when it is not the scheme's default.
TEST(MailSignInMessageTest, HostKeepsAPort) {
  EXPECT_EQ(sign_in_message(link_to("http://localhost:3000/x"), "").subject,
            "Sign in to localhost:3000");
  EXPECT_EQ(sign_in_message(link_to("https://EXAMPLE.com:443/x"), "").subject,
            "Sign in to example.com");
  EXPECT_EQ(sign_in_message(link_to("http://[::1]:8080/x"), "").subject, "Sign in to [::1]:8080");
}

TEST(MailSignInMessageTest, HtmlHasOneSignInButtonLinkingToTheUrl) {
  const message m = sign_in_message(link_to(url), "");
  EXPECT_EQ(count(m.html, "<a "), 1u);
  EXPECT_EQ(count(m.html, ">Sign in</a>"), 1u);
  std::string escaped = url;  // the only character of this URL that HTML escapes is '&'
  for (std::size_t at = escaped.find('&'); at != std::string::npos;
       at = escaped.find('&', at + 1)) {
    escaped.replace(at, 1, "&amp;");
  }
  EXPECT_NE(m.html.find("href=\"" + escaped + "\""), std::string::npos) << m.html;
  EXPECT_NE(m.html.find("background:#346df1;"), std::string::npos);
  EXPECT_EQ(m.html.find("0123abcd&email"), std::string::npos);  // no raw '&' in an attribute
}

// Mail clients turn "example.com" into a link of their own; a zero-width space before each dot
// stops that, as in Auth.js.
TEST(MailSignInMessageTest, HostGetsZeroWidthSpacesBeforeDots) {
  const message m = sign_in_message(link_to("https://login.example.co.uk/cb"), "");
  EXPECT_NE(m.html.find("<strong>login&#8203;.example&#8203;.co&#8203;.uk</strong>"),
            std::string::npos)
      << m.html;
  EXPECT_EQ(m.subject, "Sign in to login.example.co.uk");  // the subject stays plain
}

// The link comes from the engine, but is built from a request; nothing in it may become markup.
TEST(MailSignInMessageTest, HtmlEscapesScriptInUrlAndHost) {
  for (const char* hostile :
       {"https://example.com/cb?callbackUrl=\"><script>alert(1)</script>",
        "https://<script>alert(1)</script>.example/cb", "javascript:alert(1)//<script>x</script>",
        "https://example.com/cb?x='onmouseover='alert(1)"}) {
    const message m = sign_in_message(link_to(hostile), "");
    SCOPED_TRACE(hostile);
    EXPECT_EQ(m.html.find("<script"), std::string::npos) << m.html;
    EXPECT_EQ(m.html.find("'onmouseover"), std::string::npos);
    EXPECT_EQ(count(m.html, "<a "), 1u);
    // The href attribute holds the whole URL: no quote of it closed the attribute early.
    const std::size_t start = m.html.find("href=\"") + 6;
    const std::string href = m.html.substr(start, m.html.find('"', start) - start);
    EXPECT_EQ(href.find_first_of("<>'"), std::string::npos) << href;
    EXPECT_NE(href.find("alert(1)"), std::string::npos) << href;
  }
  const message m = sign_in_message(link_to("https://example.com/cb?x=<script>"), "");
  EXPECT_NE(m.html.find("&lt;script&gt;"), std::string::npos);
}

// The brand colour lands in style attributes, where escaping alone would still let it add CSS.
TEST(MailSignInMessageTest, BrandColorIsAColorOrTheDefault) {
  EXPECT_NE(sign_in_message(link_to(url), "", "#ff0000").html.find("background:#ff0000;"),
            std::string::npos);
  EXPECT_NE(sign_in_message(link_to(url), "", "teal").html.find("background:teal;"),
            std::string::npos);
  for (const char* bad : {"red;background-image:url(https://evil.example/x)", "#12345",
                          "\"><script>", "", "#", "#ggg", "expression(alert(1))"}) {
    const std::string html = sign_in_message(link_to(url), "", bad).html;
    EXPECT_NE(html.find("background:#346df1;"), std::string::npos) << bad;
    EXPECT_EQ(html.find("evil"), std::string::npos) << bad;
    EXPECT_EQ(html.find("expression"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace authpp::mail
