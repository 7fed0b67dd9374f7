#include "address.hpp"

#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::mail {
namespace {

using authpp::test::error_of;

TEST(MailAddressTest, AcceptsPlainAddresses) {
  for (const char* a : {"ada@example.com", "a.b+tag@sub.example.co.uk", "x@localhost",
                        "o'hara@example.com", "user_1-2@a-b.example"}) {
    EXPECT_TRUE(is_addr_spec(a)) << a;
  }
}

// Anything a header or an SMTP command could read as more than one address, or as the end of
// the line, is refused: the recipient comes from a sign-in form.
TEST(MailAddressTest, RefusesEverythingButOneAddrSpec) {
  for (const char* a : {"",
                        "@example.com",
                        "ada@",
                        "ada",
                        "ada@@example.com",
                        "a@b@example.com",
                        "ada@example.com, eve@evil.example",
                        "ada@example.com,eve@evil.example",
                        "Ada <ada@example.com>",
                        "<ada@example.com>",
                        "ada@example.com>",
                        "ada@example.com\r\n",
                        "ada@example.com\r\nRCPT TO:<eve@evil.example>",
                        "ada@exa\nmple.com",
                        "ada @example.com",
                        "\"ada\"@example.com",
                        "ada.@example.com",
                        ".ada@example.com",
                        "a..da@example.com",
                        "ada@-example.com",
                        "ada@example-.com",
                        "ada@example..com",
                        "ada@[127.0.0.1]",
                        "ada@exämple.com",
                        "adä@example.com"}) {
    EXPECT_FALSE(is_addr_spec(a)) << a;
  }
  EXPECT_FALSE(is_addr_spec(std::string("ada@example.com\0", 16)));
  EXPECT_FALSE(is_addr_spec(std::string(65, 'a') + "@example.com"));  // local part over 64
  EXPECT_TRUE(is_addr_spec(std::string(64, 'a') + "@example.com"));
  EXPECT_FALSE(is_addr_spec("a@" + std::string(64, 'b') + ".com"));  // label over 63
  std::string long_domain;
  for (int i = 0; i < 5; ++i) long_domain += std::string(60, 'd') + ".";
  EXPECT_FALSE(is_addr_spec("a@" + long_domain + "com"));  // over 254 in all
}

TEST(MailAddressTest, ParsesMailboxWithAndWithoutName) {
  auto plain = parse_mailbox("  auth@example.com ");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->display_name, "");
  EXPECT_EQ(plain->address, "auth@example.com");
  auto named = parse_mailbox("Example Sign-in <auth@example.com>");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->display_name, "Example Sign-in");
  EXPECT_EQ(named->address, "auth@example.com");
  auto utf8 = parse_mailbox("Zoë <z@example.com>");
  ASSERT_TRUE(utf8);
  EXPECT_EQ(utf8->display_name, "Zoë");
  EXPECT_EQ(domain_of(named->address), "example.com");
}

TEST(MailAddressTest, HeaderInjectionThroughFromIsRefused) {
  for (const char* from :
       {"Auth\r\nBcc: eve@evil.example <auth@example.com>", "auth@example.com\r\nBcc: e@evil.x",
        "Auth <auth@example.com>\nBcc: eve@evil.example", "Auth <auth@example.com\r\n>",
        "Auth\x01 <auth@example.com>", "Auth <auth@example.com", "auth@example.com>",
        "Auth <a@b.c, eve@evil.example>", "\xff <auth@example.com>"}) {
    auto r = parse_mailbox(from);
    EXPECT_EQ(error_of(r), errc::malformed_input) << from;
    if (!r) {
      EXPECT_EQ(r.error().detail.find("evil"), std::string::npos) << r.error().detail;
    }
  }
}

}  // namespace
}  // namespace authpp::mail
