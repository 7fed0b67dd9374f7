#include <authpp/http/http_date.hpp>

#include <chrono>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::http {
namespace {

using namespace std::chrono;

TEST(HttpDateTest, FormatsLikeDateToUtcString) {
  // client-wire.md §5.2 example.
  EXPECT_EQ(format_http_date(sys_days{2026y / December / 27} + 3h + 39min + 3s),
            "Sun, 27 Dec 2026 03:39:03 GMT");
  EXPECT_EQ(format_http_date(system_clock::time_point{}), "Thu, 01 Jan 1970 00:00:00 GMT");
  // RFC 9110 §5.6.7 example.
  EXPECT_EQ(format_http_date(sys_days{1994y / November / 6} + 8h + 49min + 37s),
            "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(sys_days{2024y / February / 29} + 23h + 59min + 59s),
            "Thu, 29 Feb 2024 23:59:59 GMT");
}

TEST(HttpDateTest, TruncatesSubSecondsTowardsThePast) {
  EXPECT_EQ(format_http_date(system_clock::time_point{} + 999ms), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(system_clock::time_point{} - 1ms), "Wed, 31 Dec 1969 23:59:59 GMT");
}

TEST(HttpDateTest, ParsesWhatItFormats) {
  for (const auto t : {sys_days{2026y / December / 27} + 3h + 39min + 3s,
                       sys_days{1970y / January / 1} + 0s, sys_days{2000y / March / 1} + 12h + 0s,
                       sys_days{2099y / December / 31} + 23h + 59min + 59s}) {
    const std::string text = format_http_date(t);
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_http_date(text).value(), t);
  }
}

TEST(HttpDateTest, LeapSecondReadsAsFiftyNine) {
  EXPECT_EQ(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT").value(),
            sys_days{2016y / December / 31} + 23h + 59min + 59s);
}

TEST(HttpDateTest, RejectsEverythingButImfFixdate) {
  for (std::string_view bad : {"", "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
                               "Sun Nov  6 08:49:37 1994",            // asctime
                               "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
                               "Sun, 06 nov 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
                               "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 2023 08:49:37 GMT",
                               "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
                               "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
                               "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 06 Nov 199x 08:49:37 GMT",
                               "Sun, 06 Nov 1994 -8:49:37 GMT"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(test::error_of(parse_http_date(bad)), errc::malformed_input);
  }
}

TEST(HttpDateTest, FarDatesClampInsteadOfOverflowing) {
  EXPECT_TRUE(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"));
  EXPECT_TRUE(parse_http_date("Sat, 01 Jan 0000 00:00:00 GMT"));
}

}  // namespace
}  // namespace authpp::http
