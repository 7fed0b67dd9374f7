// A strict JSON reader and a writer for the hot path: the claims of every session token pass
// through both. The reader accepts exactly what nlohmann::json::parse accepts and builds the same
// value; the writer writes dump()'s bytes (fuzz/json_parse checks both against the library), each
// at a fraction of the library's per-character cost.
#include <authpp/core/json.hpp>
#include <authpp/core/utf8.hpp>

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace authpp {
namespace {

auth_error malformed(const char* what) { return auth_error{errc::malformed_input, what}; }

class reader {
 public:
  reader(std::string_view text, int max_depth)
      : p_(text.data()), end_(p_ + text.size()), max_depth_(max_depth) {}

  result<json> document() {
    // nlohmann skips a UTF-8 byte order mark; so do we, to read what it reads.
    if (end_ - p_ >= 3 && p_[0] == '\xEF' && p_[1] == '\xBB' && p_[2] == '\xBF') p_ += 3;
    json out;
    if (auto ok = value(out, 0); !ok) return ok.error();
    skip_space();
    if (p_ != end_) return malformed("JSON: text after the value");
    return out;
  }

 private:
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  result<void> value(json& out, int depth) {
    skip_space();
    if (p_ == end_) return malformed("JSON: unexpected end");
    switch (*p_) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"': {
        std::string s;
        if (auto ok = string(s); !ok) return ok;
        out = std::move(s);
        return {};
      }
      case 't':
        if (!literal("true")) return malformed("JSON: bad literal");
        out = true;
        return {};
      case 'f':
        if (!literal("false")) return malformed("JSON: bad literal");
        out = false;
        return {};
      case 'n':
        if (!literal("null")) return malformed("JSON: bad literal");
        out = nullptr;
        return {};
      default:
        return number(out);
    }
  }

  // opens_empty steps over the opening bracket and tells whether `close` follows at once.
  bool opens_empty(char close) {
    ++p_;
    skip_space();
    if (p_ == end_ || *p_ != close) return false;
    ++p_;
    return true;
  }

  // closes reads what follows an element: `close` (true: the container ends) or a comma.
  result<bool> closes(char close, const char* expected) {
    skip_space();
    if (p_ == end_) return malformed("JSON: unexpected end");
    if (*p_ != close && *p_ != ',') return malformed(expected);
    return *p_++ == close;
  }

  result<void> object(json& out, int depth) {
    if (depth > max_depth_) return auth_error{errc::limit_exceeded, "JSON: nested too deeply"};
    json_object_builder members(out);
    if (opens_empty('}')) return {};
    while (true) {
      skip_space();
      if (p_ == end_ || *p_ != '"') return malformed("JSON: expected a member name");
      std::string key;
      if (auto ok = string(key); !ok) return ok;
      skip_space();
      if (p_ == end_ || *p_ != ':') return malformed("JSON: expected ':'");
      ++p_;
      // A repeated name keeps its first position and takes the last value, as the library does.
      if (auto ok = value(members.member(std::move(key)), depth); !ok) return ok;
      auto end = closes('}', "JSON: expected ',' or '}'");
      if (!end) return end.error();
      if (*end) return {};
    }
  }

  result<void> array(json& out, int depth) {
    if (depth > max_depth_) return auth_error{errc::limit_exceeded, "JSON: nested too deeply"};
    out = json::array();
    if (opens_empty(']')) return {};
    while (true) {
      json element;
      if (auto ok = value(element, depth); !ok) return ok;
      out.push_back(std::move(element));
      auto end = closes(']', "JSON: expected ',' or ']'");
      if (!end) return end.error();
      if (*end) return {};
    }
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // hex4 reads the four hex digits after `\u`.
  bool hex4(std::uint32_t& out) {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const int d = hex_digit(p_[i]);
      if (d < 0) return false;
      out = out << 4 | static_cast<std::uint32_t>(d);
    }
    p_ += 4;
    return true;
  }

  static void append_utf8(std::string& s, std::uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | cp >> 6);
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | cp >> 12);
      s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | cp >> 18);
      s += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
      s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  result<void> string(std::string& s) {
    ++p_;  // opening quote
    while (true) {
      // Copy the run of plain ASCII at once: most strings are nothing else.
      const char* run = p_;
      while (p_ != end_ && static_cast<unsigned char>(*p_) >= 0x20 &&
             static_cast<unsigned char>(*p_) < 0x80 && *p_ != '"' && *p_ != '\\') {
        ++p_;
      }
      s.append(run, p_);
      if (p_ == end_) return malformed("JSON: unterminated string");
      const char c = *p_;
      if (c == '"') {
        ++p_;
        return {};
      }
      if (static_cast<unsigned char>(c) < 0x20) return malformed("JSON: control character");
      if (c != '\\') {
        const std::size_t n = utf8_sequence_length(std::string_view(p_, end_ - p_));
        if (n == 0) return malformed("JSON: invalid UTF-8");
        s.append(p_, n);
        p_ += n;
        continue;
      }
      ++p_;
      if (p_ == end_) return malformed("JSON: unterminated escape");
      const char e = *p_++;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          s += e;
          break;
        case 'b':
          s += '\b';
          break;
        case 'f':
          s += '\f';
          break;
        case 'n':
          s += '\n';
          break;
        case 'r':
          s += '\r';
          break;
        case 't':
          s += '\t';
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return malformed("JSON: bad \\u escape");
          if (cp >= 0xDC00 && cp <= 0xDFFF) return malformed("JSON: lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') {
              return malformed("JSON: lone high surrogate");
            }
            p_ += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) {
              return malformed("JSON: lone high surrogate");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(s, cp);
          break;
        }
        default:
          return malformed("JSON: bad escape");
      }
    }
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // number follows RFC 8259 §6 and the library's typing: an integer literal is a signed (when
  // negative) or unsigned 64-bit integer if it fits, otherwise, like any literal with a
  // fraction or exponent, a double.
  result<void> number(json& out) {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !digit(*p_)) return malformed("JSON: unexpected character");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || !digit(*p_)) return malformed("JSON: digit expected after '.'");
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) return malformed("JSON: digit expected in exponent");
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    const std::string text(start, p_);  // strto* need a terminator
    char* stop = nullptr;
    if (integral) {
      errno = 0;
      if (*start == '-') {
        const long long v = std::strtoll(text.c_str(), &stop, 10);
        if (errno == 0) {
          out = static_cast<std::int64_t>(v);
          return {};
        }
      } else {
        const unsigned long long v = std::strtoull(text.c_str(), &stop, 10);
        if (errno == 0) {
          out = static_cast<std::uint64_t>(v);
          return {};
        }
      }
    }
    const double v = std::strtod(text.c_str(), &stop);
    // The library refuses what would overflow to infinity (JSON has no infinities).
    if (!std::isfinite(v)) return malformed("JSON: number out of range");
    out = v;
    return {};
  }

  const char* p_;
  const char* end_;
  int max_depth_ = 0;
};

