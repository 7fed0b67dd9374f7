#include <authpp/http/http_date.hpp>

#include <algorithm>
#include <array>

namespace authpp::http {
namespace {

constexpr std::array<std::string_view, 7> day_names = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void append_padded(std::string& out, long long v, int width) {
  std::string digits = std::to_string(v);
  if (digits.size() < static_cast<std::size_t>(width)) {
    out.append(static_cast<std::size_t>(width) - digits.size(), '0');
  }
  out += digits;
}

// read_digits parses exactly `n` ASCII digits at `pos`, or returns -1.
int read_digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::string format_http_date(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const sys_days day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  std::string out;
  out.reserve(29);
  out += day_names[weekday{day}.c_encoding()];
  out += ", ";
  append_padded(out, static_cast<unsigned>(ymd.day()), 2);
  out += ' ';
  out += month_names[static_cast<unsigned>(ymd.month()) - 1];
  out += ' ';
  append_padded(out, static_cast<int>(ymd.year()), 4);
  out += ' ';
  append_padded(out, hms.hours().count(), 2);
  out += ':';
  append_padded(out, hms.minutes().count(), 2);
  out += ':';
  append_padded(out, hms.seconds().count(), 2);
  out += " GMT";
  return out;
}

result<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  using namespace std::chrono;
  const auto malformed = [] { return auth_error{errc::malformed_input, "not an IMF-fixdate"}; };
  // RFC 9110 §5.6.7: day-name "," SP DD SP month SP YYYY SP HH ":" MM ":" SS SP "GMT", 29 bytes.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return malformed();
  }
  bool known_day = false;
  for (const std::string_view name : day_names) {
    known_day = known_day || text.substr(0, 3) == name;
  }
  unsigned month_number = 0;
  for (unsigned i = 0; i < month_names.size(); ++i) {
    if (text.substr(8, 3) == month_names[i]) month_number = i + 1;
  }
  const int d = read_digits(text, 5, 2);
  const int y = read_digits(text, 12, 4);
  const int hh = read_digits(text, 17, 2);
  const int mm = read_digits(text, 20, 2);
  int ss = read_digits(text, 23, 2);
  if (!known_day || month_number == 0 || d < 0 || y < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
      ss < 0 || ss > 60) {
    return malformed();
  }
  if (ss == 60) ss = 59;  // system_clock has no leap seconds
  const year_month_day ymd{year{y}, month{month_number}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return malformed();
  // sys_days fits every 4-digit year, but system_clock's nanosecond count only reaches
  // 1677–2262; clamp the rest rather than overflow.
  constexpr sys_days lowest = year{1678} / 1 / 1;
  constexpr sys_days highest = year{2261} / 12 / 31;
  const sys_days day_point = std::clamp(sys_days{ymd}, lowest, highest);
  return time_point_cast<system_clock::duration>(day_point + hours{hh} + minutes{mm} + seconds{ss});
}

}  // namespace authpp::http