// append_string writes `s` quoted and escaped as the library does (and JSON.stringify): the two-
// character escapes, \u00xx for other control characters, everything else as is. Runs that
// need no escape are copied whole.
bool append_string(std::string& out, const std::string& s) {
  if (!is_utf8(s)) return false;
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        constexpr std::string_view hex = "0123456789abcdef";
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
  }
  out.append(s, run, std::string::npos);
  out += '"';
  return true;
}

template <class Integer>
void append_integer(std::string& out, Integer v) {
  std::array<char, 24> buf{};
  const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), v).ptr;
  out.append(buf.data(), end);
}

bool append_value(std::string& out, const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      out += "null";
      return true;
    case json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return true;
    case json::value_t::number_integer:
      append_integer(out, v.get<std::int64_t>());
      return true;
    case json::value_t::number_unsigned:
      append_integer(out, v.get<std::uint64_t>());
      return true;
    case json::value_t::string:
      return append_string(out, v.get_ref<const std::string&>());
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const json& element : v) {
        if (!first) out += ',';
        first = false;
        if (!append_value(out, element)) return false;
      }
      out += ']';
      return true;
    }
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : v.get_ref<const json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!append_string(out, key)) return false;
        out += ':';
        if (!append_value(out, member)) return false;
      }
      out += '}';
      return true;
    }
    default:
      // Doubles (shortest round-trip digits), binary and discarded values are rare: the
      // library writes them.
      out += v.dump();
      return true;
  }
}

}  // namespace

json_object_builder::json_object_builder(json& object) {
  object = json::object();
  members_ = &object.get_ref<json::object_t&>();
}

json& json_object_builder::member(std::string name) {
  // A scan is cheaper than hashing for the few members of claims and most bodies.
  constexpr std::size_t scan_limit = 8;
  if (members_->size() < scan_limit) {
    for (auto& [key, value] : *members_) {
      if (key == name) return value;
    }
  } else {
    if (index_.empty()) {
      for (std::size_t i = 0; i < members_->size(); ++i)
        index_.emplace(members_->data()[i].first, i);
    }
    const auto [it, added] = index_.try_emplace(name, members_->size());
    if (!added) return members_->data()[it->second].second;
  }
  // The vector's own emplace_back: ordered_map's emplace would search the members again.
  members_->emplace_back(std::move(name), nullptr);
  return members_->back().second;
}

result<json> parse_json(std::string_view text, int max_depth) {
  return reader(text, max_depth).document();
}

result<std::string> dump_json(const json& value) {
  std::string out;
  out.reserve(256);
  if (!append_value(out, value)) return malformed("JSON: a string is not UTF-8");
  return out;
}

}  // namespace authpp
